"""Volunteers factories for tests everywhere: state is built through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequ.core.models import Area, User
from shequ.volunteers.models import Activity, PartyMember, Reward, ServiceRecord, SignUp, Volunteer
from shequ.volunteers.services import (
    activity_create,
    attendance_record,
    party_member_confirm,
    party_member_register,
    record_confirm,
    reward_create,
    signup_create,  # noqa: F401 - re-exported for other apps' tests
    volunteer_register,
)


def make_volunteer(
    community: Area, user: User | None = None, name: str = "周建华", **extra
) -> Volunteer:
    return volunteer_register(actor=None, community=community, name=name, user=user, **extra)


def make_party_member(
    community: Area,
    user: User | None = None,
    name: str = "周建华",
    unit: str = "区住建局",
    confirm=True,
) -> PartyMember:
    volunteer = make_volunteer(community, user, name)
    member = party_member_register(
        actor=None, volunteer=volunteer, work_unit=unit, community=community
    )
    return party_member_confirm(actor=None, member=member) if confirm else member


def make_activity(
    community: Area,
    *,
    starts_in: timedelta = timedelta(hours=-1),
    hours: float = 3,
    capacity: int = 10,
    title: str = "楼道清理志愿活动",
) -> Activity:
    start = timezone.now() + starts_in
    return activity_create(
        actor=None,
        community=community,
        title=title,
        place="3号楼",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
    )


def served(
    volunteer: Volunteer,
    *,
    start,
    hours: float,
    activity: Activity | None = None,
    confirm: bool = True,
) -> ServiceRecord:
    """A volunteer who took part in an activity from ``start`` for ``hours``,
    recorded by the organiser (and confirmed)."""
    if activity is None:
        activity = activity_create(
            actor=None,
            community=volunteer.community,
            title="助老服务",
            place="社区服务站",
            starts_at=start - timedelta(minutes=1),
            ends_at=start + timedelta(hours=min(hours, 23.9)),
            capacity=50,
        )
    # Past activities no longer take sign-ups; the organiser's roster stands in.
    signup, _new = SignUp.objects.get_or_create(
        activity=activity,
        volunteer=volunteer,
        defaults={"status": "confirmed", "area_path": activity.area_path},
    )
    signup = attendance_record(
        actor=None,
        signup=signup,
        checked_in_at=start,
        checked_out_at=start + timedelta(hours=hours),
    )
    record = signup.record
    return record_confirm(actor=None, record=record) if confirm else record


def make_reward(
    community: Area, *, cost: int = 50, stock: int = 5, limit: int = 1, name="保温杯"
) -> Reward:
    return reward_create(
        actor=None,
        community=community,
        name=name,
        points_cost=cost,
        stock=stock,
        per_person_limit=limit,
    )


def ensure_default_star_levels() -> None:
    """The star levels the data migration installs. A browser test's
    transactional database is flushed after each test, which removes rows
    that migrations put there, so tests that need them call this."""
    import importlib

    from shequ.volunteers.models import StarLevel

    defaults = importlib.import_module("shequ.volunteers.migrations.0002_default_star_levels")
    for stars, hours, benefits in defaults.LEVELS:
        StarLevel.objects.get_or_create(
            stars=stars, defaults={"min_hours": hours, "benefits": benefits}
        )
