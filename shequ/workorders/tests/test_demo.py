"""The demo step: a few dozen cases in the demo community, in every state,
with pooled service orders the demo party member can claim."""

import io

import pytest
from django.core.management import call_command

from shequ.core.models import User
from shequ.workorders.choices import State
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.selectors import workorder_pool
from shequ.workorders.services import workorder_claim

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_work_orders_in_every_stage(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_city", "--size", "small", "--residents", "30", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("workorders:")]
    assert len(lines) == 1
    assert WorkOrder.objects.count() >= 24
    states = set(WorkOrder.objects.values_list("state", flat=True))
    assert {
        State.REPORTED,
        State.TRIAGED,
        State.DISPATCHED,
        State.POOLED,
        State.CLAIMED,
        State.IN_PROGRESS,
        State.RESOLVED,
        State.CLOSED,
    } <= states
    assert TimelineEntry.objects.count() > WorkOrder.objects.count() * 2
    assert WorkOrder.objects.filter(rating__isnull=False).exists()
    party = User.objects.get(username="party")
    claimable = list(workorder_pool(actor=party))
    assert claimable
    assert workorder_claim(order=claimable[0], actor=party).state == State.CLAIMED
