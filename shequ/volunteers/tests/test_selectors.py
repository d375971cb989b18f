"""Monthly duty, reminders, the public hours board, the five forces and the
scoping of staff lists."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.tests.factories import make_user
from shequ.volunteers.selectors import (
    activity_list,
    duty_reminders,
    duty_report,
    five_forces,
    hours_board,
    record_list,
    volunteer_list,
)
from shequ.volunteers.services import charity_resource_add, organization_create
from shequ.volunteers.tests.factories import (
    make_activity,
    make_party_member,
    make_volunteer,
    served,
)

pytestmark = pytest.mark.django_db


def _this_month_start():
    now = timezone.localtime()
    start = now.replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    return start if start < now - timedelta(hours=3) else now - timedelta(hours=3)


def test_duty_is_met_by_one_service_of_two_hours_this_month(city, people):
    done = make_party_member(city.communities["A1"], name="周建华", unit="区住建局")
    short = make_party_member(city.communities["A1"], name="王强", unit="区住建局")
    none = make_party_member(city.communities["A1"], name="李梅", unit="区财政局")
    start = _this_month_start()
    served(done.volunteer, start=start, hours=2)
    served(short.volunteer, start=start, hours=1.5)
    report = duty_report(actor=people["community_worker"], month=timezone.localdate())
    met = {row.member.volunteer.name: row.duty.met for row in report["rows"]}
    assert met == {"周建华": True, "王强": False, "李梅": False}
    assert {r.member.volunteer.name for r in report["missing"]} == {"王强", "李梅"}
    units = {u.name: (u.members, u.met) for u in report["units"]}
    assert units == {"区住建局": (2, 1), "区财政局": (1, 0)}
    assert report["total"].per_capita == Decimal("1.2")  # 3.5 h / 3 members
    assert none.volunteer.records.count() == 0


def test_duty_rules_are_configurable(city, people):
    from shequ.volunteers.models import Policy

    Policy.objects.update_or_create(pk=1, defaults={"duty_hours": Decimal("1")})
    member = make_party_member(city.communities["A1"])
    served(member.volunteer, start=_this_month_start(), hours=1.5)
    report = duty_report(actor=people["community_worker"], month=timezone.localdate())
    assert report["missing"] == []


def test_reminders_name_who_has_not_served_near_the_month_end(city):
    lazy = make_party_member(city.communities["A1"], name="王强")
    assert duty_reminders(today=date(2026, 11, 2)) == []  # too early in the month
    assert duty_reminders(today=date(2026, 11, 27)) == [lazy]


def test_a_member_with_an_account_is_reminded_in_the_inbox_once_a_month(city):
    from django.core.management import call_command

    from shequ.core.models import Notification
    from shequ.core.roles import Role
    from shequ.volunteers.services.reminders import duty_reminders_send

    user = make_user(Role.PARTY_MEMBER, city.communities["A1"], username="party_wq")
    make_party_member(city.communities["A1"], user, name="王强")
    make_party_member(city.communities["A1"], name="李梅")  # no account: no inbox
    assert duty_reminders_send(today=date(2026, 11, 2)) == []  # too early
    (sent,) = duty_reminders_send(today=date(2026, 11, 27))
    assert sent.volunteer.user == user
    (message,) = Notification.objects.filter(user=user)
    assert "双报到" in message.title and "4 天" in message.body
    # The daily run the next day does not remind again this month.
    call_command("volunteer_duty_reminders", "--date", "2026-11-28", stdout=io.StringIO())
    assert Notification.objects.filter(user=user).count() == 1


def test_another_communitys_worker_sees_none_of_a1s_party_members(city):
    make_party_member(city.communities["A1"])
    stranger = make_user("community_worker", city.communities["A2"])
    assert duty_report(actor=stranger, month=timezone.localdate())["rows"] == []


def test_the_board_ranks_this_months_hours_and_respects_anonymity(city):
    a1 = city.communities["A1"]
    shy = make_volunteer(a1, name="吴晓燕", board_anonymous=True)
    proud = make_volunteer(a1, name="周建华")
    start = _this_month_start()
    served(shy, start=start, hours=2.5)
    served(proud, start=start, hours=1)
    board = hours_board(community=a1, month=timezone.localdate())
    assert [(row.rank, row.name, row.hours) for row in board] == [
        (1, "匿名志愿者", Decimal("2.50")),
        (2, "周建华", Decimal("1.00")),
    ]
    assert hours_board(community=city.communities["A2"], month=timezone.localdate()) == []


def test_five_forces_count_this_years_contributions(city):
    a1 = city.communities["A1"]
    organization_create(actor=None, community=a1, name="夕阳红助老服务中心", status="registered")
    charity_resource_add(
        actor=None, community=a1, name="爱心基金", kind="fund", amount=Decimal("5000")
    )
    member = make_party_member(a1)
    served(member.volunteer, start=timezone.now() - timedelta(hours=5), hours=2)
    forces = five_forces(community=a1, year=timezone.localdate().year)
    assert forces["funds"] == Decimal("5000")
    assert forces["party_members"] == 1 and forces["party_hours"] == Decimal("2.00")
    assert len(forces["organizations"]) == 1


def test_staff_lists_stay_in_their_community(city, people):
    make_volunteer(city.communities["A1"], name="周建华")
    record = served(
        make_volunteer(city.communities["A1"], name="吴晓燕"),
        start=timezone.now() - timedelta(days=1),
        hours=1,
    )
    make_activity(city.communities["A1"])
    stranger = make_user("community_worker", city.communities["A2"])
    assert volunteer_list(actor=people["community_worker"]).count() == 2
    assert volunteer_list(actor=stranger).count() == 0
    assert activity_list(actor=stranger).count() == 0
    assert record_list(actor=stranger).count() == 0
    assert list(record_list(actor=people["street_staff"])) == [record]
    assert volunteer_list(actor=people["volunteer"]).count() == 0


def test_the_forces_database_searches_by_skill_and_readiness(city, people):
    a1 = city.communities["A1"]
    make_volunteer(a1, name="周建华", skills="电工,维修", emergency_ready=True)
    make_volunteer(a1, name="吴晓燕", skills="医护", availability="周末")
    actor = people["community_worker"]
    assert [v.name for v in volunteer_list(actor=actor, skill="电工")] == ["周建华"]
    assert [v.name for v in volunteer_list(actor=actor, emergency=True)] == ["周建华"]
    assert [v.name for v in volunteer_list(actor=actor, availability="周末")] == ["吴晓燕"]
