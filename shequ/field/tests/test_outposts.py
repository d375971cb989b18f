"""Outpost service: at least three days a week, items recorded once and
turned into cases, the week's coverage per outpost, scoped."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from shequ.core.errors import DomainError, Forbidden, InvalidInput
from shequ.field.models import OutpostService
from shequ.field.selectors import outpost_week
from shequ.field.services import outpost_schedule, outpost_service_record
from shequ.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def _outpost(city, people, days=(0, 2, 4)):
    return outpost_schedule(
        actor=people["community_worker"],
        area=city.estates["A1a"],
        weekdays=list(days),
        hours="9:00-11:30",
    )


def test_an_outpost_needs_three_days_a_week_and_the_community_schedules_it(city, people):
    with pytest.raises(InvalidInput):
        _outpost(city, people, days=(0, 2))
    with pytest.raises(Forbidden):
        outpost_schedule(actor=people["grid_worker"], area=city.estates["A1a"], weekdays=[0, 1, 2])
    outpost = _outpost(city, people)
    again = _outpost(city, people, days=(0, 1, 2, 3))
    assert again.pk == outpost.pk and again.weekdays == [0, 1, 2, 3]


def test_items_are_recorded_once_and_turned_into_cases(city, people):
    outpost = _outpost(city, people)
    key = uuid.uuid4()
    args = {"outpost": outpost, "kind": "dispute", "description": "停车位纠纷", "to_case": True}
    first = outpost_service_record(actor=people["grid_worker"], client_id=key, **args)
    again = outpost_service_record(actor=people["grid_worker"], client_id=key, **args)
    assert again.replayed and again.service.pk == first.service.pk
    order = WorkOrder.objects.get()
    assert order.kind == "incident" and order.category.code == "neighbour"
    consult = outpost_service_record(
        actor=people["grid_worker"],
        outpost=outpost,
        client_id=uuid.uuid4(),
        kind="consultation",
        description="咨询养老补贴",
        to_case=True,
    )
    assert consult.service.workorder.kind == "service_order"
    with pytest.raises(DomainError):
        outpost_service_record(
            actor=people["grid_worker"], client_id=key, **{**args, "description": "改了"}
        )
    with pytest.raises(Forbidden):
        outpost_service_record(
            actor=people["grid_worker_b"],
            outpost=outpost,
            client_id=uuid.uuid4(),
            kind="errand",
            description="越界",
        )


@time_machine.travel(datetime(2026, 3, 20, 15, tzinfo=TZ), tick=False)  # a Friday
def test_the_week_shows_days_held_and_missed(city, people):
    outpost = _outpost(city, people)  # Monday, Wednesday, Friday
    for day, kind in ((date(2026, 3, 16), "consultation"), (date(2026, 3, 20), "errand")):
        row = outpost_service_record(
            actor=people["grid_worker"],
            outpost=outpost,
            client_id=uuid.uuid4(),
            kind=kind,
            description="登记",
        ).service
        OutpostService.objects.filter(pk=row.pk).update(
            served_at=datetime(day.year, day.month, day.day, 10, tzinfo=TZ)
        )
    rows = outpost_week(actor=people["community_worker"])
    assert len(rows) == 1
    row = rows[0]
    assert (row["held"], row["scheduled"]) == (2, 3)
    assert [str(day) for day in row["missed"]] == ["周三"]
    assert row["counts"] == {"consultation": 1, "errand": 1}
    assert outpost_week(actor=people["grid_worker_b"]) == []
    last_week = outpost_week(actor=people["community_worker"], week=date(2026, 3, 9))
    assert last_week[0]["total"] == 0 and last_week[0]["scheduled"] == 3


def test_outpost_pages(city, people, client):
    from shequ.core.tests.factories import login

    outpost = _outpost(city, people)
    login(client, people["grid_worker"])
    page = client.get(f"/field/outposts/{outpost.pk}/")
    assert page.status_code == 200 and "纠纷调处" in page.content.decode()
    sent = client.post(
        "/field/sync/outpost/",
        {"outpost": outpost.pk, "client_id": str(uuid.uuid4()), "kind": "errand",
         "description": "代办居住证明", "to_case": "1"},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert sent.status_code == 201 and sent.json()["cases"]
    other = type(client)()
    login(other, people["grid_worker_b"])
    assert other.get(f"/field/outposts/{outpost.pk}/").status_code == 404
    week = client.get("/field/outposts/").content.decode()
    assert "A1a小区" in week
