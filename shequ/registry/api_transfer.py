"""REST routes of transfers between communities (跨社区迁移) under
/api/v1/registry/transfers: each side's list, one transfer, a pull (by ID
number, in the body), a push (to a household found by community, building or
unit and room), the decision and the withdrawal. Community staff only
(``registry.transfer``); another community's transfer answers 404. What one
side sees of the other is limited as on the web (``TransferCard``)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.models import Area
from shequ.core.scoping import can, get_scoped_or_404
from shequ.registry.choices import Action, Relation
from shequ.registry.models import Household
from shequ.registry.selectors_search import resident_get_any
from shequ.registry.selectors_transfer import (
    SIDES,
    TransferCard,
    transfer_card,
    transfer_get,
    transfer_list,
)
from shequ.registry.services_transfer import (
    transfer_addresses,
    transfer_cancel,
    transfer_communities,
    transfer_decide,
    transfer_request_pull,
    transfer_request_push,
    transfer_target_household,
)

router = Router(tags=["registry-transfers"])


class TransferOut(Schema):
    id: int
    direction: str = Field(..., description="push：迁出社区发起；pull：迁入社区申请")
    state: str = Field(..., description="pending / accepted / rejected / cancelled / expired")
    state_label: str
    resident_name: str = Field(..., description="对方确认前，迁入社区只看到打码的姓名")
    resident_id: int | None = Field(None, description="本人有权查看该居民时才有")
    from_community: str
    to_community: str
    from_address: str = Field(..., description="原住址，仅迁出社区可见")
    to_address: str = Field(..., description="迁入的楼栋单元与门牌号")
    relation_to_head: str
    reason: str
    decision_note: str
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    decided_by: str
    decided_at: datetime | None
    incoming: bool = Field(..., description="等待本社区确认（或已由本社区处理）")
    can_decide: bool
    can_cancel: bool


class TransferFilters(Schema):
    side: str = Field("", pattern="^(|incoming|outgoing)$", description="incoming 或 outgoing")
    pending: bool | None = Field(None, description="true：仅待处理；false：仅已结束")


class PullIn(Schema):
    household_id: int = Field(..., description="迁入的户（本社区）")
    id_number: str = Field(..., max_length=30, description="此人的公民身份号码")
    relation_to_head: str = Field(Relation.OTHER, max_length=16)
    reason: str = Field("", max_length=200)


class PushIn(Schema):
    resident_id: int
    community_id: int = Field(..., description="迁往的社区")
    area_id: int = Field(..., description="对方社区的楼栋或单元（transfers/communities/…）")
    room: str = Field("", max_length=20)
    reason: str = Field("", max_length=200)


class DecideIn(Schema):
    accept: bool
    note: str = Field("", max_length=200, description="处理意见；拒绝时必填")
    relation_to_head: str | None = Field(
        None, max_length=16, description="迁出社区发起（push）时，迁入社区可指定与户主关系"
    )


class CancelIn(Schema):
    note: str = Field("", max_length=200)


class PlaceOut(Schema):
    id: int
    name: str


def _require(request) -> None:
    if not can(request.user, Action.TRANSFER):
        raise PermissionDenied


def _card(request, transfer) -> TransferCard:
    return transfer_card(actor=request.user, transfer=transfer)


@router.get(
    "",
    response={200: list[TransferOut], **ERRORS},
    summary="本社区的跨社区迁移申请（迁入、迁出与历史）",
)
@paginate(PagePagination)
def transfer_list_route(request, filters: Query[TransferFilters]):
    _require(request)
    side = filters.side if filters.side in SIDES else ""
    transfers = transfer_list(actor=request.user, side=side, pending=filters.pending)
    return _Cards(request, transfers)


class _Cards:
    """A queryset that pagination slices, turned into cards page by page."""

    def __init__(self, request, queryset):
        self.request, self.queryset = request, queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, item):
        return [_card(self.request, t) for t in self.queryset[item]]


@router.get(
    "communities",
    response={200: list[PlaceOut], **ERRORS},
    summary="可迁往的社区（仅名称）",
)
def transfer_community_list(request):
    _require(request)
    return list(transfer_communities(actor=request.user))


@router.get(
    "communities/{community_id}/addresses",
    response={200: list[PlaceOut], **ERRORS},
    summary="对方社区的楼栋与单元（仅名称，不含住户）",
)
def transfer_address_list(request, community_id: int):
    _require(request)
    community = transfer_communities(actor=request.user).filter(pk=community_id).first()
    if community is None:
        raise Http404
    return list(transfer_addresses(community=community))


@router.get(
    "{int:transfer_id}",
    response={200: TransferOut, **ERRORS},
    summary="一项跨社区迁移申请",
)
def transfer_detail_route(request, transfer_id: int):
    _require(request)
    return _card(request, transfer_get(actor=request.user, pk=transfer_id))


@router.post(
    "pull",
    response={201: TransferOut, **ERRORS},
    summary="迁入社区按身份证号申请迁入（原社区已迁出的直接迁入）",
)
def transfer_pull_route(request, payload: PullIn):
    _require(request)
    household = get_scoped_or_404(
        Household.objects.all(), request.user, Action.TRANSFER, pk=payload.household_id
    )
    transfer = transfer_request_pull(
        actor=request.user,
        household=household,
        id_number=payload.id_number,
        relation_to_head=payload.relation_to_head,
        reason=payload.reason,
    )
    return Status(201, _card(request, transfer))


@router.post(
    "push",
    response={201: TransferOut, **ERRORS},
    summary="迁出社区把居民迁往其他社区的某一户（须对方确认）",
)
def transfer_push_route(request, payload: PushIn):
    _require(request)
    resident = resident_get_any(actor=request.user, pk=payload.resident_id, action=Action.TRANSFER)
    community = transfer_communities(actor=request.user).filter(pk=payload.community_id).first()
    area = Area.objects.filter(pk=payload.area_id).first()
    if community is None or area is None:
        raise Http404
    target = transfer_target_household(community=community, area=area, room=payload.room)
    transfer = transfer_request_push(
        actor=request.user, resident=resident, target_household=target, reason=payload.reason
    )
    return Status(201, _card(request, transfer))


@router.post(
    "{int:transfer_id}/decide",
    response={200: TransferOut, **ERRORS},
    summary="对方社区同意或拒绝迁移申请",
)
def transfer_decide_route(request, transfer_id: int, payload: DecideIn):
    _require(request)
    transfer = transfer_get(actor=request.user, pk=transfer_id)
    transfer = transfer_decide(
        actor=request.user,
        transfer=transfer,
        accept=payload.accept,
        note=payload.note,
        relation_to_head=payload.relation_to_head,
    )
    return _card(request, transfer_get(actor=request.user, pk=transfer.pk))


@router.post(
    "{int:transfer_id}/cancel",
    response={200: TransferOut, **ERRORS},
    summary="发起方撤回待确认的申请",
)
def transfer_cancel_route(request, transfer_id: int, payload: CancelIn):
    _require(request)
    transfer = transfer_get(actor=request.user, pk=transfer_id)
    transfer_cancel(actor=request.user, transfer=transfer, note=payload.note)
    return _card(request, transfer_get(actor=request.user, pk=transfer.pk))
