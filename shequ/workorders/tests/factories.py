"""Work-order factories for tests everywhere: state is built through the services."""

from __future__ import annotations

from shequ.core.models import Area, User
from shequ.workorders.choices import Channel, DispatchTarget, Kind, TriageClass
from shequ.workorders.models import Category, Department, WorkOrder
from shequ.workorders.services import (
    workorder_claim,
    workorder_close,
    workorder_create,
    workorder_dispatch,
    workorder_resolve,
    workorder_start,
    workorder_triage,
)


def ensure_default_categories() -> None:
    """Transactional tests flush the tables, and the default catalog with them
    (it comes from migration 0002); put it back."""
    import importlib

    from django.apps import apps

    importlib.import_module("shequ.workorders.migrations.0002_default_categories").add_defaults(
        apps, None
    )
    importlib.import_module("shequ.workorders.migrations.0003_attachments").mark_on_site(apps, None)


def photo(name: str = "现场.jpg", size: tuple[int, int] = (32, 24)):
    """A small JPEG upload generated on the spot (closing on-site work needs one)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def category(code: str = "sanitation") -> Category:
    return Category.objects.get(code=code)


def make_order(
    area: Area,
    reporter: User | None = None,
    *,
    kind: str = Kind.INCIDENT,
    code: str | None = None,
    **extra,
) -> WorkOrder:
    """A case reported in ``area`` by ``reporter`` (the system when None)."""
    code = code or ("elderly_help" if kind == Kind.SERVICE_ORDER else "sanitation")
    channel = extra.pop(
        "channel",
        Channel.GRID_REPORT if reporter is None or reporter.kind == "staff" else Channel.PORTAL,
    )
    return workorder_create(
        actor=reporter,
        kind=kind,
        category=category(code),
        area=area,
        title=extra.pop("title", "垃圾桶满溢"),
        description=extra.pop("description", "3号楼东侧垃圾桶已满两天。"),
        channel=channel,
        **extra,
    )


def dispatched(area: Area, handler: User, reporter: User | None = None, **extra) -> WorkOrder:
    order = make_order(area, reporter, **extra)
    order = workorder_triage(order=order, actor=None, triage_class=TriageClass.MINOR)
    return workorder_dispatch(order=order, actor=None, to=DispatchTarget.GRID, handler=handler)


def pooled(area: Area, reporter: User | None = None, **extra) -> WorkOrder:
    order = make_order(area, reporter, kind=Kind.SERVICE_ORDER, **extra)
    order = workorder_triage(order=order, actor=None, triage_class=TriageClass.MINOR)
    return workorder_dispatch(order=order, actor=None, to=DispatchTarget.POOL)


def claimed(area: Area, claimant: User, reporter: User | None = None) -> WorkOrder:
    return workorder_claim(order=pooled(area, reporter), actor=claimant)


def closed(area: Area, handler: User, reporter: User) -> WorkOrder:
    order = dispatched(area, handler, reporter)
    order = workorder_start(order=order, actor=handler)
    order = workorder_resolve(order=order, actor=handler, note="已清运。", files=[photo()])
    return workorder_close(order=order, actor=None)


def make_department(
    district: Area, *handlers: User, name: str = "城市管理综合执法局"
) -> Department:
    department = Department.objects.create(district=district, name=name)
    department.handlers.add(*handlers)
    return department
