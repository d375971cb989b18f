"""吹哨报到: the community summons departments; each acknowledges in time or
climbs to the street office; reports make up the joint-handling record."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Notification
from shequ.core.tests.factories import login, make_user
from shequ.workorders.choices import EntryKind
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import WhistleCall
from shequ.workorders.selectors import waiting_for, workorder_get
from shequ.workorders.services import (
    run_deadlines,
    whistle_acknowledge,
    whistle_report,
    workorder_whistle,
)
from shequ.workorders.tests.factories import dispatched, make_department

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture
def department(city, people):
    return make_department(city.district, people["department_handler"])


def whistled(city, people, department, **extra):
    order = dispatched(city.units["A1a"], people["grid_worker"], people["resident"])
    calls = workorder_whistle(
        order=order, actor=people["community_worker"], departments=[department], **extra
    )
    return order, calls[0]


def test_a_summoned_department_acknowledges_and_reports(
    city, people, department, django_capture_on_commit_callbacks
):
    handler = people["department_handler"]
    with django_capture_on_commit_callbacks(execute=True):
        order, call = whistled(city, people, department, note="占道经营，需执法")
    assert Notification.objects.filter(user=handler, kind="whistle").exists()
    # The department handler now sees the case and has it waiting.
    assert workorder_get(actor=handler, pk=order.pk) == order
    assert list(waiting_for(actor=handler)) == [order]
    whistle_acknowledge(call=call, actor=handler)
    with django_capture_on_commit_callbacks(execute=True):
        whistle_report(call=call, actor=handler, report="已联合执法，摊位已清理。")
    call.refresh_from_db()
    assert call.status == "reported" and not call.is_late
    kinds = list(order.timeline.values_list("kind", flat=True))
    assert EntryKind.WHISTLED in kinds and EntryKind.WHISTLE_ACKNOWLEDGED in kinds
    assert EntryKind.WHISTLE_REPORTED in kinds
    assert Notification.objects.filter(user=people["community_worker"], kind="whistle").exists()
    assert list(waiting_for(actor=handler)) == []


def test_only_the_community_whistles_and_only_the_department_answers(city, people, department):
    order = dispatched(city.units["A1a"], people["grid_worker"])
    with pytest.raises(Forbidden):
        workorder_whistle(order=order, actor=people["grid_worker"], departments=[department])
    _, call = whistled(city, people, department)
    other = make_user("department_handler", city.district)
    with pytest.raises(Forbidden):
        whistle_acknowledge(call=call, actor=other)
    with pytest.raises(Forbidden):
        whistle_report(call=call, actor=people["community_worker"], report="x")


def test_bad_whistles_change_nothing(city, people, department):
    order, _ = whistled(city, people, department)
    count = WhistleCall.objects.count()
    community = people["community_worker"]
    with pytest.raises(InvalidInput):  # already summoned and not done
        workorder_whistle(order=order, actor=community, departments=[department])
    with pytest.raises(InvalidInput):
        workorder_whistle(order=order, actor=community, departments=[])
    with pytest.raises(InvalidInput):
        workorder_whistle(order=order, actor=community, departments=[department], hours=0)
    assert WhistleCall.objects.count() == count
    call = WhistleCall.objects.get()
    with pytest.raises(InvalidInput):
        whistle_report(call=call, actor=people["department_handler"], report="  ")
    whistle_acknowledge(call=call, actor=people["department_handler"])
    with pytest.raises(IllegalTransition):
        whistle_acknowledge(call=call, actor=people["department_handler"])


def test_a_late_acknowledgement_climbs_to_the_street(
    city, people, department, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        order, call = whistled(city, people, department, hours=2)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert run_deadlines()["whistles_late"] == 0
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_deadlines()["whistles_late"] == 1
        assert run_deadlines()["whistles_late"] == 0  # once
        whistle_acknowledge(call=call, actor=people["department_handler"])
    call.refresh_from_db()
    assert call.escalated_at is not None and call.is_late
    assert Notification.objects.filter(user=people["street_staff"], kind="whistle").exists()
    assert not Notification.objects.filter(user=people["street_staff_b"]).exists()
    assert order.timeline.filter(kind=EntryKind.WHISTLE_LATE, public=False).count() == 1


def test_whistle_from_the_case_page_and_answer_from_the_queue(client, city, people, department):
    order = dispatched(city.units["A1a"], people["grid_worker"])
    login(client, people["community_worker"])
    page = client.get(reverse("workorders:order_detail", args=[order.pk]))
    assert department in page.context["whistle_departments"]
    response = client.post(
        reverse("workorders:order_whistle", args=[order.pk]),
        {"departments": [department.pk], "hours": "2", "note": "请城管报到"},
    )
    assert response.status_code == 302
    call = WhistleCall.objects.get()
    client.logout()
    login(client, people["department_handler"])
    queue = client.get(reverse("workorders:waiting"))
    assert queue.status_code == 200 and order.number in queue.content.decode()
    client.post(reverse("workorders:whistle_answer", args=[call.pk, "acknowledge"]))
    client.post(
        reverse("workorders:whistle_answer", args=[call.pk, "report"]), {"report": "已处置"}
    )
    call.refresh_from_db()
    assert call.status == "reported"
    page = client.get(reverse("workorders:order_detail", args=[order.pk]))
    assert "已处置" in page.content.decode()


def test_another_grids_worker_cannot_whistle_or_answer(client, city, people, department):
    order, call = whistled(city, people, department)
    login(client, people["grid_worker_b"])
    assert client.post(reverse("workorders:order_whistle", args=[order.pk])).status_code == 404
    response = client.post(reverse("workorders:whistle_answer", args=[call.pk, "acknowledge"]))
    assert response.status_code == 404
    call.refresh_from_db()
    assert call.acknowledged_at is None
