"""Hours from service orders (党员领单): credited once to the claimant after the
community's confirmation (closing) or the resident's rating."""

from decimal import Decimal

import pytest

from shequ.volunteers.choices import PointReason, RecordSource
from shequ.volunteers.models import PointEntry, ServiceRecord, Volunteer
from shequ.volunteers.tests.factories import make_volunteer
from shequ.workorders.services import (
    workorder_close,
    workorder_rate,
    workorder_resolve,
    workorder_start,
)
from shequ.workorders.tests.factories import claimed, photo

pytestmark = pytest.mark.django_db


def _resolved(city, claimant, reporter):
    order = claimed(city.units["A1a"], claimant, reporter)
    order = workorder_start(order=order, actor=claimant)
    return workorder_resolve(order=order, actor=claimant, note="已陪同就医。", files=[photo()])


def test_a_closed_service_order_credits_its_claimant_once(city, people):
    member = make_volunteer(city.communities["A1"], people["party_member"])
    order = _resolved(city, people["party_member"], people["resident"])
    assert not ServiceRecord.objects.exists()  # resolving alone does not count
    order = workorder_close(order=order, actor=people["community_worker"])
    order = workorder_rate(order=order, actor=people["resident"], rating=5)
    record = ServiceRecord.objects.get()
    assert (record.source, record.order_id, record.status) == (
        RecordSource.ORDER,
        order.pk,
        "confirmed",
    )
    member.refresh_from_db()
    assert member.hours_total == record.hours
    assert PointEntry.objects.filter(volunteer=member, reason=PointReason.ORDER).count() == 1


def test_a_claimant_without_a_profile_gets_one_in_the_orders_community(city, people):
    order = _resolved(city, people["volunteer"], people["resident"])
    workorder_close(order=order, actor=None)
    volunteer = Volunteer.objects.get(user=people["volunteer"])
    assert volunteer.area_path == city.communities["A1"].path
    assert volunteer.records.count() == 1


def test_order_hours_are_capped(city, people, settings):
    from shequ.volunteers.models import Policy

    Policy.objects.update_or_create(pk=1, defaults={"order_hours_cap": Decimal("0.5")})
    make_volunteer(city.communities["A1"], people["party_member"])
    order = _resolved(city, people["party_member"], people["resident"])
    workorder_close(order=order, actor=None)
    assert ServiceRecord.objects.get().hours <= Decimal("0.5")


def test_crediting_again_changes_nothing(city, people):
    from shequ.volunteers.services.hours import on_transition

    make_volunteer(city.communities["A1"], people["party_member"])
    order = workorder_close(order=_resolved(city, people["party_member"], None), actor=None)
    on_transition(None, order=order, transition="close", before="resolved", actor=None)
    assert ServiceRecord.objects.count() == 1
