"""The front desk (首问接待、一口负责), guidance templates for private matters,
and the catalog (categories, departments) that administrators edit."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, snapshot
from shequ.workorders.choices import Action, Channel
from shequ.workorders.models import (
    Category,
    Department,
    GuidanceTemplate,
    ReceptionLog,
    WorkOrder,
)
from shequ.workorders.models_extra import Visit
from shequ.workorders.services._common import _text
from shequ.workorders.services.intake import workorder_create


@transaction.atomic
def reception_record(
    *,
    actor: User,
    area: Area,
    subject: str,
    outcome: str,
    visitor: str = "",
    note: str = "",
    case: dict[str, Any] | None = None,
) -> ReceptionLog:
    """Record one visitor at the desk of ``area``. With ``case`` (kind,
    category, title, description, address) a case is opened at once, owned
    by the receiving worker until a recorded hand-off."""
    if not can(actor, Action.RECEPTION, area.path):
        raise Forbidden()
    if outcome not in Visit.values:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": outcome}, field="outcome")
    order: WorkOrder | None = None
    if case is not None:
        order = workorder_create(actor=actor, area=area, channel=Channel.FRONT_DESK, **case)
        outcome = Visit.CASE_OPENED
    elif outcome == Visit.CASE_OPENED:
        raise InvalidInput(_("请填写要受理的诉求。"), field="outcome")
    log = ReceptionLog.objects.create(
        area=area,
        area_path=area.path,
        received_by=actor,
        visitor=_text(visitor, field="visitor", limit=30),
        subject=_text(subject, field="subject", limit=200, required=True),
        outcome=outcome,
        note=_text(note, field="note", limit=500),
        order=order,
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=log, changes={"after": snapshot(log)})
    return log


@transaction.atomic
def guidance_save(
    *,
    actor: User,
    template: GuidanceTemplate | None,
    title: str,
    body: str,
    category: Category | None = None,
    is_active: bool = True,
) -> GuidanceTemplate:
    """Create or edit a guidance template (staff holding ``workorders.guidance``)."""
    if not can(actor, Action.GUIDANCE):
        raise Forbidden()
    created = template is None
    template = template or GuidanceTemplate()
    before = {} if created else snapshot(template)
    template.title = _text(title, field="title", limit=60, required=True)
    template.body = _text(body, field="body", limit=2000, required=True)
    template.category = category
    template.is_active = bool(is_active)
    template.save()
    audit_record(
        event=AuditEvent.CREATE if created else AuditEvent.UPDATE,
        actor=actor,
        obj=template,
        changes={"before": before, "after": snapshot(template)},
    )
    return template


@transaction.atomic
def category_save(*, actor: User, category: Category | None, **values: Any) -> Category:
    """Create or edit a category of the catalog (``workorders.configure``)."""
    if not can(actor, Action.CONFIGURE):
        raise Forbidden()
    created = category is None
    category = category or Category()
    before = {} if created else snapshot(category)
    for name, value in values.items():
        setattr(category, name, value)
    if not 1 <= category.response_hours <= category.resolution_hours:
        raise InvalidInput(_("响应时限须至少 1 小时且不超过办结时限。"), field="response_hours")
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError:
        raise InvalidInput(_("该编码已被使用。"), field="code") from None
    audit_record(
        event=AuditEvent.CREATE if created else AuditEvent.UPDATE,
        actor=actor,
        obj=category,
        changes={"before": before, "after": snapshot(category)},
    )
    return category


@transaction.atomic
def department_save(
    *,
    actor: User,
    department: Department | None,
    name: str,
    district: Area,
    handlers: list[User],
    is_active: bool = True,
) -> Department:
    """Create or edit a department of a district in the actor's scope, with
    its handlers (users holding the department handler role there)."""
    if district.level != Level.DISTRICT or not can(actor, Action.CONFIGURE, district.path):
        raise Forbidden()
    created = department is None
    department = department or Department()
    before = {} if created else snapshot(department)
    department.name = _text(name, field="name", limit=60, required=True)
    department.district = district
    department.is_active = bool(is_active)
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError:
        raise InvalidInput(_("本区已有同名部门。"), field="name") from None
    department.handlers.set(handlers)
    audit_record(
        event=AuditEvent.CREATE if created else AuditEvent.UPDATE,
        actor=actor,
        obj=department,
        changes={"before": before, "after": {**snapshot(department), "handlers": len(handlers)}},
    )
    return department
