"""Route table rows of the field app (``shequ.field``): the grid worker of
grid A1a reaches the visits, photos, needs and instruction replies of A1a,
the worker of A1b gets 404; proposals, coverage and work logs of A1a are for
community A1's worker, not community A2's."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.utils import timezone

from tests.security.specs import LoggedIn, Public, Scoped, Staff, Target

GRID_PAIRS = (("grid_worker", "grid_worker_b"),)
COMMUNITY_PAIRS = (("community_worker", "community_worker_b"),)
SECRET = "欧阳走访秘密"


def _household(w):
    from shequ.field.tests.factories import household_with

    return household_with(w.city.units["A1a"], name=SECRET)


def raw_household(w):
    """A household of unit A1a written without the service (no audit line), so
    that audit tests count only the line of the action they drive."""
    from shequ.registry.models import Household

    unit = w.city.units["A1a"]
    return Household.objects.create(area=unit, area_path=unit.path, room=SECRET)


def _visit_rows(w, **extra):
    """A visit in grid A1a, written without the service (no audit line)."""
    from shequ.field.models import Need, Visit

    household = raw_household(w)
    visit = Visit.objects.create(
        household=household,
        worker=w.people["grid_worker"],
        visited_at=timezone.now(),
        outcome="met",
        notes=SECRET,
        client_id=uuid.uuid4(),
        request_hash="x",
        area_path=household.area_path,
    )
    need = Need.objects.create(visit=visit, description="需要助餐", area_path=visit.area_path)
    return household, visit, need


def _visit(w) -> Target:
    _household_row, visit, _need = _visit_rows(w)
    return Target({"pk": visit.pk}, secret=SECRET)


def _photo(w) -> Target:
    from shequ.field.tests.factories import gps_photo, household_with, visit

    household = household_with(w.city.units["A1a"])
    row = visit(w.people["grid_worker"], household, photos=[gps_photo()])
    return Target({"pk": row.photos.get().pk}, secret="JFIF")


def _need(w) -> Target:
    _household_row, _visit_row, need = _visit_rows(w)
    return Target({"pk": need.pk}, {"kind": "service_order"}, secret=SECRET)


def sync_data(w) -> dict:
    household = raw_household(w)
    return {
        "household": household.pk,
        "client_id": str(uuid.uuid4()),
        "payload": json.dumps({"outcome": "met", "notes": "走访"}),
    }


def _sync_visit(w) -> Target:
    return Target({}, sync_data(w), secret=SECRET)


def assignment(w):
    from shequ.field.services import instruction_send

    instruction = instruction_send(
        actor=w.people["community_worker"],
        area=w.city.grids["A1a"],
        title=SECRET,
        deadline=timezone.now() + timedelta(days=1),
    )
    return instruction.assignments.get()


def _reply(w) -> Target:
    return Target({}, {"assignment": assignment(w).pk, "action": "acknowledge"}, secret=SECRET)


def proposal(w):
    from shequ.field.models import LedgerChangeProposal

    household, visit, _need = _visit_rows(w)
    return LedgerChangeProposal.objects.create(
        household=household,
        visit=visit,
        kind="new_member",
        data={"name": "王小宝", "gender": "male", "relation_to_head": "child"},
        household_version=household.version,
        proposed_by=w.people["grid_worker"],
        area_path=household.area_path,
    )


def _decide(w) -> Target:
    return Target({"pk": proposal(w).pk}, {"decision": "approve"}, secret="王小宝")


def _coverage(w) -> Target:
    _household(w)
    return Target({}, {"area": w.city.grids["A1a"].pk}, secret=SECRET)


def _worklog(w) -> Target:
    from shequ.field.services import worklog_note_add

    worklog_note_add(actor=w.people["grid_worker"], text_value=SECRET, client_id=uuid.uuid4())
    return Target({}, {"worker": w.people["grid_worker"].pk}, secret=SECRET)


def _comment(w) -> Target:
    return Target(
        {},
        {
            "worker": w.people["grid_worker"].pk,
            "day": timezone.localdate().isoformat(),
            "comment": "走访细致",
        },
        secret=w.people["grid_worker"].display_name,
    )


def _instruction_data(w) -> dict:
    deadline = timezone.localtime() + timedelta(days=2)
    return {
        "area": w.city.communities["A1"].pk,
        "title": "排查电动车入户充电",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
    }


def report_data(w) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "kind": "incident",
        "category": "sanitation",
        "area": w.city.units["A1a"].pk,
        "description": SECRET,
    }


def _report(w) -> Target:
    return Target({}, report_data(w), secret=SECRET)


def outpost(w):
    """An outpost at estate A1a, written without the service (no audit line)."""
    from shequ.field.models import Outpost

    estate = w.city.estates["A1a"]
    return Outpost.objects.create(area=estate, area_path=estate.path, weekdays=[0, 2, 4])


def _outpost(w) -> Target:
    return Target({"pk": outpost(w).pk}, secret="A1a小区")


def outpost_data(w) -> dict:
    return {
        "outpost": outpost(w).pk,
        "client_id": str(uuid.uuid4()),
        "kind": "consultation",
        "description": SECRET,
    }


def _sync_outpost(w) -> Target:
    return Target({}, outpost_data(w), secret=SECRET)


def schedule_data(w) -> dict:
    return {"area": w.city.estates["A1a"].pk, "weekdays": ["0", "2", "4"], "hours": "9:00-11:30"}


def note_data(w) -> dict:
    return {"text": "协助发放宣传单", "client_id": str(uuid.uuid4())}


def _api_visit(w) -> Target:
    household = raw_household(w)
    return Target({}, {"client_id": str(uuid.uuid4()), "household_id": household.pk}, secret=SECRET)


ROUTES = {
    "api:field_due": Staff("grid_worker"),
    "api:field_visit_new": Scoped(GRID_PAIRS, _api_visit),
    "api:field_coverage": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _coverage),
    "field:today": Staff("grid_worker"),
    "field:visit_form": Staff("grid_worker"),
    "field:visit_list": Staff("grid_worker"),
    "field:visit_detail": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _visit),
    "field:photo": Scoped(GRID_PAIRS, _photo),
    "field:need_convert": Scoped(GRID_PAIRS, _need),
    "field:sync_visit": Scoped(GRID_PAIRS, _sync_visit),
    "field:report_form": Staff("grid_worker"),
    "field:map": Staff("grid_worker"),
    "field:sync_report": Scoped(GRID_PAIRS, _report),
    "field:sync_note": Staff("grid_worker", note_data, mutates=True),
    "field:sync_reply": Scoped(GRID_PAIRS, _reply),
    "field:service_worker": Public("the service worker script: no data"),
    "field:manifest": Public("the web app manifest: no data"),
    "field:proposals": Staff("community_worker"),
    "field:proposal_decide": Scoped(COMMUNITY_PAIRS, _decide),
    "field:coverage": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _coverage),
    "field:instructions": Staff("community_worker", _instruction_data, mutates=True),
    "field:outposts": Staff("community_worker", schedule_data, mutates=True),
    "field:outpost_detail": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _outpost),
    "field:sync_outpost": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _sync_outpost),
    "field:worklog": Scoped(GRID_PAIRS + COMMUNITY_PAIRS, _worklog),
    "field:worklog_comment": Scoped(COMMUNITY_PAIRS, _comment),
}

__all__ = ["ROUTES", "LoggedIn"]
