"""Work instructions (工作指令): sent down by a community or street to the grid
workers of its grids, acknowledged, completed with a report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.scoping import can, path_filter
from shequ.core.services.audit import audit_record
from shequ.field.choices import Action
from shequ.field.models import AssignmentState, Instruction, InstructionAssignment
from shequ.field.services._common import text

MAX_CHECKLIST = 20


def _checklist(items: Any) -> list[str]:
    if isinstance(items, str):
        items = items.splitlines()
    cleaned = [text(item, field="checklist", limit=100) for item in items or []]
    cleaned = [item for item in cleaned if item]
    if len(cleaned) > MAX_CHECKLIST:
        raise InvalidInput(_("清单最多 %(n)s 项。") % {"n": MAX_CHECKLIST}, field="checklist")
    return cleaned


@transaction.atomic
def instruction_send(
    *,
    actor: User,
    area: Area,
    title: str,
    deadline: datetime,
    body: str = "",
    checklist: Any = None,
    recipients: list[int] | None = None,
) -> Instruction:
    """Send an instruction to the grid workers under ``area`` (a street, a
    community or one grid): all of them, or the ``recipients`` named (who
    must work there), with a deadline in the future."""
    if not can(actor, Action.INSTRUCT, area.path):
        raise Forbidden()
    if area.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        raise InvalidInput(_("指令只能发往街道、社区或网格。"), field="area")
    if deadline is None or deadline <= timezone.now():
        raise InvalidInput(_("完成时限须晚于现在。"), field="deadline")
    chosen = {int(pk) for pk in recipients or []}
    # To an area: its grid workers. To chosen people: grid workers or building
    # team members (楼长、信息员、保障员) of the area.
    roles = (Role.GRID_WORKER, Role.BUILDING_TEAM) if chosen else (Role.GRID_WORKER,)
    rows = RoleAssignment.objects.filter(
        path_filter([area.path], "area_path"), role__in=roles, user__is_active=True
    )
    if chosen:
        rows = rows.filter(user_id__in=chosen)
    recipients = list(rows.order_by("user_id", "area_path").values_list("user_id", "area_path"))
    if chosen and {user_id for user_id, _path in recipients} != chosen:
        raise InvalidInput(_("所选的人不都是该区域的网格员或楼长、信息员。"), field="recipients")
    if not recipients:
        raise InvalidInput(_("该区域下没有网格员，指令无人接收。"), field="area")
    instruction = Instruction.objects.create(
        issuer=actor,
        area=area,
        title=text(title, field="title", limit=100, required=True),
        body=text(body, field="body", limit=2000),
        checklist=_checklist(checklist),
        deadline=deadline,
        area_path=area.path,
    )
    seen: set[int] = set()
    for user_id, path in recipients:
        if user_id in seen:
            continue
        seen.add(user_id)
        InstructionAssignment.objects.create(
            instruction=instruction, recipient_id=user_id, area_path=path
        )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=instruction,
        detail={"recipients": len(seen)},
    )
    return instruction


def _mine(actor: User, assignment: InstructionAssignment) -> InstructionAssignment:
    assignment = (
        InstructionAssignment.objects.select_for_update()
        .select_related("instruction")
        .get(pk=assignment.pk)
    )
    if assignment.recipient_id != actor.pk:
        raise Forbidden()
    return assignment


@transaction.atomic
def assignment_acknowledge(*, actor: User, assignment: InstructionAssignment):
    """The recipient confirms receipt (签收). Again: nothing changes."""
    assignment = _mine(actor, assignment)
    if assignment.state != AssignmentState.SENT:
        return assignment
    assignment.state = AssignmentState.ACKNOWLEDGED
    assignment.acknowledged_at = timezone.now()
    assignment.save(update_fields=["state", "acknowledged_at"])
    audit_record(
        event=AuditEvent.UPDATE, actor=actor, obj=assignment, detail={"transition": "acknowledge"}
    )
    return assignment


@transaction.atomic
def assignment_complete(
    *, actor: User, assignment: InstructionAssignment, report: str, checked: Any = None
):
    """The recipient reports the instruction done. The same report sent again
    (an offline retry) changes nothing; a different one after completion is a
    conflict."""
    assignment = _mine(actor, assignment)
    report = text(report, field="report", limit=2000, required=True)
    items = [item for item in (checked or []) if item in assignment.instruction.checklist]
    if assignment.state == AssignmentState.DONE:
        if assignment.report == report:
            return assignment
        raise Conflict(_("该指令已完成上报，不能再修改。"), code="already_done")
    now = timezone.now()
    assignment.acknowledged_at = assignment.acknowledged_at or now
    assignment.state = AssignmentState.DONE
    assignment.completed_at = now
    assignment.report = report
    assignment.checked = items
    assignment.save(update_fields=["state", "acknowledged_at", "completed_at", "report", "checked"])
    audit_record(
        event=AuditEvent.UPDATE, actor=actor, obj=assignment, detail={"transition": "complete"}
    )
    return assignment
