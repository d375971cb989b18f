"""The demo step: the demo party member one step from a star, an activity
happening today for the QR journey, rewards, and a community that sees who
has not met this month's duty."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from shequ.core.models import User
from shequ.volunteers.models import Activity, Reward, Volunteer
from shequ.volunteers.selectors import duty_report, public_activities, star_for

pytestmark = pytest.mark.django_db


def test_the_demo_city_is_ready_for_the_volunteer_journey(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_city", "--size", "small", "--residents", "30", stdout=out)
    assert (
        len([line for line in out.getvalue().splitlines() if line.startswith("volunteers:")]) == 1
    )
    party = Volunteer.objects.get(user__username="party")
    assert party.party_member.status == "confirmed"
    assert Decimal("95") <= party.hours_total < Decimal("100")
    assert star_for(party.hours_total).stars == 0
    now = timezone.now()
    today = [a for a in public_activities(volunteer=party) if a.starts_at <= now <= a.ends_at]
    assert today, "an activity is under way for the QR journey"
    assert Reward.objects.filter(area_path=party.area_path, stock__gt=0).exists()
    assert Activity.objects.filter(area_path=party.area_path).count() > 30
    report = duty_report(actor=User.objects.get(username="community"), month=timezone.localdate())
    assert party in [row.member.volunteer for row in report["missing"]]
