"""REST routes of the full (unmasked) export under
/api/v1/registry/full-exports, the same maker-checker as the web screens
(:mod:`shequ.registry.full_export`): a worker allowed ``registry.export_full``
asks with a purpose, a *different* person allowed it on that area decides,
and the requester downloads the file once within the validity. Requests
outside the caller's area answer 404; the download writes the same ``export``
audit line as the web."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.models import ApprovalRequest, Area
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.services.approvals import approval_decide
from shequ.registry.choices import Action
from shequ.registry.full_export import (
    KIND,
    PURPOSE_MAX,
    download_hours,
    downloadable,
    full_export_download,
    full_export_list,
    full_export_request,
)

router = Router(tags=["registry-full-exports"])


class FullExportOut(Schema):
    id: int
    state: str = Field(
        ..., description="pending / approved / rejected / expired（已下载也记为 expired）"
    )
    state_label: str
    area_id: int
    area_name: str
    purpose: str
    format: str = Field(..., description="xlsx 或 csv")
    requested_by: str
    requested_at: datetime
    expires_at: datetime = Field(..., description="审批期限：此前未处理则失效")
    decided_by: str
    decided_at: datetime | None
    download_until: datetime | None = Field(None, description="批准后，申请人可在此时间前下载一次")
    mine: bool = Field(..., description="本人提交的申请")
    can_decide: bool = Field(..., description="本人可审批（不能审批自己的申请）")
    can_download: bool = Field(..., description="本人可下载（仅申请人，批准后一次）")


class FullExportIn(Schema):
    area_id: int = Field(..., description="导出范围：区、街道、社区或网格")
    purpose: str = Field(..., max_length=PURPOSE_MAX, description="导出用途（至少4个字）")
    format: str = Field("xlsx", pattern="^(xlsx|csv)$", description="xlsx 或 csv")


class FullExportFilters(Schema):
    state: str = Field("", pattern="^(|pending|approved|rejected|expired)$")
    mine: bool | None = Field(None, description="true：仅本人提交的；false：仅他人提交的")


class DecideIn(Schema):
    approve: bool = Field(..., description="true 批准，false 驳回")


def _require(request) -> None:
    if not can(request.user, Action.EXPORT_FULL):
        raise PermissionDenied


def _with_area_name(requests: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    # The request carries the path of the area it covers (kept up to date
    # when areas move), so its name is one subquery, not one query per row.
    names = Area.objects.filter(path=OuterRef("area_path")).values("name")[:1]
    return requests.annotate(area_name=Subquery(names))


def _out(request, approval: ApprovalRequest) -> FullExportOut:
    user = request.user
    payload = approval.payload or {}
    decided_at = approval.decided_at
    approved = decided_at is not None and approval.decided_by_id is not None
    pending = approval.state == ApprovalRequest.State.PENDING
    return FullExportOut(
        id=approval.pk,
        state=approval.state,
        state_label=str(approval.get_state_display()),
        area_id=payload.get("area_id", 0),
        area_name=getattr(approval, "area_name", None) or "",
        purpose=payload.get("purpose", ""),
        format=payload.get("format", "xlsx"),
        requested_by=approval.requested_by.display_name,
        requested_at=approval.requested_at,
        expires_at=approval.expires_at,
        decided_by=approval.decided_by.display_name if approval.decided_by_id else "",
        decided_at=decided_at,
        download_until=(
            decided_at + timezone.timedelta(hours=download_hours())
            if approved and approval.state == ApprovalRequest.State.APPROVED
            else None
        ),
        mine=approval.requested_by_id == user.pk,
        can_decide=pending
        and approval.requested_by_id != user.pk
        and approval.expires_at > timezone.now(),
        can_download=downloadable(approval, user),
    )


def _approval(request, approval_id: int) -> ApprovalRequest:
    return get_scoped_or_404(
        _with_area_name(ApprovalRequest.objects.filter(kind=KIND)).select_related(
            "requested_by", "decided_by"
        ),
        request.user,
        Action.EXPORT_FULL,
        pk=approval_id,
    )


class _Rows:
    """The page of requests as the API shows them, converted after slicing
    so that only one page is turned into schemas."""

    def __init__(self, request, requests: QuerySet[ApprovalRequest]):
        self.request = request
        self.requests = requests

    def count(self) -> int:
        return self.requests.count()

    def __getitem__(self, window: slice) -> list[FullExportOut]:
        return [_out(self.request, approval) for approval in self.requests[window]]


@router.get(
    "",
    response={200: list[FullExportOut], **ERRORS},
    summary="完整信息导出申请（本人提交的与本人辖区内可审批的）",
)
@paginate(PagePagination)
def full_export_list_route(request, filters: Query[FullExportFilters]):
    _require(request)
    requests = _with_area_name(full_export_list(actor=request.user))
    if filters.state:
        requests = requests.filter(state=filters.state)
    if filters.mine is True:
        requests = requests.filter(requested_by=request.user)
    elif filters.mine is False:
        requests = requests.exclude(requested_by=request.user)
    return _Rows(request, requests)


@router.post(
    "",
    response={201: FullExportOut, **ERRORS},
    summary="申请导出完整信息（须另一位有权限的工作人员批准）",
)
def full_export_request_route(request, payload: FullExportIn):
    _require(request)
    area = get_scoped_or_404(
        Area.objects.all(), request.user, Action.EXPORT_FULL, pk=payload.area_id
    )
    approval = full_export_request(
        actor=request.user, area=area, purpose=payload.purpose, fmt=payload.format
    )
    return Status(201, _out(request, _approval(request, approval.pk)))


@router.post(
    "{int:approval_id}/decide",
    response={200: FullExportOut, **ERRORS},
    summary="审批完整信息导出申请（批准或驳回；不能审批自己的申请）",
)
def full_export_decide_route(request, approval_id: int, payload: DecideIn):
    _require(request)
    approval = _approval(request, approval_id)
    approval_decide(actor=request.user, approval=approval, approve=payload.approve)
    return _out(request, _approval(request, approval_id))


@router.get(
    "{int:approval_id}/download",
    response={200: None, **ERRORS},
    summary="下载已批准的完整信息导出（仅申请人，限一次，记入审计）",
    description=(
        "返回 xlsx 或 csv 文件（格式在申请时选定），文件带导出人、时间和请求编号水印。"
        "下载后申请即用尽（状态变为 expired）；再次下载、超过下载期限或未获批准时返回 409。"
    ),
)
def full_export_download_route(request, approval_id: int):
    _require(request)
    approval = _approval(request, approval_id)
    return full_export_download(request=request, approval=approval)
