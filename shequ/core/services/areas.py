"""Changes to the area tree. Every path below a moved or re-coded node is
rewritten in the same transaction, in every table that carries area paths."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from shequ.core import registry
from shequ.core.choices import ALLOWED_CHILDREN, AuditEvent, Level
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.roles import Action
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, diff, snapshot

ADMIN_CODE = re.compile(r"^\d{6}$")
LOCAL_CODE = re.compile(r"^[0-9A-Za-z-]{1,20}$")
AUDITED_FIELDS = ("name", "code", "level", "parent_id", "path")


def _check_code(*, level: str, code: str, parent: Area | None) -> str:
    code = (code or "").strip()
    if level in (Level.CITY, Level.DISTRICT):
        if not ADMIN_CODE.match(code):
            raise InvalidInput(_("市、区县编码须为 6 位 GB/T 2260 行政区划代码。"), field="code")
        if level == Level.DISTRICT and parent is not None and code[:4] != parent.code[:4]:
            raise InvalidInput(
                _("区县编码 %(code)s 不属于 %(city)s（应以 %(prefix)s 开头）。")
                % {"code": code, "city": parent.name, "prefix": parent.code[:4]},
                field="code",
            )
    elif not LOCAL_CODE.match(code):
        raise InvalidInput(_("编码只能包含字母、数字和连字符，最长 20 位。"), field="code")
    return code


def _check_placement(*, level: str, parent: Area | None) -> None:
    if parent is None:
        if level != Level.CITY:
            raise InvalidInput(_("只有“市”可以作为最顶层区域。"), field="parent")
        return
    if level not in ALLOWED_CHILDREN[parent.level]:
        raise InvalidInput(
            _("%(child)s不能放在%(parent)s“%(name)s”下面。")
            % {
                "child": Level(level).label,
                "parent": Level(parent.level).label,
                "name": parent.name,
            },
            field="parent",
        )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写名称。"), field="name")
    if len(name) > 100:
        raise InvalidInput(_("名称最长 100 个字。"), field="name")
    return name


def _require_change(actor: User | None, parent: Area | None, node: Area | None = None) -> None:
    """Changing a node needs the change right on its parent (or, for a city, on itself)."""
    if actor is None:  # management commands and the demo generator
        return
    target = parent.path if parent is not None else (node.path if node else None)
    if target is None or not can(actor, Action.AREA_CHANGE, target):
        raise Forbidden()


def _unique_violation(exc: IntegrityError) -> InvalidInput:
    return InvalidInput(_("同一上级区域下已有相同编码的区域。"), field="code")


@transaction.atomic
def area_create(
    *, actor: User | None, parent: Area | None, level: str, code: str, name: str
) -> Area:
    """Add a node under ``parent`` at the level the tree allows there."""
    if level not in Level.values:
        raise InvalidInput(_("未知的区域层级。"), field="level")
    _check_placement(level=level, parent=parent)
    _require_change(actor, parent)
    code = _check_code(level=level, code=code, parent=parent)
    name = _check_name(name)
    path = f"{parent.path}{PATH_SEPARATOR}{code}" if parent else code
    if Area.objects.filter(path=path).exists():
        raise _unique_violation(IntegrityError())
    area = Area(
        parent=parent,
        level=level,
        code=code,
        name=name,
        path=path,
        depth=parent.depth + 1 if parent else 0,
    )
    try:
        with transaction.atomic():
            area.save()
    except IntegrityError as exc:
        raise _unique_violation(exc) from exc
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=area,
        changes={"after": snapshot(area, AUDITED_FIELDS)},
    )
    return area


def _rewrite_paths(*, old: str, new: str, depth_delta: int) -> None:
    """Replace the prefix ``old`` by ``new`` in every table that carries area paths."""
    cut = len(old) + 1
    below = Q(path__startswith=old + PATH_SEPARATOR) | Q(path=old)
    Area.objects.filter(below).update(
        path=Concat(Value(new), Substr("path", cut)), depth=F("depth") + depth_delta
    )
    for model, field in registry.path_carriers:
        model.objects.filter(
            Q(**{field: old}) | Q(**{f"{field}__startswith": old + PATH_SEPARATOR})
        ).update(**{field: Concat(Value(new), Substr(field, cut))})


@transaction.atomic
def area_update(
    *, actor: User | None, area: Area, name: str | None = None, code: str | None = None
) -> Area:
    """Rename a node or change its code; a new code rewrites every path below."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_change(actor, area.parent, area)
    before = snapshot(area, AUDITED_FIELDS)
    if name is not None:
        area.name = _check_name(name)
    if code is not None and code.strip() != area.code:
        area.code = _check_code(level=area.level, code=code, parent=area.parent)
        new_path = f"{area.parent.path}{PATH_SEPARATOR}{area.code}" if area.parent else area.code
        if Area.objects.filter(path=new_path).exists():
            raise _unique_violation(IntegrityError())
        _rewrite_paths(old=area.path, new=new_path, depth_delta=0)
        area.path = new_path
    Area.objects.filter(pk=area.pk).update(name=area.name, code=area.code)
    area.refresh_from_db()
    changes = diff(before, snapshot(area, AUDITED_FIELDS))
    if changes["after"]:
        audit_record(event=AuditEvent.UPDATE, actor=actor, obj=area, changes=changes)
    return area


@transaction.atomic
def area_move(*, actor: User | None, area: Area, new_parent: Area) -> Area:
    """Move a node (and everything below it) under another parent."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    new_parent = Area.objects.get(pk=new_parent.pk)
    if new_parent.pk == area.pk or new_parent.is_within(area.path):
        raise InvalidInput(_("不能把区域移动到它自己或它的下级区域下面。"), field="parent")
    _check_placement(level=area.level, parent=new_parent)
    _require_change(actor, area.parent, area)
    _require_change(actor, new_parent)
    if area.level == Level.DISTRICT:
        _check_code(level=area.level, code=area.code, parent=new_parent)
    if area.parent_id == new_parent.pk:
        return area
    new_path = f"{new_parent.path}{PATH_SEPARATOR}{area.code}"
    if Area.objects.filter(path=new_path).exists():
        raise Conflict(_("目标区域下已有相同编码的区域，请先修改编码。"), field="parent")
    before = snapshot(area, AUDITED_FIELDS)
    _rewrite_paths(old=area.path, new=new_path, depth_delta=new_parent.depth + 1 - area.depth)
    Area.objects.filter(pk=area.pk).update(parent=new_parent)
    area.refresh_from_db()
    audit_record(
        event=AuditEvent.MOVE,
        actor=actor,
        obj=area,
        changes=diff(before, snapshot(area, AUDITED_FIELDS)),
    )
    return area
