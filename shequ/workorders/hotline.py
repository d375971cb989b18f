"""12345 hotline tickets into the engine: from a file the hotline centre
exports (.xlsx or .csv, recognised by content and checked like the
registry's import: zip preflight, read-only openpyxl over defusedxml, size,
row and column limits) and from the hotline system's API push. Both are
idempotent on the hotline's own ticket number: a ticket already taken in is
skipped, so importing the same file twice creates nothing new.

Columns (first row, Chinese or English headers): 工单编号/ticket_number,
类别/category (code or name), 区域/area (a Shequ area id, or the exact name
of a community or grid in the importer's scope), 标题/title,
诉求内容/description, 地址/address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import DomainError, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import restrict
from shequ.core.services.audit import audit_record
from shequ.registry.importing import reading
from shequ.workorders.choices import Action, Channel, Kind
from shequ.workorders.models import Category, WorkOrder
from shequ.workorders.services import workorder_create

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TICKETS = 5000
HEADERS = {
    "ticket": {"工单编号", "热线编号", "来电编号", "ticket_number", "ticket"},
    "category": {"类别", "分类", "诉求类别", "category"},
    "area": {"区域", "所属区域", "社区", "网格", "area", "area_id"},
    "title": {"标题", "诉求标题", "title"},
    "description": {"诉求内容", "内容", "描述", "description"},
    "address": {"地址", "事发地址", "address"},
}


@dataclass
class Report:
    """What an import did, row by row: created and skipped ticket numbers, and
    rejected rows with their reason."""

    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # row, ticket, reason


def _header_map(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = str(cell or "").strip().lower()
        for key, names in HEADERS.items():
            if name in {n.lower() for n in names} and key not in found:
                found[key] = index
    missing = [k for k in ("ticket", "category", "area", "description") if k not in found]
    if missing:
        raise InvalidInput(
            _("第一行须为表头，缺少：%(cols)s。") % {"cols": "、".join(missing)},
            field="file",
            code="missing_columns",
        )
    return found


def _cell(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    value = cells[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Lookup:
    """Categories and areas, resolved once per import within the actor's scope."""

    def __init__(self, actor: User):
        self.actor = actor
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.by_name = {c.name: c for c in self.categories.values()}
        self.areas: dict[str, Area | None] = {}

    def category(self, value: str) -> Category:
        found = self.categories.get(value) or self.by_name.get(value)
        if found is None or not found.applies_to(Kind.HOTLINE):
            raise InvalidInput(_("没有这个类别：%(v)s") % {"v": value[:40]}, field="category")
        return found

    def area(self, value: str) -> Area:
        if value not in self.areas:
            scoped = restrict(Area.objects.all(), self.actor, Action.REPORT)
            if value.isdigit() and len(value) < 18:
                rows = scoped.filter(pk=int(value))
            else:
                rows = scoped.filter(
                    Q(name=value), level__in=(Level.COMMUNITY, Level.GRID, Level.ESTATE)
                )
            matches = list(rows[:2])
            self.areas[value] = matches[0] if len(matches) == 1 else None
        area = self.areas[value]
        if area is None:
            raise InvalidInput(
                _("区域“%(v)s”不存在、不唯一或不在您的辖区。") % {"v": value[:40]}, field="area"
            )
        return area


def ticket_ingest(
    *,
    actor: User,
    ticket: str,
    category: str,
    area: str,
    description: str,
    title: str = "",
    address: str = "",
    lookup: _Lookup | None = None,
) -> tuple[WorkOrder, bool]:
    """Take in one hotline ticket; ``(order, created)``. A ticket number
    already taken in returns the first case and creates nothing."""
    ticket = (ticket or "").strip()
    if not ticket or len(ticket) > 40:
        raise InvalidInput(_("热线工单编号须为 1 到 40 个字符。"), field="ticket_number")
    existing = WorkOrder.objects.filter(channel=Channel.HOTLINE, external_ref=ticket).first()
    if existing is not None:
        return existing, False
    lookup = lookup or _Lookup(actor)
    found_category = lookup.category(category.strip())
    found_area = lookup.area(area.strip())
    description = (description or "").strip()
    first_line = description.splitlines()[0].strip() if description else ""
    try:
        with transaction.atomic():
            order = workorder_create(
                actor=actor,
                kind=Kind.HOTLINE,
                category=found_category,
                area=found_area,
                title=(title.strip() or first_line or found_category.name)[:100],
                description=description,
                channel=Channel.HOTLINE,
                address=address,
                external_ref=ticket,
            )
    except IntegrityError:  # the same ticket pushed twice at the same moment
        existing = WorkOrder.objects.filter(channel=Channel.HOTLINE, external_ref=ticket).first()
        if existing is None:
            raise
        return existing, False
    return order, True


@transaction.atomic
def import_file(*, actor: User, upload: IO[bytes], size: int) -> Report:
    """Import every ticket of a file; one bad row is reported, not fatal."""
    if size > MAX_FILE_BYTES:
        raise InvalidInput(
            _("文件超过 %(mb)s MB，请拆分后再导入。") % {"mb": MAX_FILE_BYTES // 2**20},
            field="file",
            code="too_large",
        )
    kind = reading.kind_of(upload)
    rows = reading.iter_rows(upload, kind)
    report = Report()
    lookup = _Lookup(actor)
    columns: dict[str, int] | None = None
    for raw in rows:
        if columns is None:
            columns = _header_map(raw.cells)
            continue
        if not any(str(c or "").strip() for c in raw.cells):
            continue
        if len(report.created) + len(report.skipped) + len(report.rejected) >= MAX_TICKETS:
            raise InvalidInput(
                _("一次最多导入 %(n)s 条，请拆分文件。") % {"n": MAX_TICKETS}, field="file"
            )
        ticket = _cell(raw.cells, columns["ticket"])
        try:
            order, created = ticket_ingest(
                actor=actor,
                ticket=ticket,
                category=_cell(raw.cells, columns["category"]),
                area=_cell(raw.cells, columns["area"]),
                description=_cell(raw.cells, columns["description"]),
                title=_cell(raw.cells, columns.get("title")),
                address=_cell(raw.cells, columns.get("address"))[:200],
                lookup=lookup,
            )
        except DomainError as error:
            report.rejected.append((raw.number, ticket[:40], str(error.message)))
            continue
        (report.created if created else report.skipped).append(order.number)
    if columns is None:
        raise InvalidInput(_("文件中没有数据。"), field="file", code="empty_file")
    audit_record(
        event=AuditEvent.IMPORT,
        object_type="workorders.hotline",
        actor=actor,
        detail={
            "what": "hotline_import",
            "created": len(report.created),
            "skipped": len(report.skipped),
            "rejected": len(report.rejected),
        },
    )
    return report
