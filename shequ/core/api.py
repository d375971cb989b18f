"""Core's REST routes: who am I, tokens, the area tree, the audit log."""

import inspect

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate
from pydantic import create_model

from shequ.core.errors import InvalidInput
from shequ.core.middleware import needs_otp
from shequ.core.models import ApiToken
from shequ.core.roles import Action
from shequ.core.schemas import (
    AreaCountsOut,
    AreaCreateIn,
    AreaMoveIn,
    AreaOut,
    AreaPatchIn,
    AuditEntryOut,
    ErrorOut,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from shequ.core.scoping import can
from shequ.core.selectors import (
    area_children_by_level,
    area_counts,
    area_get,
    area_list,
    audit_list,
)
from shequ.core.services.areas import area_create, area_move, area_update
from shequ.core.services.tokens import token_create, token_revoke
from shequ.core.views.base import deny

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class PagePagination(PaginationBase):
    """Page-number pagination with a capped page size."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100000)
        page_size: int = Field(50, ge=1, le=settings.API_MAX_PAGE_SIZE)

    class Output(Schema):
        count: int
        page: int
        page_size: int
        items: list

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        start = (pagination.page - 1) * pagination.page_size
        return {
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
            "items": list(queryset[start : start + pagination.page_size]),
        }


class RowPagination(PagePagination):
    """Page-number pagination for long lists whose rows are built in Python.

    ninja validates each object of a page through its ``Schema``: a wrapper
    object per row and an attribute lookup per field, which for 50 work
    orders of 30 fields cost more than the queries (docs/performance.md).
    Here the page's objects become plain dicts through the schema's own
    resolvers (``schema_row``) and are checked against a plain pydantic copy
    of the schema (``row_model``): the same fields and JSON, no wrappers.
    Use with ``response=list[row_model(TheOut)]`` and
    ``@paginate(RowPagination, schema=TheOut)``.
    """

    def __init__(self, *, schema, **kwargs):
        super().__init__(**kwargs)
        self.schema = schema

    def paginate_queryset(self, queryset, pagination, **params):
        page = super().paginate_queryset(queryset, pagination, **params)
        context = {"request": params["request"]}
        page["items"] = [schema_row(self.schema, obj, context) for obj in page["items"]]
        return page


_RESOLVERS: dict[type, list] = {}


def _resolvers(schema) -> list:
    found = _RESOLVERS.get(schema)
    if found is None:
        found = []
        for name, field in schema.model_fields.items():
            if field.alias and field.alias != name:
                raise TypeError(f"{schema.__name__}.{name}: aliases are not supported here")
            resolver = getattr(schema, f"resolve_{name}", None)
            wants_context = (
                resolver is not None and "context" in inspect.signature(resolver).parameters
            )
            found.append((name, resolver, wants_context))
        _RESOLVERS[schema] = found
    return found


def schema_row(schema, obj, context: dict) -> dict:
    """``obj`` as the dict ``schema`` describes: each field from its
    ``resolve_<name>`` static method when the schema has one, else the
    object's attribute of that name."""
    row = {}
    for name, resolver, wants_context in _resolvers(schema):
        if resolver is None:
            row[name] = getattr(obj, name)
        elif wants_context:
            row[name] = resolver(obj, context)
        else:
            row[name] = resolver(obj)
    return row


_ROW_MODELS: dict[type, type] = {}


def row_model(schema):
    """A plain pydantic model with ``schema``'s fields (for ``RowPagination``)."""
    model = _ROW_MODELS.get(schema)
    if model is None:
        fields = {name: (f.annotation, f) for name, f in schema.model_fields.items()}
        model = create_model(f"{schema.__name__.removesuffix('Out')}Row", **fields)
        model.__doc__ = schema.__doc__
        _ROW_MODELS[schema] = model
    return model


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


@router.get("me", response={200: MeOut, **ERRORS}, summary="当前用户与角色", tags=["auth"])
def me(request):
    user = request.user
    user.roles_list = list(user.roles.select_related("area"))
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        kind=user.kind,
        roles=user.roles_list,
    )


@router.post(
    "auth/tokens",
    auth=None,
    response={201: TokenCreatedOut, **ERRORS},
    summary="用账户密码换取访问令牌",
    tags=["auth"],
)
def token_issue(request, payload: TokenIn):
    """Exchange credentials (and a TOTP code for accounts that need one) for a
    personal token. Failures count towards the same lockout as the web login."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            from shequ.core.auth.views import lockout_response

            return lockout_response(request)
        return 401, {
            "error": {
                "code": "invalid_credentials",
                "message": _("用户名/手机号或密码不正确。"),
                "fields": {},
            }
        }
    if user.must_change_password or user.password_expired():
        return 403, {
            "error": {
                "code": "password_change_required",
                "message": _("请先登录网页修改初始密码。"),
                "fields": {},
            }
        }
    if needs_otp(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None or not payload.otp or not device.verify_token(payload.otp):
            return 403, {
                "error": {
                    "code": "otp_required",
                    "message": _("此账户须提供正确的动态口令。"),
                    "fields": {"otp": [_("动态口令不正确。")]},
                }
            }
    token, plain = token_create(user=user, name=payload.name, days=payload.days)
    return 201, TokenCreatedOut(token=plain, **TokenOut.from_orm(token).dict())


@router.get(
    "auth/tokens", response={200: list[TokenOut], **ERRORS}, summary="我的访问令牌", tags=["auth"]
)
def token_list(request):
    return list(ApiToken.objects.filter(user=request.user))


@router.delete(
    "auth/tokens/{token_id}",
    response={200: TokenOut, **ERRORS},
    summary="吊销访问令牌",
    tags=["auth"],
)
def token_delete(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404
    return token_revoke(actor=request.user, token=token)


class AreaFilters(Schema):
    parent_id: int | None = None
    level: str | None = Field(None, max_length=16)
    q: str = Field("", max_length=50)


@router.get(
    "areas",
    response={200: list[AreaOut], **ERRORS},
    summary="区域列表（仅本人辖区）",
    tags=["areas"],
)
@paginate(PagePagination)
def areas(request, filters: Query[AreaFilters]):
    _require(request, Action.AREA_VIEW)
    parent = area_get(actor=request.user, pk=filters.parent_id) if filters.parent_id else None
    return area_list(actor=request.user, parent=parent, level=filters.level, query=filters.q)


@router.get(
    "areas/{area_id}", response={200: AreaOut, **ERRORS}, summary="区域详情", tags=["areas"]
)
def area_detail(request, area_id: int):
    return area_get(actor=request.user, pk=area_id)


@router.get(
    "areas/{area_id}/counts",
    response={200: AreaCountsOut, **ERRORS},
    summary="区域统计",
    tags=["areas"],
)
def area_counts_view(request, area_id: int):
    area = area_get(actor=request.user, pk=area_id)
    return {
        "id": area.pk,
        "counts": area_counts(areas=[area])[area.pk],
        "below_by_level": area_children_by_level(area=area),
    }


@router.post("areas", response={201: AreaOut, **ERRORS}, summary="新增区域", tags=["areas"])
def area_new(request, payload: AreaCreateIn):
    _require(request, Action.AREA_CHANGE)
    parent = area_get(actor=request.user, pk=payload.parent_id)
    return 201, area_create(
        actor=request.user, parent=parent, level=payload.level, code=payload.code, name=payload.name
    )


@router.patch(
    "areas/{area_id}",
    response={200: AreaOut, **ERRORS},
    summary="修改区域名称或编码",
    tags=["areas"],
)
def area_patch(request, area_id: int, payload: AreaPatchIn):
    _require(request, Action.AREA_CHANGE)
    area = area_get(actor=request.user, pk=area_id)
    return area_update(actor=request.user, area=area, name=payload.name, code=payload.code)


@router.post(
    "areas/{area_id}/move", response={200: AreaOut, **ERRORS}, summary="移动区域", tags=["areas"]
)
def area_move_route(request, area_id: int, payload: AreaMoveIn):
    _require(request, Action.AREA_CHANGE)
    area = area_get(actor=request.user, pk=area_id)
    target = area_get(actor=request.user, pk=payload.parent_id)
    if area.pk == target.pk:
        raise InvalidInput(_("不能把区域移动到它自己下面。"), field="parent_id")
    return area_move(actor=request.user, area=area, new_parent=target)


class AuditFilters(Schema):
    event_type: str | None = Field(None, max_length=32)
    actor: str | None = Field(None, max_length=150)


@router.get(
    "audit",
    response={200: list[AuditEntryOut], **ERRORS},
    summary="审计日志（仅审计管理员）",
    tags=["audit"],
)
@paginate(PagePagination)
def audit(request, filters: Query[AuditFilters]):
    _require(request, Action.AUDIT_VIEW)
    from shequ.core.choices import AuditEvent
    from shequ.core.services.audit import audit_record

    audit_record(
        event=AuditEvent.AUDIT_QUERY,
        actor=request.user,
        detail={"filters": filters.dict(), "channel": "api"},
    )
    return audit_list(actor=request.user, filters=filters.dict())
