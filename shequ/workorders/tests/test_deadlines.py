"""The clock with a frozen time: reminders before a deadline, pausing while
waiting for the resident, claim timeouts, overdue on screens and in the
escalation alike, and the self-rescheduling tick."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shequ.core.errors import InvalidInput
from shequ.core.models import Notification
from shequ.workorders.choices import EntryKind, EscalationLevel, State
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import WorkOrder
from shequ.workorders.selectors import overdue
from shequ.workorders.services import (
    run_deadlines,
    workorder_pause,
    workorder_resume,
    workorder_start,
)
from shequ.workorders.tasks import deadline_tick, schedule_next
from shequ.workorders.tests.factories import claimed, dispatched, make_order

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def test_one_reminder_before_each_clock_runs_out(city, people, django_capture_on_commit_callbacks):
    worker = people["grid_worker"]
    with time_machine.travel(START, tick=False):
        order = dispatched(city.units["A1a"], worker, code="fire_risk")  # respond 4 h, resolve 24 h
        order = workorder_start(order=order, actor=worker)  # responded
    with time_machine.travel(START + timedelta(hours=21), tick=False):
        assert run_deadlines()["reminded"] == 0
    with time_machine.travel(START + timedelta(hours=22, minutes=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_deadlines()["reminded"] == 1
        assert run_deadlines()["reminded"] == 0
    reminder = Notification.objects.get(user=worker, kind="reminder")
    assert order.number in reminder.body and "办结时限" in reminder.title


def test_the_clock_pauses_while_waiting_for_the_resident(city, people):
    worker = people["grid_worker"]
    with time_machine.travel(START, tick=False):
        order = dispatched(city.units["A1a"], worker, code="fire_risk")
        order = workorder_start(order=order, actor=worker)
        due = order.resolve_by
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        with pytest.raises(InvalidInput):
            workorder_pause(order=order, actor=worker, reason=" ")
        order = workorder_pause(order=order, actor=worker, reason="居民出差，周五回来")
        with pytest.raises(IllegalTransition):
            workorder_pause(order=order, actor=worker, reason="again")
    with time_machine.travel(START + timedelta(hours=30), tick=False):  # past the old deadline
        order.refresh_from_db()
        assert not order.is_overdue and not overdue().exists()
        assert run_deadlines()["escalated"] == 0
        order = workorder_resume(order=order, actor=worker)
    assert order.resolve_by == due + timedelta(hours=28)
    assert order.paused_at is None and order.paused_seconds == 28 * 3600
    kinds = list(order.timeline.values_list("kind", flat=True))
    assert EntryKind.PAUSED in kinds and EntryKind.RESUMED in kinds
    with time_machine.travel(START + timedelta(hours=31), tick=False):
        order.refresh_from_db()
        assert not order.is_overdue
    with time_machine.travel(START + timedelta(hours=53), tick=False):
        order.refresh_from_db()
        assert order.is_overdue and list(overdue()) == [order]


def test_screens_and_escalation_agree_on_overdue(city, people):
    """Not responded to by the response deadline is overdue for both."""
    with time_machine.travel(START, tick=False):
        order = make_order(city.grids["A1a"], people["grid_worker"], code="fire_risk")
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        order.refresh_from_db()
        assert order.is_overdue and list(overdue()) == [order]
        assert run_deadlines()["escalated"] == 1
    order.refresh_from_db()
    assert order.escalation_level == EscalationLevel.STREET


def test_an_overdue_case_tells_the_street_office(city, people, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        make_order(city.grids["A1a"], people["grid_worker"], code="fire_risk")
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_deadlines()
    assert Notification.objects.filter(user=people["street_staff"], kind="overdue").exists()
    assert not Notification.objects.filter(user=people["street_staff_b"]).exists()


def test_a_claim_not_started_returns_to_the_pool(city, people, django_capture_on_commit_callbacks):
    member = people["party_member"]
    with time_machine.travel(START, tick=False):
        order = claimed(city.units["A1a"], member)
        started = claimed(city.units["A1a"], people["volunteer"])
        workorder_start(order=started, actor=people["volunteer"])
    with time_machine.travel(START + timedelta(hours=23), tick=False):
        assert run_deadlines()["claims_released"] == 0
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_deadlines()["claims_released"] == 1
    order.refresh_from_db()
    assert order.state == State.POOLED and order.handler is None
    assert order.timeline.filter(kind=EntryKind.CLAIM_EXPIRED).exists()
    assert Notification.objects.filter(user=member, kind="reminder").exists()
    assert WorkOrder.objects.get(pk=started.pk).state == State.IN_PROGRESS


def test_the_tick_reschedules_itself_once(city, settings):
    settings.SHEQU_DEADLINE_TICK_SECONDS = 60
    waiting = DBTaskResult.objects.filter(
        task_path=deadline_tick.module_path, status=TaskResultStatus.READY
    )
    assert schedule_next() is True
    assert schedule_next() is False  # never piled up
    out = StringIO()
    call_command("workorders_schedule", stdout=out)
    assert out.getvalue().strip() == "deadline tick already queued"
    assert waiting.count() == 1
    waiting.delete()
    result = deadline_tick.call()  # the worker runs one tick …
    assert set(result) == {"reminded", "claims_released", "whistles_late", "escalated"}
    assert waiting.count() == 1  # … which queued the next
