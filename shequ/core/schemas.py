from datetime import datetime

from ninja import Field, Schema

from shequ.core.choices import Level


class AreaOut(Schema):
    id: int
    parent_id: int | None
    level: str
    level_display: str = Field(..., alias="get_level_display")
    code: str
    name: str
    path: str
    depth: int


class AreaCreateIn(Schema):
    parent_id: int
    level: Level
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)


class AreaPatchIn(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=100)


class AreaMoveIn(Schema):
    parent_id: int


class AreaCountsOut(Schema):
    id: int
    counts: dict[str, int]
    below_by_level: dict[str, int]


class RoleOut(Schema):
    role: str
    role_display: str = Field(..., alias="get_role_display")
    area_id: int
    area_name: str = Field(..., alias="area.name")


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    kind: str
    roles: list[RoleOut]


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    otp: str | None = Field(None, max_length=6)
    name: str = Field(..., min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=90)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class AuditEntryOut(Schema):
    id: int
    timestamp: datetime
    actor_username: str
    actor_roles: str
    event_type: str
    object_type: str
    object_id: str
    object_repr: str
    outcome: bool
    source_ip: str | None
    request_id: str
    changes: dict
    detail: dict


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorBody
