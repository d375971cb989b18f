"""Route table rows of the registry added after the first slice (the rows of
the first slice stay in ``test_route_matrix.py``): the full (unmasked)
export with maker-checker. A request for community A1 is reached by
community A1's workers and refused (404) to community A2's.

Transfers between communities (跨社区迁移) move people between community A1
and community B1; community A2's worker is the third community that gets 404."""

from __future__ import annotations

from tests.security.specs import Scoped, Staff, Target

COMMUNITY_PAIRS = (("community_worker", "community_worker_b"),)
PURPOSE = "核对欧阳低保名单"


def _approval(w, *, requester: str, approved: bool):
    """A full-export request for community A1 (and its approval), written
    without the services so the audit test counts only the action it drives."""
    from django.utils import timezone

    from shequ.core.models import ApprovalRequest
    from shequ.core.tests.factories import make_user
    from shequ.registry.full_export import KIND

    community = w.city.communities["A1"]
    other = make_user("community_worker", community)
    by = w.people[requester] if requester != "other" else other
    now = timezone.now()
    return ApprovalRequest.objects.create(
        kind=KIND,
        payload={"area_id": community.pk, "purpose": PURPOSE, "format": "csv"},
        summary=f"完整信息导出 · {PURPOSE}",
        area_path=community.path,
        requested_by=by,
        requested_at=now,
        expires_at=now + timezone.timedelta(hours=72),
        state=ApprovalRequest.State.APPROVED if approved else ApprovalRequest.State.PENDING,
        decided_by=other if approved else None,
        decided_at=now if approved else None,
    )


def decide_target(w) -> Target:
    approval = _approval(w, requester="other", approved=False)
    return Target({"pk": approval.pk}, {"decision": "approve"}, secret=PURPOSE)


def download_target(w) -> Target:
    approval = _approval(w, requester="community_worker", approved=True)
    return Target({"pk": approval.pk}, secret=PURPOSE)


def request_data(w) -> dict:
    return {"area": w.city.communities["A1"].pk, "purpose": "民政核对低保", "format": "csv"}


ROUTES = {
    "registry:full_export_list": Staff("community_worker", request_data, mutates=True),
    "registry:full_export_decide": Scoped(
        COMMUNITY_PAIRS, decide_target, changes=frozenset({"POST"})
    ),
    "registry:full_export_download": Scoped(
        COMMUNITY_PAIRS, download_target, changes=frozenset({"POST"})
    ),
}


# --------------------------------------------------------------------------
# Transfers between communities: A1 ⇄ B1; A2 is the third community.
# --------------------------------------------------------------------------

TRANSFER_NAME = "司马迁移"  # the person moved; must never reach community A2
TRANSFER_ROOM = "7788"


def _transfer_people(w, *, in_a1: bool):
    """A person in community A1 (or B1) and an empty household in the other one,
    written without the services so the audit test counts only the action it drives."""
    from shequ.registry.models import Household, Resident
    from shequ.registry.services import apply_resident_data, clean_resident_data
    from shequ.registry.tests.factories import new_id

    here, there = ("A1a", "B1a") if in_a1 else ("B1a", "A1a")
    homes = []
    for key, room in ((here, "101"), (there, TRANSFER_ROOM)):
        unit = w.city.units[key]
        homes.append(Household.objects.create(area=unit, room=room, area_path=unit.path))
    number = new_id()
    person = Resident(household=homes[0], area_path=homes[0].area_path)
    apply_resident_data(person, clean_resident_data({"name": TRANSFER_NAME, "id_number": number}))
    person.save()
    return person, homes[1], number


def transfer_pending(w, *, pushed: bool = False):
    """A pending transfer of a person from A1 to B1: pulled by B1 (A1 decides),
    or pushed by A1's worker (A1 may cancel)."""
    from shequ.registry.models import ResidentTransfer

    person, home, _number = _transfer_people(w, in_a1=True)
    return ResidentTransfer.objects.create(
        resident=person,
        from_household=person.household,
        to_household=home,
        from_community=w.city.communities["A1"],
        to_community=w.city.communities["B1"],
        from_path=person.area_path,
        to_path=home.area_path,
        direction="push" if pushed else "pull",
        requested_by=w.people["community_worker" if pushed else "street_staff_b"],
    )


def transfer_detail_target(w) -> Target:
    return Target({"pk": transfer_pending(w).pk}, secret=TRANSFER_NAME)


def transfer_decide_target(w) -> Target:
    return Target({"pk": transfer_pending(w).pk}, {"decision": "accept"}, secret=TRANSFER_NAME)


def transfer_cancel_target(w) -> Target:
    return Target({"pk": transfer_pending(w, pushed=True).pk}, secret=TRANSFER_NAME)


def transfer_push_target(w) -> Target:
    person, home, _number = _transfer_people(w, in_a1=True)
    data = {
        "community": w.city.communities["B1"].pk,
        "area": w.city.units["B1a"].pk,
        "room": TRANSFER_ROOM,
    }
    return Target({"pk": person.pk}, data, secret=TRANSFER_NAME)


def transfer_pull_target(w) -> Target:
    _person, home, number = _transfer_people(w, in_a1=False)
    data = {"id_number": number, "relation_to_head": "other"}
    return Target({"pk": home.pk}, data, secret=f"{home.area.name} {TRANSFER_ROOM}")


def api_transfer_detail_target(w) -> Target:
    return Target({"transfer_id": transfer_pending(w).pk}, secret=TRANSFER_NAME)


def api_transfer_decide_target(w) -> Target:
    return Target({"transfer_id": transfer_pending(w).pk}, {"accept": True}, secret=TRANSFER_NAME)


def api_transfer_cancel_target(w) -> Target:
    pending = transfer_pending(w, pushed=True)
    return Target({"transfer_id": pending.pk}, {"note": "暂缓"}, secret=TRANSFER_NAME)


def api_transfer_pull_target(w) -> Target:
    _person, home, number = _transfer_people(w, in_a1=False)
    body = {"household_id": home.pk, "id_number": number, "relation_to_head": "other"}
    return Target({}, body, secret=TRANSFER_NAME)


def api_transfer_push_target(w) -> Target:
    person, _home, _number = _transfer_people(w, in_a1=True)
    body = {
        "resident_id": person.pk,
        "community_id": w.city.communities["B1"].pk,
        "area_id": w.city.units["B1a"].pk,
        "room": TRANSFER_ROOM,
    }
    return Target({}, body, secret=TRANSFER_NAME)


def api_transfer_addresses_target(w) -> Target:
    """Community A2's buildings and units: A1's worker may pick them, A2's own worker not."""
    community = w.city.communities["A2"]
    return Target({"community_id": community.pk}, secret=w.city.units["A2a"].name)


ROUTES.update(
    {
        "registry:transfer_list": Staff("community_worker"),
        "registry:transfer_detail": Scoped(COMMUNITY_PAIRS, transfer_detail_target),
        "registry:transfer_decide": Scoped(COMMUNITY_PAIRS, transfer_decide_target),
        "registry:transfer_cancel": Scoped(COMMUNITY_PAIRS, transfer_cancel_target),
        "registry:transfer_push": Scoped(COMMUNITY_PAIRS, transfer_push_target),
        "registry:transfer_pull": Scoped(COMMUNITY_PAIRS, transfer_pull_target),
        "api:transfer_list_route": Staff("community_worker"),
        "api:transfer_community_list": Staff("community_worker"),
        "api:transfer_address_list": Scoped(COMMUNITY_PAIRS, api_transfer_addresses_target),
        "api:transfer_detail_route": Scoped(COMMUNITY_PAIRS, api_transfer_detail_target),
        "api:transfer_decide_route": Scoped(COMMUNITY_PAIRS, api_transfer_decide_target),
        "api:transfer_cancel_route": Scoped(COMMUNITY_PAIRS, api_transfer_cancel_target),
        "api:transfer_pull_route": Scoped(COMMUNITY_PAIRS, api_transfer_pull_target),
        "api:transfer_push_route": Scoped(COMMUNITY_PAIRS, api_transfer_push_target),
    }
)


# --------------------------------------------------------------------------
# The full export through the API (/api/v1/registry/full-exports): the same
# requests for community A1 as the web rows above.
# --------------------------------------------------------------------------


def api_full_export_request_data(w) -> dict:
    return {"area_id": w.city.communities["A1"].pk, "purpose": "民政核对低保", "format": "csv"}


def api_full_export_decide_target(w) -> Target:
    approval = _approval(w, requester="other", approved=False)
    return Target({"approval_id": approval.pk}, {"approve": True}, secret=PURPOSE)


def api_full_export_download_target(w) -> Target:
    approval = _approval(w, requester="community_worker", approved=True)
    return Target({"approval_id": approval.pk}, secret=PURPOSE)


ROUTES.update(
    {
        "api:full_export_list_route": Staff("community_worker"),
        "api:full_export_request_route": Staff(
            "community_worker", api_full_export_request_data, mutates=True
        ),
        "api:full_export_decide_route": Scoped(
            COMMUNITY_PAIRS, api_full_export_decide_target, changes=frozenset({"POST"})
        ),
        # The one download uses the approval up (its state turns to expired).
        "api:full_export_download_route": Scoped(
            COMMUNITY_PAIRS, api_full_export_download_target, changes=frozenset({"GET"})
        ),
    }
)
