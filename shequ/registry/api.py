"""The ledger's REST routes under /api/v1/registry/. Scoped like the web;
masked by default; ID and mobile lookups travel in POST bodies only."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.errors import InvalidInput
from shequ.core.scoping import can
from shequ.registry.choices import Action
from shequ.registry.schemas import (
    ResidentOut,
    ResidentSearchIn,
    RevealIn,
    RevealOut,
)
from shequ.registry.schemas_ledger import ResidentVersionedOut
from shequ.registry.selectors import looks_like_personal_number, resident_get, resident_list
from shequ.registry.selectors_search import resident_get_any
from shequ.registry.services import resident_reveal

router = Router(tags=["registry"])


class ResidentFilters(Schema):
    q: str = Field(
        "",
        max_length=50,
        description="姓名、拼音或首字母；身份证号和手机号请用 POST residents/search",
    )
    residence_type: str | None = Field(None, max_length=16)


def _require_view(request) -> None:
    if not can(request.user, Action.VIEW):
        raise PermissionDenied


@router.get(
    "residents",
    response={200: list[ResidentOut], **ERRORS},
    summary="居民列表（仅本人辖区，号码已脱敏）",
)
@paginate(PagePagination)
def residents(request, filters: Query[ResidentFilters]):
    _require_view(request)
    if looks_like_personal_number(filters.q):
        raise InvalidInput(
            _("身份证号和手机号不能放在网址中，请用 POST /registry/residents/search 查找。"),
            field="q",
        )
    return resident_list(actor=request.user, query=filters.q, residence_type=filters.residence_type)


@router.post(
    "residents/search",
    response={200: list[ResidentOut], **ERRORS},
    summary="查找居民（可按完整身份证号、证件号码、手机号或固定电话）",
)
@paginate(PagePagination)
def residents_search(request, payload: ResidentSearchIn):
    _require_view(request)
    return resident_list(actor=request.user, query=payload.q)


@router.get(
    "residents/{int:resident_id}",
    response={200: ResidentVersionedOut, **ERRORS},
    summary="居民详情（号码已脱敏；ETag 为版本号，修改时放在 If-Match）",
)
def resident_detail(request, resident_id: int, response: HttpResponse):
    _require_view(request)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    response["ETag"] = f'"{resident.version}"'
    response["Cache-Control"] = "no-store"
    return resident


@router.post(
    "residents/{resident_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="查看完整身份证号和手机号（须有权限并填写事由，记入审计）",
)
def resident_reveal_route(request, resident_id: int, payload: RevealIn):
    _require_view(request)
    resident = resident_get(actor=request.user, pk=resident_id)
    return resident_reveal(actor=request.user, resident=resident, reason=payload.reason)


from shequ.registry.importing.api import router as import_router  # noqa: E402

router.add_router("/imports", import_router)

from shequ.registry.api_transfer import router as transfer_router  # noqa: E402

router.add_router("/transfers", transfer_router)

from shequ.registry.api_full_export import router as full_export_router  # noqa: E402

router.add_router("/full-exports", full_export_router)

from shequ.registry.api_ledger import attach as attach_ledger  # noqa: E402
from shequ.registry.api_ledger import router as ledger_router  # noqa: E402

attach_ledger(router)
router.add_router("", ledger_router)
