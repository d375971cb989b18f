"""REST routes for changing the ledger under /api/v1/registry/: households,
new residents and edits (optimistic locking), tags, life events, filtered
search and export. Scoped like the web: out of scope answers 404.

Creates accept an ``Idempotency-Key`` header: the same key with the same body
answers the first result again; with a different body, 422.
Edits need the version last read, as ``version`` or an ``If-Match`` header:
an older one answers 412 and changes nothing; none at all answers 428.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import idempotency
from shequ.core.api import ERRORS, PagePagination
from shequ.core.errors import DomainError, InvalidInput
from shequ.core.schemas import ErrorOut
from shequ.core.scoping import can
from shequ.registry.choices import Action
from shequ.registry.exporting import resident_export
from shequ.registry.models import KeyPopulationTag
from shequ.registry.schemas import ResidentOut
from shequ.registry.schemas_ledger import (
    ExportIn,
    HouseholdDetailOut,
    HouseholdEventIn,
    HouseholdIn,
    HouseholdOut,
    KeyPopulationTagOut,
    LifeEventOut,
    RentalIn,
    RentalOut,
    ResidentEventIn,
    ResidentFilterIn,
    ResidentIn,
    ResidentPatchIn,
    ResidentTagIn,
    ResidentVersionedOut,
)
from shequ.registry.selectors import household_get, household_members
from shequ.registry.selectors_search import (
    ResidentFilters,
    household_areas,
    household_list,
    household_rentals,
    life_events,
    resident_get_any,
    resident_search,
)
from shequ.registry.services import household_create, resident_create, resident_tag_add
from shequ.registry.services_events import (
    household_change_head,
    household_remove,
    household_restore,
    resident_correct,
    resident_move_household,
    resident_move_in,
    resident_move_out,
    resident_record_birth,
    resident_record_death,
    resident_remove,
    resident_restore,
    resident_tag_remove,
)
from shequ.registry.services_rentals import rental_register

router = Router(tags=["registry"])
WRITE_ERRORS = {**ERRORS, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


def _header(name: str, description: str) -> dict:
    return {
        "parameters": [
            {
                "in": "header",
                "name": name,
                "required": False,
                "description": description,
                "schema": {"type": "string", "maxLength": 100},
            }
        ]
    }


IDEMPOTENCY = _header("Idempotency-Key", "重试时带同一个键：同样的内容只创建一次")
IF_MATCH = _header("If-Match", "最近一次读取到的版本号（也可放在 version 字段）")


class VersionRequired(DomainError):
    code = "version_required"
    status = 428


def _require(request, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _version(request, sent: int | None) -> int:
    """The version the client read: the body's ``version`` or ``If-Match``."""
    if sent is not None:
        return sent
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if header.isdigit():
        return int(header)
    raise VersionRequired(
        _("请在请求中提供 version 字段或 If-Match 头（最近一次读取到的版本号）。"), field="version"
    )


def _idempotent(request, endpoint: str, payload: Schema, schema, produce):
    """Run ``produce`` once per Idempotency-Key (per user and endpoint), with
    core's one mechanism (``shequ.core.idempotency``)."""
    key = idempotency.request_key(request)
    if not key:
        return Status(201, produce())

    def create() -> tuple[int, str]:
        data = schema.from_orm(produce()).model_dump(mode="json", by_alias=False)
        return 201, json.dumps(data)

    outcome = idempotency.run_once(
        user=request.user,
        endpoint=endpoint,
        key=key,
        body=payload.model_dump(mode="json"),
        produce=create,
    )
    return HttpResponse(outcome.body, status=outcome.status, content_type="application/json")


# --------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------


class HouseholdFilters(Schema):
    area_id: int | None = None
    room: str = Field("", max_length=20)
    removed: bool = False


@router.get(
    "households",
    response={200: list[HouseholdOut], **ERRORS},
    summary="户列表（仅本人辖区）",
)
@paginate(PagePagination)
def households(request, filters: Query[HouseholdFilters]):
    _require(request, Action.VIEW)
    return household_list(
        actor=request.user, area_id=filters.area_id, room=filters.room, removed=filters.removed
    )


def _household_detail(request, household):
    household.member_list = list(household_members(actor=request.user, household=household))
    household.rental_list = household_rentals(actor=request.user, household=household)
    return household


@router.get(
    "households/{household_id}",
    response={200: HouseholdDetailOut, **ERRORS},
    summary="户详情：成员（号码已脱敏）与出租登记",
)
def household_detail_route(request, household_id: int):
    _require(request, Action.VIEW)
    return _household_detail(request, household_get(actor=request.user, pk=household_id))


@router.post(
    "households",
    response={201: HouseholdOut, **WRITE_ERRORS},
    summary="登记新户（支持 Idempotency-Key）",
    openapi_extra=IDEMPOTENCY,
)
def household_new(request, payload: HouseholdIn):
    _require(request, Action.CHANGE)
    area = household_areas(actor=request.user).filter(pk=payload.area_id).first()
    if area is None:
        raise Http404

    def produce():
        return household_create(
            actor=request.user, area=area, room=payload.room, number=payload.number
        )

    return _idempotent(request, "household_new", payload, HouseholdOut, produce)


@router.post(
    "households/{household_id}/residents",
    response={201: ResidentVersionedOut, **WRITE_ERRORS},
    summary="在一户中登记居民、迁入或出生（支持 Idempotency-Key）",
    openapi_extra=IDEMPOTENCY,
)
def resident_new(request, household_id: int, payload: ResidentIn):
    _require(request, Action.CHANGE)
    household = household_get(actor=request.user, pk=household_id)
    data = payload.model_dump(exclude={"how", "origin"})
    data = {k: v for k, v in data.items() if v not in (None, "")}

    def produce():
        if payload.how == "move_in":
            return resident_move_in(
                actor=request.user, household=household, origin=payload.origin, **data
            )
        if payload.how == "birth":
            return resident_record_birth(actor=request.user, household=household, **data)
        return resident_create(actor=request.user, household=household, **data)

    endpoint = f"resident_new:{household.pk}"
    return _idempotent(request, endpoint, payload, ResidentVersionedOut, produce)


@router.post(
    "households/{household_id}/events",
    response={200: HouseholdOut, **WRITE_ERRORS},
    summary="户的变动：变更户主、移除、恢复",
)
def household_event_new(request, household_id: int, payload: HouseholdEventIn):
    _require(request, Action.VIEW)
    household = household_get(actor=request.user, pk=household_id)
    if payload.kind == "restore":
        return household_restore(actor=request.user, household=household, reason=payload.reason)
    version = _version(request, payload.version)
    if payload.kind == "remove":
        return household_remove(
            actor=request.user, household=household, reason=payload.reason, expected_version=version
        )
    member = next(
        (
            m
            for m in household_members(actor=request.user, household=household)
            if m.pk == payload.new_head_id
        ),
        None,
    )
    if member is None:
        raise InvalidInput(_("新户主须是这一户的在册成员。"), field="new_head_id")
    return household_change_head(
        actor=request.user,
        household=household,
        new_head=member,
        reason=payload.reason,
        expected_version=version,
    )


@router.post(
    "households/{household_id}/rentals",
    response={201: RentalOut, **WRITE_ERRORS},
    summary="登记出租房屋",
)
def household_rental_new(request, household_id: int, payload: RentalIn):
    _require(request, Action.VIEW)
    household = household_get(actor=request.user, pk=household_id)
    landlord = (
        resident_get_any(actor=request.user, pk=payload.landlord_id)
        if payload.landlord_id
        else None
    )
    tenants = [resident_get_any(actor=request.user, pk=pk) for pk in payload.tenant_ids]
    rental = rental_register(
        actor=request.user,
        household=household,
        lease_start=payload.lease_start,
        lease_end=payload.lease_end,
        landlord=landlord,
        landlord_name=payload.landlord_name,
        tenants=tenants,
        notes=payload.notes,
    )
    return Status(201, rental)


# --------------------------------------------------------------------------
# Residents: edits, tags, life events, filtered search, export
# --------------------------------------------------------------------------


def resident_patch(request, resident_id: int, payload: ResidentPatchIn):
    _require(request, Action.VIEW)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    version = _version(request, payload.version)
    changes = payload.model_dump(exclude={"version", "reason"}, exclude_unset=True)
    changes = {k: ("" if v is None else v) for k, v in changes.items()}
    if not changes:
        raise InvalidInput(_("没有需要更正的内容。"))
    return resident_correct(
        actor=request.user,
        resident=resident,
        reason=payload.reason,
        expected_version=version,
        **changes,
    )


@router.get(
    "tags",
    response={200: list[KeyPopulationTagOut], **ERRORS},
    summary="重点人群类别",
)
def tags(request):
    _require(request, Action.VIEW)
    return list(KeyPopulationTag.objects.filter(is_active=True))


def _tag(code: str) -> KeyPopulationTag:
    tag = KeyPopulationTag.objects.filter(code=code, is_active=True).first()
    if tag is None:
        raise InvalidInput(_("没有这个重点人群类别。"), field="code")
    return tag


@router.post(
    "residents/{resident_id}/tags",
    response={201: ResidentVersionedOut, **WRITE_ERRORS},
    summary="为居民添加重点人群标记",
)
def resident_tag_new(request, resident_id: int, payload: ResidentTagIn):
    _require(request, Action.VIEW)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    resident_tag_add(
        actor=request.user,
        resident=resident,
        tag=_tag(payload.code),
        attributes=payload.attributes,
        valid_from=payload.valid_from,
    )
    return Status(201, resident_get_any(actor=request.user, pk=resident_id))


@router.delete(
    "residents/{resident_id}/tags/{code}",
    response={200: ResidentVersionedOut, **WRITE_ERRORS},
    summary="取消居民的重点人群标记",
)
def resident_tag_delete(request, resident_id: int, code: str):
    _require(request, Action.VIEW)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    resident_tag_remove(actor=request.user, resident=resident, tag=_tag(code))
    return resident_get_any(actor=request.user, pk=resident_id)


@router.get(
    "residents/{resident_id}/events",
    response={200: list[LifeEventOut], **ERRORS},
    summary="居民的变动记录（新的在前）",
)
@paginate(PagePagination)
def resident_events(request, resident_id: int):
    _require(request, Action.VIEW)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    return life_events(actor=request.user, resident=resident)


@router.post(
    "residents/{resident_id}/events",
    response={200: ResidentVersionedOut, **WRITE_ERRORS},
    summary="办理居民变动：迁出、死亡、户间迁移、移除、恢复",
)
def resident_event_new(request, resident_id: int, payload: ResidentEventIn):
    _require(request, Action.VIEW)
    resident = resident_get_any(actor=request.user, pk=resident_id)
    actor = request.user
    if payload.kind == "restore":
        return resident_restore(actor=actor, resident=resident, reason=payload.reason)
    version = _version(request, payload.version)
    if payload.kind == "move_out":
        return resident_move_out(
            actor=actor,
            resident=resident,
            destination=payload.destination,
            reason=payload.reason,
            occurred_on=payload.occurred_on,
            expected_version=version,
        )
    if payload.kind == "death":
        return resident_record_death(
            actor=actor,
            resident=resident,
            occurred_on=payload.occurred_on,
            reason=payload.reason,
            expected_version=version,
        )
    if payload.kind == "move_household":
        if payload.household_id is None:
            raise InvalidInput(_("请指定迁入的户。"), field="household_id")
        target = household_get(actor=actor, pk=payload.household_id)
        return resident_move_household(
            actor=actor,
            resident=resident,
            household=target,
            relation_to_head=payload.relation_to_head,
            reason=payload.reason,
            occurred_on=payload.occurred_on,
            expected_version=version,
        )
    return resident_remove(
        actor=actor, resident=resident, reason=payload.reason, expected_version=version
    )


def _filters(payload: ResidentFilterIn) -> ResidentFilters:
    return ResidentFilters(
        query=payload.q,
        tags=payload.tags,
        age_min=payload.age_min,
        age_max=payload.age_max,
        residence_type=payload.residence_type,
        living_status=payload.living_status,
        area_id=payload.area_id,
        room=payload.room,
        id_last4=payload.id_last4,
        sort=payload.sort,
        removed=payload.removed,
    )


@router.post(
    "residents/filter",
    response={200: list[ResidentOut], **ERRORS},
    summary="组合条件查找居民（重点人群、年龄、人口类型、居住状态、地址、身份证后四位）",
)
@paginate(PagePagination)
def residents_filter(request, payload: ResidentFilterIn):
    _require(request, Action.VIEW)
    return resident_search(actor=request.user, filters=_filters(payload))


@router.post(
    "residents/export",
    response={200: None, **ERRORS},
    summary="导出查找结果为 xlsx 或 csv（号码已脱敏，记入审计）",
    openapi_extra={
        "responses": {
            200: {
                "description": "表格文件",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/csv": {},
                },
            }
        }
    },
)
def residents_export(request, payload: ExportIn):
    _require(request, Action.VIEW)
    return resident_export(request=request, filters=_filters(payload), fmt=payload.format)


def attach(main_router: Router) -> None:
    """PATCH shares its path with the detail GET, so it must live on the same router."""
    main_router.patch(
        "residents/{int:resident_id}",
        response={200: ResidentVersionedOut, **WRITE_ERRORS},
        summary="更正居民信息（须带版本号与原因；版本过期返回 412）",
        openapi_extra=IF_MATCH,
    )(resident_patch)
