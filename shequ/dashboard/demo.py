"""The statistics step of the demo city.

The work-order step makes a few dozen cases today in one community; on their
own they would give a one-line ranking and a mean resolution time of
minutes. So this step first adds the city's recent history: a few hundred
cases received over the past 90 days in every community, mostly closed
(most in time, some late) and rated by their reporters, written in bulk with
the invariants the services keep (number, area path, clocks from the
category, a "created" and a "closed" timeline line). Then it computes the
counters from all cases, as ``manage.py dashboard_rebuild`` does.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequ.core.choices import Level
from shequ.core.models import Area
from shequ.dashboard.services import rebuild
from shequ.workorders.choices import Channel, EntryKind, Kind, State
from shequ.workorders.models import Category, TimelineEntry, WorkOrder

DAYS = 90
CHANNELS = {Kind.INCIDENT: Channel.GRID_REPORT, Kind.SERVICE_ORDER: Channel.PORTAL}
TITLES = {
    "sanitation": "垃圾清运不及时",
    "parking": "车辆占用消防通道",
    "property": "楼道灯损坏",
    "fire_risk": "楼道电动车充电",
    "noise": "夜间施工噪音",
    "neighbour": "邻里漏水纠纷",
    "road": "井盖破损",
    "market": "占道经营",
    "elderly_help": "独居老人需要陪同就医",
    "errands": "代买药品",
    "repairs": "更换水龙头",
    "consultation": "咨询低保申请",
    "other": "其他诉求",
}


def _plan(rng, age_days: float) -> tuple[str, float | None]:
    """The state a case received ``age_days`` ago has reached, and its hours to resolve."""
    if age_days > 7:
        state = rng.choices((State.CLOSED, State.RESOLVED, State.IN_PROGRESS), weights=(90, 5, 5))[
            0
        ]
    else:
        state = rng.choice(
            (State.CLOSED, State.RESOLVED, State.IN_PROGRESS, State.DISPATCHED, State.TRIAGED)
        )
    if state in (State.CLOSED, State.RESOLVED):
        return state, min(rng.expovariate(1 / 30), age_days * 24 - 0.5)
    return state, None


def add_history(*, city: Area, count: int, rng) -> int:
    communities = list(
        Area.objects.filter(path__startswith=city.path + ".", level=Level.COMMUNITY).order_by(
            "path"
        )
    )
    if not communities:
        return 0
    places = {
        c.pk: list(
            Area.objects.filter(path__startswith=c.path + ".", level=Level.GRID).order_by("path")
        )
        or [c]
        for c in communities
    }
    categories = [c for c in Category.objects.filter(is_active=True) if c.code in TITLES]
    # Some communities busier and quicker than others, so the ranking means something.
    pace = {c.pk: rng.uniform(0.6, 1.6) for c in communities}
    weight = [rng.uniform(0.5, 2.0) for _ in communities]
    now = timezone.now()
    orders, sequence = [], {}
    for age in sorted((rng.uniform(1, DAYS) for _ in range(count)), reverse=True):
        created = now - timedelta(days=age)
        community = rng.choices(communities, weights=weight)[0]
        area = rng.choice(places[community.pk])
        category = rng.choice(categories)
        kind = Kind.SERVICE_ORDER if category.applies_to(Kind.SERVICE_ORDER) else Kind.INCIDENT
        if category.applies_to(Kind.HOTLINE) and rng.random() < 0.2:
            kind = Kind.HOTLINE
        state, hours = _plan(rng, age)
        if hours is not None:
            hours *= pace[community.pk]
        resolved = created + timedelta(hours=max(hours, 0.3)) if hours is not None else None
        day = timezone.localtime(created).strftime("%Y%m%d")
        sequence[day] = sequence.get(day, 5000) + 1
        rating = None
        if state == State.CLOSED and rng.random() < 0.7:
            rating = rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 10, 35, 50))[0]
        orders.append(
            WorkOrder(
                number=f"GD-{day}-{sequence[day]:04d}",
                kind=kind,
                category=category,
                title=TITLES[category.code],
                description=f"{TITLES[category.code]}，请社区协调处理。",
                area=area,
                area_path=area.path,
                channel=CHANNELS.get(kind, Channel.HOTLINE),
                triage_class=category.default_triage,
                state=state,
                respond_by=created + timedelta(hours=category.response_hours),
                resolve_by=created + timedelta(hours=category.resolution_hours),
                responded_at=created + timedelta(hours=rng.uniform(0.2, 4)),
                resolved_at=resolved,
                closed_at=resolved + timedelta(hours=2) if state == State.CLOSED else None,
                rating=rating,
                created_at=created,
            )
        )
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    entries = []
    for order in orders:
        entries.append(
            TimelineEntry(order=order, kind=EntryKind.CREATED, at=order.created_at, data={})
        )
        entries.append(
            TimelineEntry(
                order=order,
                kind=EntryKind.TRIAGED,
                at=order.responded_at,
                data={"triage_class": order.triage_class},
            )
        )
        if order.resolved_at:
            entries.append(
                TimelineEntry(
                    order=order,
                    kind=EntryKind.RESOLVED,
                    at=order.resolved_at,
                    note="已处理完毕。",
                    data={},
                )
            )
        if order.closed_at:
            entries.append(
                TimelineEntry(order=order, kind=EntryKind.CLOSED, at=order.closed_at, data={})
            )
    TimelineEntry.objects.bulk_create(entries, batch_size=500)
    return len(orders)


def demo_dashboard(*, city, residents, rng, stdout) -> None:
    added = add_history(city=city, count=max(100, residents // 5), rng=rng)
    rows = rebuild()
    stdout.write(f"dashboard: {added} past cases over {DAYS} days, {rows} counter rows")
