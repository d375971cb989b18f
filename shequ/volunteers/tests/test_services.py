"""The rules of issue 5, through the services: sign-up and waiting list, QR
check-in and check-out, hours confirmation without double counting, the
24-hour day, corrections, hours from service orders, stars, points and
redemptions, party members' registration."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import make_user
from shequ.volunteers.choices import PointReason, RecordStatus, RedemptionStatus, SignUpStatus
from shequ.volunteers.models import PointEntry, Reward, ServiceRecord, SignUp, Volunteer
from shequ.volunteers.selectors import star_for
from shequ.volunteers.services import (
    activity_create,
    checkin_scan,
    checkin_token,
    party_member_register,
    record_confirm,
    record_correct,
    redemption_cancel,
    redemption_create,
    redemption_hand_over,
    signup_cancel,
    signup_create,
)
from shequ.volunteers.services.activities import CHECKIN_SALT
from shequ.volunteers.tests.factories import (
    make_activity,
    make_reward,
    make_volunteer,
    served,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(city, people):
    return make_volunteer(city.communities["A1"], people["party_member"])


def _person(city, name):
    user = make_user("volunteer", city.communities["A1"])
    return make_volunteer(city.communities["A1"], user, name)


# --- sign-up -------------------------------------------------------------------


def test_signup_fills_places_then_the_waiting_list_and_a_cancel_promotes(city, member):
    activity = make_activity(city.communities["A1"], capacity=1)
    first = signup_create(actor=member.user, activity=activity, volunteer=member)
    other = _person(city, "吴晓燕")
    second = signup_create(actor=other.user, activity=activity, volunteer=other)
    assert (first.status, second.status) == (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)

    signup_cancel(actor=member.user, signup=first)
    second.refresh_from_db()
    assert second.status == SignUpStatus.CONFIRMED


def test_signing_up_twice_is_refused_and_writes_nothing(city, member):
    activity = make_activity(city.communities["A1"])
    signup_create(actor=member.user, activity=activity, volunteer=member)
    with pytest.raises(Conflict, match="重复报名"):
        signup_create(actor=member.user, activity=activity, volunteer=member)
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_an_activity_of_another_community_cannot_be_joined(city, member):
    elsewhere = make_activity(city.communities["A2"])
    with pytest.raises(InvalidInput):
        signup_create(actor=member.user, activity=elsewhere, volunteer=member)


def test_nobody_signs_up_someone_else(city, member, people):
    activity = make_activity(city.communities["A1"])
    with pytest.raises(Forbidden):
        signup_create(actor=people["volunteer"], activity=activity, volunteer=member)


def test_an_activity_must_end_after_it_starts_and_last_at_most_a_day(city):
    now = timezone.now()
    for ends in (now, now + timedelta(hours=25)):
        with pytest.raises(InvalidInput):
            activity_create(
                actor=None,
                community=city.communities["A1"],
                title="x",
                place="y",
                starts_at=now,
                ends_at=ends,
                capacity=3,
            )


# --- QR check-in / check-out ------------------------------------------------------


def _signed_up(city, member):
    activity = make_activity(city.communities["A1"])
    signup_create(actor=member.user, activity=activity, volunteer=member)
    return activity


def test_check_in_and_out_by_qr_leaves_a_pending_record(city, member):
    activity = _signed_up(city, member)
    checkin_scan(actor=member.user, token=checkin_token(activity=activity, direction="in"))
    signup = checkin_scan(
        actor=member.user, token=checkin_token(activity=activity, direction="out")
    )
    assert signup.checked_in_at and signup.checked_out_at
    assert signup.record.status == RecordStatus.PENDING


def test_check_out_before_check_in_is_refused(city, member):
    activity = _signed_up(city, member)
    with pytest.raises(InvalidInput, match="请先签到"):
        checkin_scan(actor=member.user, token=checkin_token(activity=activity, direction="out"))
    assert not ServiceRecord.objects.exists()


def test_a_forged_qr_code_is_refused(city, member):
    activity = _signed_up(city, member)
    forged = signing.TimestampSigner(salt="another-salt").sign(f"{activity.pk}:in")
    for token in (
        forged,
        f"{activity.pk}:in",
        "",
        checkin_token(activity=activity, direction="in") + "x",
    ):
        with pytest.raises(InvalidInput, match="二维码无效"):
            checkin_scan(actor=member.user, token=token)
    assert SignUp.objects.get(activity=activity).checked_in_at is None


def test_an_expired_qr_code_is_refused(city, member, settings):
    activity = _signed_up(city, member)
    signer = signing.TimestampSigner(salt=CHECKIN_SALT)
    old = signer.sign(f"{activity.pk}:in")
    settings.VOLUNTEERS_QR_MAX_AGE = -1
    with pytest.raises(InvalidInput, match="已过期"):
        checkin_scan(actor=member.user, token=old)


def test_someone_on_the_waiting_list_cannot_check_in(city, member):
    activity = make_activity(city.communities["A1"], capacity=1)
    other = _person(city, "吴晓燕")
    signup_create(actor=other.user, activity=activity, volunteer=other)
    signup_create(actor=member.user, activity=activity, volunteer=member)
    with pytest.raises(InvalidInput, match="候补"):
        checkin_scan(actor=member.user, token=checkin_token(activity=activity, direction="in"))


# --- hours ---------------------------------------------------------------------------


def test_confirmed_hours_count_once_even_when_spans_overlap(city, member):
    start = timezone.now() - timedelta(days=2)
    served(member, start=start, hours=3)
    second = served(member, start=start + timedelta(hours=2), hours=2)  # 1 h overlaps
    assert second.hours == Decimal("1.00")
    member.refresh_from_db()
    assert member.hours_total == Decimal("4.00")


def test_a_day_never_holds_more_than_24_hours(city, member):
    day = timezone.localtime(timezone.now() - timedelta(days=3)).replace(hour=0, minute=0)
    served(member, start=day, hours=23.5)
    record = served(member, start=day + timedelta(hours=23, minutes=30), hours=0.4, confirm=False)
    # Make the day overfull by correcting the first record upward.
    first = ServiceRecord.objects.filter(status="confirmed").get()
    with pytest.raises(InvalidInput, match="24"):
        record_correct(actor=None, record=first, hours=Decimal("24.5"), reason="补录")
    record_confirm(actor=None, record=record)
    with pytest.raises(InvalidInput, match="24"):
        record_correct(actor=None, record=first, hours=Decimal("23.9"), reason="补录")


def test_a_correction_needs_a_reason_and_is_audited(city, member, people):
    record = served(member, start=timezone.now() - timedelta(days=1), hours=2)
    worker = people["community_worker"]
    with pytest.raises(InvalidInput):
        record_correct(actor=worker, record=record, hours=Decimal("3"), reason=" ")
    record_correct(actor=worker, record=record, hours=Decimal("3"), reason="签退漏扫，按实际补足")
    member.refresh_from_db()
    assert member.hours_total == Decimal("3.00")
    line = AuditEntry.objects.filter(object_type="volunteers.servicerecord").latest("id")
    assert line.detail["reason"] == "签退漏扫，按实际补足"
    assert PointEntry.objects.filter(reason=PointReason.CORRECTION, delta=10).exists()


def test_a_community_worker_of_another_community_cannot_confirm_or_correct(city, member, people):
    record = served(member, start=timezone.now() - timedelta(days=1), hours=2, confirm=False)
    stranger = make_user("community_worker", city.communities["A2"])
    with pytest.raises(Forbidden):
        record_confirm(actor=stranger, record=record)
    record_confirm(actor=people["community_worker"], record=record)
    with pytest.raises(Forbidden):
        record_correct(actor=stranger, record=record, hours=Decimal("1"), reason="x")


def test_confirmed_hours_earn_points_per_hour_and_per_activity(city, member):
    served(member, start=timezone.now() - timedelta(days=1), hours=2)
    member.refresh_from_db()
    assert member.points == 2 * 10 + 5
    assert [e.balance for e in PointEntry.objects.filter(volunteer=member).order_by("id")] == [
        20,
        25,
    ]


# --- stars ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "stars"), [(0, 0), (99, 0), (100, 1), (299.5, 1), (300, 2), (1000, 4), (2000, 5)]
)
def test_stars_follow_the_national_thresholds(db, hours, stars):
    assert star_for(Decimal(str(hours))).stars == stars


def test_star_thresholds_are_data(db):
    from shequ.volunteers.models import StarLevel

    StarLevel.objects.filter(stars=1).update(min_hours=50, benefits="免费乘公交")
    star = star_for(Decimal("60"))
    assert (star.stars, star.benefits, star.next_hours) == (1, "免费乘公交", 300)


# --- points and redemptions ---------------------------------------------------------------


def _rich(member, points=100):
    Volunteer.objects.filter(pk=member.pk).update(points=points)
    member.refresh_from_db()
    return member


def test_redeeming_takes_points_and_stock_and_staff_hand_it_over(city, member, people):
    reward = make_reward(city.communities["A1"], cost=60, stock=2)
    _rich(member)
    redemption = redemption_create(actor=member.user, reward=reward, volunteer=member)
    member.refresh_from_db()
    reward.refresh_from_db()
    assert (member.points, reward.stock) == (40, 1)
    assert PointEntry.objects.get(redemption=redemption).delta == -60
    redemption_hand_over(actor=people["community_worker"], redemption=redemption)
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.HANDED_OVER


def test_redeeming_more_points_than_held_is_refused(city, member):
    reward = make_reward(city.communities["A1"], cost=60)
    _rich(member, 59)
    with pytest.raises(InvalidInput, match="积分不足"):
        redemption_create(actor=member.user, reward=reward, volunteer=member)
    reward.refresh_from_db()
    assert reward.stock == 5 and not reward.redemptions.exists()


def test_an_out_of_stock_reward_is_refused(city, member):
    reward = make_reward(city.communities["A1"], cost=10, stock=0)
    _rich(member)
    with pytest.raises(Conflict, match="兑完"):
        redemption_create(actor=member.user, reward=reward, volunteer=member)
    member.refresh_from_db()
    assert member.points == 100


def test_the_per_person_limit_holds_and_a_cancel_returns_everything(city, member):
    reward = make_reward(city.communities["A1"], cost=10, stock=5, limit=1)
    _rich(member)
    first = redemption_create(actor=member.user, reward=reward, volunteer=member)
    with pytest.raises(Conflict, match="上限"):
        redemption_create(actor=member.user, reward=reward, volunteer=member)
    redemption_cancel(actor=member.user, redemption=first)
    member.refresh_from_db()
    assert member.points == 100 and Reward.objects.get(pk=reward.pk).stock == 5
    redemption_create(actor=member.user, reward=reward, volunteer=member)


def test_a_balance_can_never_go_negative_even_by_correction(city, member):
    record = served(member, start=timezone.now() - timedelta(days=1), hours=2)
    reward = make_reward(city.communities["A1"], cost=25)
    redemption_create(actor=member.user, reward=reward, volunteer=member)
    with pytest.raises(Conflict):
        record_correct(actor=None, record=record, hours=Decimal("0"), reason="误录")
    member.refresh_from_db()
    assert member.points == 0


# --- party members -----------------------------------------------------------------------


def test_party_members_register_only_to_a_community_of_the_installation(city, people):
    volunteer = make_volunteer(city.communities["A1"], people["party_member"])
    for wrong in (None, city.grids["A1a"], city.streets["A"]):
        with pytest.raises(InvalidInput, match="本平台内的社区"):
            party_member_register(
                actor=people["party_member"],
                volunteer=volunteer,
                work_unit="区住建局",
                community=wrong,
            )
    member = party_member_register(
        actor=people["party_member"],
        volunteer=volunteer,
        work_unit="区住建局",
        community=city.communities["A1"],
    )
    assert member.status == "pending"


def test_a_cancelled_activity_takes_no_sign_ups_or_check_ins(city, member, people):
    from shequ.volunteers.services import activity_cancel

    activity = _signed_up(city, member)
    stranger = make_user("community_worker", city.communities["A2"])
    with pytest.raises(Forbidden):
        activity_cancel(actor=stranger, activity=activity)
    activity_cancel(actor=people["community_worker"], activity=activity)
    with pytest.raises(Conflict):
        checkin_scan(actor=member.user, token=checkin_token(activity=activity, direction="in"))
    other = _person(city, "吴晓燕")
    with pytest.raises(Conflict):
        signup_create(actor=other.user, activity=activity, volunteer=other)
