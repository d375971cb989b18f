"""The flow features in the demo city: a case the community whistled a
department to (the demo department handler has an acknowledgement pending),
one the department already answered, an overdue case escalated to the
street, a paused case, front-desk visits, a hotline ticket, and the inbox
messages all of this sends. Then the deadline clock is queued for the worker."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from shequ.core.models import Area, User
from shequ.core.notifications import Kind as NoticeKind
from shequ.core.notifications import notify
from shequ.workorders.choices import Channel, DispatchTarget, Kind, TriageClass
from shequ.workorders.models import Category, Department, WorkOrder
from shequ.workorders.models_extra import Visit
from shequ.workorders.services import (
    whistle_acknowledge,
    whistle_report,
    workorder_create,
    workorder_dispatch,
    workorder_escalate_overdue,
    workorder_pause,
    workorder_start,
    workorder_triage,
    workorder_whistle,
)
from shequ.workorders.services.desk import reception_record


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def demo_flow(*, grid: Area, community: Area, unit: Area, departments: list[Department]) -> str:
    community_worker, grid_worker = _user("community"), _user("grid")
    resident, dept = _user("resident"), _user("dept")
    street = _user("street")
    categories = {c.code: c for c in Category.objects.all()}

    def case(code, title, text, *, actor=grid_worker, area=grid, reporter=None, kind=Kind.INCIDENT):
        return workorder_create(
            actor=actor,
            kind=kind,
            category=categories[code],
            area=area,
            title=title,
            description=text,
            channel=Channel.PORTAL if actor == resident else Channel.GRID_REPORT,
            reporter=reporter,
        )

    # A department summoned by a whistle call, its acknowledgement pending.
    whistled = case("parking", "违停堵塞消防通道（吹哨）", "北门消防通道被长期占用，多次劝离无效。")
    whistled = workorder_triage(
        order=whistled, actor=community_worker, triage_class=TriageClass.MAJOR
    )
    whistled = workorder_dispatch(
        order=whistled, actor=community_worker, to=DispatchTarget.GRID, handler=grid_worker
    )
    workorder_whistle(
        order=whistled,
        actor=community_worker,
        departments=departments[:2],
        note="消防通道堵塞，请城管、住建到现场联合处置。",
    )
    # Another one the department already answered: the joint-handling record.
    answered = case("sanitation", "违规倾倒建筑垃圾（已报到）", "绿化带内堆放装修垃圾约三方。")
    answered = workorder_triage(
        order=answered, actor=community_worker, triage_class=TriageClass.MAJOR
    )
    answered = workorder_dispatch(
        order=answered, actor=community_worker, to=DispatchTarget.GRID, handler=grid_worker
    )
    answered = workorder_start(order=answered, actor=grid_worker)
    calls = workorder_whistle(
        order=answered, actor=community_worker, departments=departments[:1], note="请城管报到。"
    )
    if dept is not None:
        whistle_acknowledge(call=calls[0], actor=dept)
        whistle_report(call=calls[0], actor=dept, report="已责令清运，并对倾倒人立案调查。")
    # An overdue case: reported two days ago, never answered; it climbs to the street.
    late = case("fire_risk", "楼道电动车充电（超时）", "3单元一楼楼道有电动车拉线充电。")
    past = timezone.now() - timedelta(hours=30)
    WorkOrder.objects.filter(pk=late.pk).update(
        created_at=past,
        respond_by=past + timedelta(hours=4),
        resolve_by=past + timedelta(hours=24),
        version=F("version") + 1,
    )
    workorder_escalate_overdue()
    # A case waiting for the resident: the clocks are paused.
    waiting = case(
        "repairs",
        "更换楼道灯泡",
        "5楼楼道灯不亮。",
        actor=resident,
        area=unit,
        reporter=resident,
        kind=Kind.SERVICE_ORDER,
    )
    waiting = workorder_triage(
        order=waiting, actor=community_worker, triage_class=TriageClass.MINOR
    )
    waiting = workorder_dispatch(
        order=waiting, actor=community_worker, to=DispatchTarget.GRID, handler=grid_worker
    )
    workorder_start(order=waiting, actor=grid_worker)
    workorder_pause(order=waiting, actor=grid_worker, reason="居民周末回家后再上门。")
    # The front desk: a visit answered on the spot, and one taken in as a case.
    reception_record(
        actor=community_worker,
        area=community,
        visitor="王阿姨",
        subject="咨询高龄津贴申领",
        outcome=Visit.CONSULTED,
        note="已告知所需材料，下周一来办理。",
    )
    reception_record(
        actor=community_worker,
        area=community,
        visitor="李先生",
        subject="小区路灯不亮",
        outcome=Visit.CASE_OPENED,
        case={
            "kind": Kind.INCIDENT,
            "category": categories["property"],
            "title": "小区路灯不亮",
            "description": "主干道两盏路灯不亮，老人夜间出行不便。",
        },
    )
    # A 12345 ticket (the street office takes hotline tickets in).
    from shequ.workorders.hotline import ticket_ingest

    if street is not None:
        ticket_ingest(
            actor=street,
            ticket="12345-DEMO-0001",
            category="noise",
            area=str(grid.pk),
            description="来电反映：夜间广场舞音响过大，影响休息。",
        )
    # A welcome line in every demo persona's inbox (the services' own
    # messages arrive once the demo's transaction commits).
    people = User.objects.filter(
        username__in=["resident", "grid", "community", "street", "dept", "party"]
    )
    notify(
        list(people),
        kind=NoticeKind.ASSIGNED,
        title="欢迎使用社区治理平台",
        body="派单、认领、提醒、超时、吹哨、办结和评价的消息会出现在这里。",
        link="/workorders/",
    )
    _queue_clock()
    return "whistle calls, an escalated case, front-desk visits, inbox messages"


def _queue_clock() -> None:
    from django.db import transaction

    from shequ.workorders.tasks import schedule_next

    transaction.on_commit(lambda: schedule_next(delay=timedelta(seconds=30)))
