"""Deadlines and escalation with a frozen clock: overdue cases climb
community → street → district, once per level, with a timeline entry."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from shequ.workorders.choices import EntryKind, EscalationLevel
from shequ.workorders.models import TimelineEntry
from shequ.workorders.selectors import overdue
from shequ.workorders.services import workorder_close, workorder_escalate_overdue, workorder_triage
from shequ.workorders.tasks import escalate_overdue_workorders
from shequ.workorders.tests.factories import category, make_order

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def test_deadlines_come_from_the_category(city, people):
    with time_machine.travel(START, tick=False):
        order = make_order(city.grids["A1a"], people["grid_worker"], code="fire_risk")
    assert order.respond_by == START + timedelta(hours=category("fire_risk").response_hours)
    assert order.resolve_by == START + timedelta(hours=category("fire_risk").resolution_hours)
    assert order.number == "GD-20261122-0001"  # the day in Asia/Shanghai


def test_overdue_cases_climb_to_the_street_then_the_district(city, people):
    with time_machine.travel(START, tick=False):
        late = make_order(city.grids["A1a"], people["grid_worker"], code="fire_risk")  # 4 h / 24 h
        calm = make_order(
            city.grids["A1a"], people["grid_worker"], code="neighbour"
        )  # 24 h / 168 h
        calm = workorder_triage(order=calm, actor=None, triage_class="private")
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        assert workorder_escalate_overdue() == 0
        assert not overdue().exists()
    with time_machine.travel(START + timedelta(hours=5), tick=False):  # no response within 4 hours
        assert list(overdue()) == [late]
        assert list(overdue(actor=people["grid_worker"])) == [late]
        assert not overdue(actor=people["grid_worker_b"]).exists()
        assert escalate_overdue_workorders.call() == 1
        assert workorder_escalate_overdue() == 0  # once per level
    late.refresh_from_db()
    assert late.escalation_level == EscalationLevel.STREET
    with time_machine.travel(
        START + timedelta(hours=49), tick=False
    ):  # late by a further full period
        assert workorder_escalate_overdue() == 1
        workorder_close(order=calm, actor=None, note="已指导居民自行协商。")
    late.refresh_from_db()
    assert late.escalation_level == EscalationLevel.DISTRICT
    entries = TimelineEntry.objects.filter(order=late, kind=EntryKind.ESCALATED)
    assert [e.data["level"] for e in entries] == [1, 2]
    assert not entries.filter(public=True).exists()
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert workorder_escalate_overdue() == 0  # a closed case never climbs


def test_the_command_runs_the_same_escalation(city, people):
    with time_machine.travel(START, tick=False):
        make_order(city.grids["A1a"], people["grid_worker"], code="fire_risk")
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        out = StringIO()
        call_command("workorders_escalate", stdout=out)
    assert out.getvalue().strip() == "escalated 1"
