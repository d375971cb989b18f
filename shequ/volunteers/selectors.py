"""Every read of the volunteers app that depends on who asks. Staff lists
start from ``restrict`` (the community's rows, or the street's); a volunteer
reads their own rows and the public activities of their community."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shequ.core.choices import Level
from shequ.core.models import Area, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.scoping import get_scoped_or_404, restrict
from shequ.volunteers.choices import (
    Action,
    PartyMemberStatus,
    RecordStatus,
    RedemptionStatus,
    SignUpStatus,
)
from shequ.volunteers.models import (
    Activity,
    BuildingTeamMember,
    CharityResource,
    Group,
    Organization,
    PartyMember,
    Policy,
    Redemption,
    Reward,
    ServiceRecord,
    SocialWorker,
    StarLevel,
    Volunteer,
)

# --- stars -------------------------------------------------------------------


def star_levels() -> list[StarLevel]:
    return list(StarLevel.objects.order_by("stars"))


@dataclass
class Star:
    stars: int
    benefits: str
    next_stars: int | None
    next_hours: int | None
    to_next: Decimal | None


def star_for(hours: Decimal, levels: list[StarLevel] | None = None) -> Star:
    """The star level cumulative confirmed hours reach, and what is left to the next."""
    levels = levels if levels is not None else star_levels()
    reached = [lv for lv in levels if hours >= lv.min_hours]
    current = reached[-1] if reached else None
    ahead = [lv for lv in levels if hours < lv.min_hours]
    nxt = ahead[0] if ahead else None
    return Star(
        stars=current.stars if current else 0,
        benefits=current.benefits if current else "",
        next_stars=nxt.stars if nxt else None,
        next_hours=nxt.min_hours if nxt else None,
        to_next=(Decimal(nxt.min_hours) - hours) if nxt else None,
    )


def mask_name(name: str) -> str:
    """周建华 → 周**: enough for a partner to match a card with its holder."""
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


# --- months ------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def parse_month(value: str | None) -> date:
    """ "2026-11" → 2026-11-01; anything else → this month."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


# --- roster ------------------------------------------------------------------


def volunteer_list(
    *,
    actor: User,
    query: str = "",
    skill: str = "",
    emergency: bool = False,
    availability: str = "",
    community: Area | None = None,
    party_only: bool = False,
    include_inactive: bool = False,
) -> QuerySet[Volunteer]:
    """The mobilizable forces database: searchable by skill, area and
    availability. Volunteers who stopped serving only with ``include_inactive``."""
    rows = restrict(Volunteer.objects.select_related("community"), actor, Action.VIEW)
    if not include_inactive:
        rows = rows.filter(is_active=True)
    if community is not None:
        rows = rows.filter(area_path=community.path)
    if query:
        rows = rows.filter(name__icontains=query)
    if skill:
        rows = rows.filter(skills__icontains=skill)
    if availability:
        rows = rows.filter(availability__icontains=availability)
    if emergency:
        rows = rows.filter(emergency_ready=True)
    if party_only:
        rows = rows.filter(party_member__isnull=False)
    return rows.select_related("party_member__work_unit")


def volunteer_get(*, actor: User, pk: int) -> Volunteer:
    return get_scoped_or_404(Volunteer.objects.all(), actor, Action.VIEW, pk=pk)


def communities_for(actor: User, action: str = Action.MANAGE) -> QuerySet[Area]:
    return restrict(Area.objects.filter(level=Level.COMMUNITY), actor, action, "path")


def party_member_list(*, actor: User, status: str | None = None) -> QuerySet[PartyMember]:
    rows = restrict(
        PartyMember.objects.select_related("volunteer", "work_unit", "community"),
        actor,
        Action.VIEW,
    )
    return rows.filter(status=status) if status else rows


# --- activities --------------------------------------------------------------


def activity_list(*, actor: User, upcoming: bool = False) -> QuerySet[Activity]:
    rows = restrict(Activity.objects.select_related("community"), actor, Action.VIEW)
    if upcoming:
        rows = rows.filter(ends_at__gte=timezone.now())
    return rows.annotate(
        taken=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
        waiting=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)),
    ).order_by("-starts_at", "-id")


def activity_get(*, actor: User, pk: int, action: str = Action.VIEW) -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("community"), actor, action, pk=pk)


def _open_paths(volunteer: Volunteer) -> list[str]:
    parts = volunteer.area_path.split(PATH_SEPARATOR)
    return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


def public_activities(*, volunteer: Volunteer) -> QuerySet[Activity]:
    """Activities a volunteer may join: those of their community (or above it),
    not cancelled, not over."""
    return (
        Activity.objects.filter(area_path__in=_open_paths(volunteer), cancelled=False)
        .filter(ends_at__gte=timezone.now())
        .annotate(taken=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)))
        .order_by("starts_at", "id")
    )


def public_activity_get(*, volunteer: Volunteer, pk: int) -> Activity:
    from django.http import Http404

    activity = Activity.objects.filter(
        pk=pk, area_path__in=_open_paths(volunteer), cancelled=False
    ).first()
    if activity is None:
        raise Http404
    return activity


def record_list(
    *, actor: User, status: str | None = None, month: date | None = None
) -> QuerySet[ServiceRecord]:
    rows = restrict(
        ServiceRecord.objects.select_related("volunteer", "activity"), actor, Action.VIEW
    )
    if status:
        rows = rows.filter(status=status)
    if month:
        first, last = month_bounds(month)
        rows = rows.filter(service_date__range=(first, last))
    return rows


# --- my page -----------------------------------------------------------------


@dataclass
class Duty:
    services: int = 0  # qualifying services this month (each ≥ the minimum hours)
    hours: Decimal = Decimal("0")
    needed: int = 1
    min_hours: Decimal = Decimal("2")
    met: bool = False
    days_left: int = 0


def duty_of(member: PartyMember, month: date, policy: Policy | None = None) -> Duty:
    return duty_table([member], month, policy)[member.volunteer_id]


def duty_table(
    members: list[PartyMember], month: date, policy: Policy | None = None
) -> dict[int, Duty]:
    """Per volunteer id: this month's qualifying services and hours, against the policy."""
    policy = policy or Policy.current()
    first, last = month_bounds(month)
    ids = [m.volunteer_id for m in members]
    rows = (
        ServiceRecord.objects.filter(
            volunteer_id__in=ids,
            status=RecordStatus.CONFIRMED,
            service_date__range=(first, last),
        )
        .values("volunteer_id")
        .annotate(
            total_hours=Sum("hours"),
            services=Count("id", filter=Q(hours__gte=policy.duty_hours)),
        )
    )
    found = {row["volunteer_id"]: row for row in rows}
    today = timezone.localdate()
    days_left = max(0, (last - today).days) if first <= today <= last else 0
    table = {}
    for vid in ids:
        row = found.get(vid, {})
        services = row.get("services", 0)
        table[vid] = Duty(
            services=services,
            hours=row.get("total_hours") or Decimal("0"),
            needed=policy.duty_services,
            min_hours=policy.duty_hours,
            met=services >= policy.duty_services,
            days_left=days_left,
        )
    return table


@dataclass
class MyPage:
    volunteer: Volunteer
    star: Star
    duty: Duty | None
    upcoming: list = field(default_factory=list)
    signups: dict = field(default_factory=dict)
    rewards: list = field(default_factory=list)
    redemptions: list = field(default_factory=list)
    records: list = field(default_factory=list)
    entries: list = field(default_factory=list)


def my_page(*, volunteer: Volunteer) -> MyPage:
    member = PartyMember.objects.filter(volunteer=volunteer).first()
    duty = (
        duty_of(member, timezone.localdate())
        if member and member.status == PartyMemberStatus.CONFIRMED
        else None
    )
    upcoming = list(public_activities(volunteer=volunteer)[:10])
    signups = {
        s.activity_id: s
        for s in volunteer.signups.filter(activity__in=[a.pk for a in upcoming]).exclude(
            status=SignUpStatus.CANCELLED
        )
    }
    return MyPage(
        volunteer=volunteer,
        star=star_for(volunteer.hours_total),
        duty=duty,
        upcoming=upcoming,
        signups=signups,
        rewards=list(
            Reward.objects.filter(area_path=volunteer.area_path, is_active=True, stock__gt=0)
        ),
        redemptions=list(volunteer.redemptions.select_related("reward")[:10]),
        records=list(volunteer.records.all()[:10]),
        entries=list(volunteer.point_entries.all()[:10]),
    )


# --- duty, board, forces -----------------------------------------------------


@dataclass
class DutyRow:
    member: PartyMember
    duty: Duty


@dataclass
class UnitRow:
    name: str
    members: int = 0
    met: int = 0
    hours: Decimal = Decimal("0")

    @property
    def per_capita(self) -> Decimal:
        return (
            (self.hours / self.members).quantize(Decimal("0.1")) if self.members else Decimal("0")
        )


def duty_report(*, actor: User, month: date, community: Area | None = None) -> dict:
    """This month's duty for every confirmed party member the actor oversees:
    per member, per work unit and per community, with the per-capita hours."""
    members = party_member_list(actor=actor, status=PartyMemberStatus.CONFIRMED)
    if community is not None:
        members = members.filter(area_path=community.path)
    members = list(members.order_by("work_unit__name", "volunteer__name"))
    table = duty_table(members, month)
    rows = [DutyRow(m, table[m.volunteer_id]) for m in members]
    units: dict[str, UnitRow] = {}
    communities: dict[str, UnitRow] = {}
    for row in rows:
        for key, bucket in (
            (row.member.work_unit.name, units),
            (row.member.community.name, communities),
        ):
            agg = bucket.setdefault(key, UnitRow(key))
            agg.members += 1
            agg.met += int(row.duty.met)
            agg.hours += row.duty.hours
    total = UnitRow("", members=len(rows), met=sum(r.duty.met for r in rows))
    total.hours = sum((r.duty.hours for r in rows), Decimal("0"))
    return {
        "rows": rows,
        "missing": [r for r in rows if not r.duty.met],
        "units": sorted(units.values(), key=lambda u: u.name),
        "communities": sorted(communities.values(), key=lambda u: u.name),
        "total": total,
    }


def duty_reminders(*, today: date | None = None) -> list[PartyMember]:
    """Who to remind: confirmed party members who have not met this month's
    duty, once the month is within ``Policy.remind_days`` of its end (a
    scheduler calls this; ``manage.py volunteer_duty_reminders`` prints it)."""
    today = today or timezone.localdate()
    policy = Policy.current()
    _first, last = month_bounds(today)
    if (last - today).days >= policy.remind_days:
        return []
    members = list(
        PartyMember.objects.filter(status=PartyMemberStatus.CONFIRMED).select_related(
            "volunteer", "work_unit", "community"
        )
    )
    table = duty_table(members, today, policy)
    return [m for m in members if not table[m.volunteer_id].met]


@dataclass
class BoardRow:
    rank: int
    name: str
    hours: Decimal
    stars: int


def hours_board(*, community: Area, month: date, limit: int = 50) -> list[BoardRow]:
    """时长晾晒: a community's volunteers ranked by this month's confirmed hours;
    those who chose so appear anonymously."""
    first, last = month_bounds(month)
    rows = (
        ServiceRecord.objects.filter(
            area_path=community.path,
            status=RecordStatus.CONFIRMED,
            service_date__range=(first, last),
        )
        .values(
            "volunteer_id",
            "volunteer__name",
            "volunteer__board_anonymous",
            "volunteer__hours_total",
        )
        .annotate(total=Sum("hours"))
        .filter(total__gt=0)
        .order_by("-total", "volunteer_id")[:limit]
    )
    levels = star_levels()
    from django.utils.translation import gettext as _

    return [
        BoardRow(
            rank=i,
            name=_("匿名志愿者") if row["volunteer__board_anonymous"] else row["volunteer__name"],
            hours=row["total"],
            stars=star_for(row["volunteer__hours_total"], levels).stars,
        )
        for i, row in enumerate(rows, start=1)
    ]


def five_forces(*, community: Area, year: int) -> dict:
    """五社联动 for a community: its social organisations, social workers,
    volunteers, party members and charity resources, and what each brought this year."""
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = start.replace(year=year + 1)
    path = community.path
    records = ServiceRecord.objects.filter(
        area_path=path, status=RecordStatus.CONFIRMED, service_date__year=year
    )
    volunteer_hours = records.aggregate(h=Sum("hours"), n=Count("id"))
    party_hours = records.filter(volunteer__party_member__isnull=False).aggregate(
        h=Sum("hours"), n=Count("id"), orders=Count("id", filter=Q(order_id__isnull=False))
    )
    orgs = Organization.objects.filter(area_path=path).annotate(
        n=Count(
            "activities", filter=Q(activities__starts_at__gte=start, activities__starts_at__lt=end)
        )
    )
    activities = Activity.objects.filter(area_path=path, starts_at__gte=start, starts_at__lt=end)
    resources = CharityResource.objects.filter(area_path=path, received_on__year=year)
    return {
        "organizations": list(orgs),
        "social_workers": list(
            SocialWorker.objects.filter(area_path=path).select_related("organization")
        ),
        "volunteers": Volunteer.objects.filter(area_path=path, is_active=True).count(),
        "emergency_ready": Volunteer.objects.filter(
            area_path=path, emergency_ready=True, is_active=True
        ).count(),
        "groups": list(
            Group.objects.filter(area_path=path, is_active=True)
            .select_related("leader")
            .annotate(n=Count("members"))
        ),
        "party_members": PartyMember.objects.filter(
            area_path=path, status=PartyMemberStatus.CONFIRMED
        ).count(),
        "activities": activities.count(),
        "volunteer_hours": volunteer_hours["h"] or Decimal("0"),
        "volunteer_records": volunteer_hours["n"],
        "party_hours": party_hours["h"] or Decimal("0"),
        "party_orders": party_hours["orders"],
        "orders": records.filter(order_id__isnull=False).count(),
        "resources": list(resources),
        "posts": list(
            BuildingTeamMember.objects.filter(
                area_path__startswith=path + PATH_SEPARATOR, ended_at__isnull=True
            )
            .select_related("volunteer", "area")
            .order_by("area_path", "post")
        ),
        "funds": resources.aggregate(total=Sum("amount"))["total"] or Decimal("0"),
    }


def redemption_list(*, actor: User, status: str | None = None) -> QuerySet[Redemption]:
    rows = restrict(Redemption.objects.select_related("reward", "volunteer"), actor, Action.VIEW)
    return rows.filter(status=status) if status else rows


def reward_list(*, actor: User) -> QuerySet[Reward]:
    return restrict(Reward.objects.select_related("community"), actor, Action.VIEW)


def pending_redemptions(*, actor: User) -> QuerySet[Redemption]:
    return redemption_list(actor=actor, status=RedemptionStatus.PENDING)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
