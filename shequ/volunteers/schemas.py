"""Input and output schemas of /api/v1/volunteers/."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema


class VolunteerOut(Schema):
    id: int
    name: str
    community_id: int
    skills: str
    availability: str
    emergency_ready: bool
    hours_total: Decimal = Field(..., description="累计已确认时长（小时）")
    points: int = Field(..., description="积分余额")
    party_member: bool
    is_active: bool = Field(True, description="false：已停用，不再调度")

    @staticmethod
    def resolve_party_member(obj) -> bool:
        if isinstance(obj, dict):
            return obj["party_member"]
        return hasattr(obj, "party_member")


class DutyOut(Schema):
    services: int = Field(..., description="本月达标服务次数")
    hours: Decimal
    needed: int
    min_hours: Decimal
    met: bool
    days_left: int


class MeOut(Schema):
    volunteer: VolunteerOut
    stars: int
    star_benefits: str
    next_star_hours: int | None
    duty: DutyOut | None = Field(None, description="仅已确认报到的下沉党员")


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    community_id: int
    organizer_kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    skills: str
    taken: int = Field(0, description="已报名（不含候补）")


class ActivityIn(Schema):
    community_id: int
    title: str = Field(..., max_length=100)
    place: str = Field(..., max_length=200)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(..., ge=1, le=10000)
    skills: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)


class SignUpOut(Schema):
    id: int
    activity_id: int
    status: str = Field(..., description="confirmed 已报名 / waiting 候补 / cancelled 已取消")
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class CheckinIn(Schema):
    token: str = Field(..., max_length=300, description="组织者二维码中的签到/签退码")


class RecordOut(Schema):
    id: int
    volunteer_id: int
    source: str
    activity_id: int | None
    order_id: int | None
    title: str
    started_at: datetime
    ended_at: datetime
    service_date: str
    hours: Decimal
    status: str
    correction_reason: str

    @staticmethod
    def resolve_service_date(obj) -> str:
        return obj.service_date.isoformat()


class RecordConfirmIn(Schema):
    started_at: datetime | None = None
    ended_at: datetime | None = None


class RecordCorrectIn(Schema):
    hours: Decimal = Field(..., ge=0, le=24)
    reason: str = Field(..., max_length=200)


class RedemptionOut(Schema):
    id: int
    reward_id: int
    volunteer_id: int
    points: int
    status: str
    created_at: datetime


class DutyRowOut(Schema):
    volunteer_id: int
    name: str
    work_unit: str
    community_id: int
    services: int
    hours: Decimal
    met: bool


class DutyReportOut(Schema):
    month: str
    members: int
    met: int
    per_capita_hours: Decimal
    rows: list[DutyRowOut]


class PartyMemberOut(Schema):
    id: int
    volunteer_id: int
    name: str
    work_unit: str
    community_id: int
    status: str = Field(..., description="pending 待社区确认 / confirmed 已报到")
    registered_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.volunteer.name

    @staticmethod
    def resolve_work_unit(obj) -> str:
        return obj.work_unit.name


class RewardOut(Schema):
    id: int
    name: str
    description: str
    community_id: int
    points_cost: int
    stock: int
    per_person_limit: int
    is_active: bool


class RewardIn(Schema):
    community_id: int
    name: str = Field(..., max_length=100)
    points_cost: int = Field(..., ge=1, le=1_000_000)
    stock: int = Field(..., ge=0, le=100000)
    per_person_limit: int = Field(1, ge=1, le=100)
    description: str = Field("", max_length=300)


class BoardRowOut(Schema):
    rank: int
    name: str = Field(..., description="选择匿名的志愿者显示为“匿名志愿者”")
    hours: Decimal
    stars: int


class ForcesOut(Schema):
    community_id: int
    year: int
    organizations: int
    social_workers: int
    volunteers: int
    emergency_ready: int
    party_members: int
    groups: int
    activities: int
    volunteer_hours: Decimal
    party_hours: Decimal
    orders: int
    funds: Decimal
