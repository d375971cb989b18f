"""/api/v1/volunteers/: the same services and selectors as the web, scoped the same way.

A volunteer or party member reaches their own profile, the activities of
their community, sign-up, QR check-in and redemption; community staff reach
the roster, activities, hours and duty of their areas (404 elsewhere)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.choices import Level
from shequ.core.models import Area
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.views.base import deny
from shequ.volunteers import services
from shequ.volunteers.choices import Action
from shequ.volunteers.models import PartyMember, Redemption, Reward, ServiceRecord
from shequ.volunteers.schemas import (
    ActivityIn,
    ActivityOut,
    BoardRowOut,
    CheckinIn,
    DutyOut,
    DutyReportOut,
    ForcesOut,
    MeOut,
    PartyMemberOut,
    RecordConfirmIn,
    RecordCorrectIn,
    RecordOut,
    RedemptionOut,
    RewardIn,
    RewardOut,
    SignUpOut,
    VolunteerOut,
)
from shequ.volunteers.selectors import (
    activity_list,
    duty_of,
    duty_report,
    five_forces,
    hours_board,
    parse_month,
    party_member_list,
    public_activities,
    public_activity_get,
    record_list,
    redemption_list,
    reward_list,
    star_for,
    volunteer_list,
)

router = Router(tags=["volunteers"])


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


def _mine(request):
    volunteer = services.volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


def _volunteer_out(v) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "community_id": v.community_id,
        "skills": v.skills,
        "availability": v.availability,
        "emergency_ready": v.emergency_ready,
        "hours_total": v.hours_total,
        "points": v.points,
        "party_member": hasattr(v, "party_member"),
    }


@router.get("me", response={200: MeOut, **ERRORS}, summary="我的时长、星级、积分与本月双报到")
def vol_me(request):
    volunteer = _mine(request)
    star = star_for(volunteer.hours_total)
    member = PartyMember.objects.filter(volunteer=volunteer, status="confirmed").first()
    from django.utils import timezone

    duty = duty_of(member, timezone.localdate()) if member else None
    return {
        "volunteer": _volunteer_out(volunteer),
        "stars": star.stars,
        "star_benefits": star.benefits,
        "next_star_hours": star.next_hours,
        "duty": DutyOut(**duty.__dict__) if duty else None,
    }


@router.get(
    "me/activities", response={200: list[ActivityOut], **ERRORS}, summary="本社区可报名的活动"
)
@paginate(PagePagination)
def vol_open_activities(request):
    return public_activities(volunteer=_mine(request))


@router.post(
    "activities/{activity_id}/signup",
    response={201: SignUpOut, **ERRORS},
    summary="报名活动（满员进入候补；重复报名返回 409）",
)
def vol_signup(request, activity_id: int):
    volunteer = _mine(request)
    activity = public_activity_get(volunteer=volunteer, pk=activity_id)
    return Status(
        201, services.signup_create(actor=request.user, activity=activity, volunteer=volunteer)
    )


@router.post(
    "checkin",
    response={200: SignUpOut, **ERRORS},
    summary="扫码签到或签退（二维码过期或伪造返回 400）",
)
def vol_checkin(request, payload: CheckinIn):
    _mine(request)
    return services.checkin_scan(actor=request.user, token=payload.token)


@router.post(
    "rewards/{reward_id}/redeem",
    response={201: RedemptionOut, **ERRORS},
    summary="积分兑换礼品（积分不足 400，库存不足或超限 409）",
)
def vol_redeem(request, reward_id: int):
    volunteer = _mine(request)
    reward = get_object_or_404(Reward, pk=reward_id, area_path=volunteer.area_path, is_active=True)
    return Status(
        201, services.redemption_create(actor=request.user, reward=reward, volunteer=volunteer)
    )


class RosterFilters(Schema):
    q: str = Field("", max_length=50)
    skill: str = Field("", max_length=50)
    availability: str = Field("", max_length=50)
    emergency: bool = False


@router.get(
    "volunteers",
    response={200: list[VolunteerOut], **ERRORS},
    summary="志愿服务力量库（按技能、可服务时间、应急可用筛选）",
)
@paginate(PagePagination)
def vol_roster(request, filters: Query[RosterFilters]):
    _require(request, Action.VIEW)
    rows = volunteer_list(
        actor=request.user,
        query=filters.q,
        skill=filters.skill,
        availability=filters.availability,
        emergency=filters.emergency,
    )
    return rows


@router.get("activities", response={200: list[ActivityOut], **ERRORS}, summary="辖区志愿活动")
@paginate(PagePagination)
def vol_activities(request):
    _require(request, Action.VIEW)
    return activity_list(actor=request.user)


@router.post("activities", response={201: ActivityOut, **ERRORS}, summary="发布志愿活动")
def vol_activity_new(request, payload: ActivityIn):
    _require(request, Action.MANAGE)
    community = get_scoped_or_404(
        Area.objects.filter(level=Level.COMMUNITY),
        request.user,
        Action.MANAGE,
        "path",
        pk=payload.community_id,
    )
    data = payload.dict(exclude={"community_id"})
    return Status(201, services.activity_create(actor=request.user, community=community, **data))


class MonthFilter(Schema):
    month: str = Field("", max_length=7, description="YYYY-MM，默认本月")


@router.get("records", response={200: list[RecordOut], **ERRORS}, summary="辖区服务时长记录")
@paginate(PagePagination)
def vol_records(request, filters: Query[MonthFilter]):
    _require(request, Action.VIEW)
    return record_list(actor=request.user, month=parse_month(filters.month))


def _record(request, record_id: int) -> ServiceRecord:
    _require(request, Action.MANAGE)
    return get_scoped_or_404(ServiceRecord.objects.all(), request.user, Action.MANAGE, pk=record_id)


@router.post(
    "records/{record_id}/confirm",
    response={200: RecordOut, **ERRORS},
    summary="组织者确认时长（重叠时段不重复计算，单日不超过 24 小时）",
)
def vol_record_confirm(request, record_id: int, payload: RecordConfirmIn):
    record = _record(request, record_id)
    return services.record_confirm(
        actor=request.user, record=record, started_at=payload.started_at, ended_at=payload.ended_at
    )


@router.post(
    "records/{record_id}/correct",
    response={200: RecordOut, **ERRORS},
    summary="更正时长（须填写原因，记入审计日志）",
)
def vol_record_correct(request, record_id: int, payload: RecordCorrectIn):
    record = _record(request, record_id)
    return services.record_correct(
        actor=request.user, record=record, hours=payload.hours, reason=payload.reason
    )


@router.post(
    "redemptions/{redemption_id}/hand-over",
    response={200: RedemptionOut, **ERRORS},
    summary="工作人员确认礼品已领取",
)
def vol_hand_over(request, redemption_id: int):
    _require(request, Action.MANAGE)
    redemption = get_scoped_or_404(
        Redemption.objects.all(), request.user, Action.MANAGE, pk=redemption_id
    )
    return services.redemption_hand_over(actor=request.user, redemption=redemption)


@router.get(
    "duty",
    response={200: DutyReportOut, **ERRORS},
    summary="下沉党员本月双报到服务情况与人均时长",
)
def vol_duty(request, filters: Query[MonthFilter]):
    _require(request, Action.VIEW)
    month = parse_month(filters.month)
    report = duty_report(actor=request.user, month=month)
    return {
        "month": f"{month:%Y-%m}",
        "members": report["total"].members,
        "met": report["total"].met,
        "per_capita_hours": report["total"].per_capita,
        "rows": [
            {
                "volunteer_id": r.member.volunteer_id,
                "name": r.member.volunteer.name,
                "work_unit": r.member.work_unit.name,
                "community_id": r.member.community_id,
                "services": r.duty.services,
                "hours": r.duty.hours,
                "met": r.duty.met,
            }
            for r in report["rows"]
        ],
    }


@router.post(
    "me/redemptions/{redemption_id}/cancel",
    response={200: RedemptionOut, **ERRORS},
    summary="取消未领取的兑换（积分和库存退回）",
)
def vol_redemption_cancel(request, redemption_id: int):
    volunteer = _mine(request)
    redemption = get_object_or_404(Redemption, pk=redemption_id, volunteer=volunteer)
    return services.redemption_cancel(actor=request.user, redemption=redemption)


@router.get(
    "board/{community_id}",
    response={200: list[BoardRowOut], **ERRORS},
    summary="时长晾晒：社区月度服务时长排名",
)
def vol_board(request, community_id: int, filters: Query[MonthFilter]):
    community = get_object_or_404(Area, pk=community_id, level=Level.COMMUNITY)
    return hours_board(community=community, month=parse_month(filters.month))


def _community(request, community_id: int, action: str) -> Area:
    _require(request, action)
    return get_scoped_or_404(
        Area.objects.filter(level=Level.COMMUNITY), request.user, action, "path", pk=community_id
    )


@router.get(
    "forces/{community_id}",
    response={200: ForcesOut, **ERRORS},
    summary="五社联动：社区各方力量及今年贡献",
)
def vol_forces(request, community_id: int):
    from django.utils import timezone

    community = _community(request, community_id, Action.VIEW)
    year = timezone.localdate().year
    f = five_forces(community=community, year=year)
    return {
        "community_id": community.pk,
        "year": year,
        "organizations": len(f["organizations"]),
        "social_workers": len(f["social_workers"]),
        "volunteers": f["volunteers"],
        "emergency_ready": f["emergency_ready"],
        "party_members": f["party_members"],
        "groups": len(f["groups"]),
        "activities": f["activities"],
        "volunteer_hours": f["volunteer_hours"],
        "party_hours": f["party_hours"],
        "orders": f["orders"],
        "funds": f["funds"],
    }


class PartyFilter(Schema):
    status: str = Field("", max_length=16, description="pending / confirmed，默认全部")


@router.get(
    "party-members",
    response={200: list[PartyMemberOut], **ERRORS},
    summary="辖区下沉党员（双报到）",
)
@paginate(PagePagination)
def vol_party_members(request, filters: Query[PartyFilter]):
    _require(request, Action.VIEW)
    return party_member_list(actor=request.user, status=filters.status or None)


@router.post(
    "party-members/{member_id}/confirm",
    response={200: PartyMemberOut, **ERRORS},
    summary="社区确认党员双报到",
)
def vol_party_confirm(request, member_id: int):
    _require(request, Action.MANAGE)
    member = get_scoped_or_404(
        PartyMember.objects.select_related("volunteer", "work_unit"),
        request.user,
        Action.MANAGE,
        pk=member_id,
    )
    return services.party_member_confirm(actor=request.user, member=member)


@router.get("rewards", response={200: list[RewardOut], **ERRORS}, summary="辖区礼品目录")
@paginate(PagePagination)
def vol_rewards(request):
    _require(request, Action.VIEW)
    return reward_list(actor=request.user)


@router.post("rewards", response={201: RewardOut, **ERRORS}, summary="上架兑换礼品")
def vol_reward_new(request, payload: RewardIn):
    community = _community(request, payload.community_id, Action.MANAGE)
    data = payload.dict(exclude={"community_id"})
    return Status(201, services.reward_create(actor=request.user, community=community, **data))


@router.get(
    "redemptions", response={200: list[RedemptionOut], **ERRORS}, summary="辖区积分兑换记录"
)
@paginate(PagePagination)
def vol_redemptions(request):
    _require(request, Action.VIEW)
    return redemption_list(actor=request.user)


from shequ.volunteers.api_editing import router as editing_router  # noqa: E402

router.add_router("", editing_router)
