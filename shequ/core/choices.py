"""Enumerations core owns: area levels, account kinds, audit event types."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The levels of the area tree, from the top down."""

    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    ESTATE = "estate", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")


LEVEL_ORDER = [level.value for level in Level]

# Which level may sit directly under which. An estate may span grids, so the
# tree places it under a grid (its main one); scattered houses put buildings
# straight under a grid.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    Level.CITY: {Level.DISTRICT},
    Level.DISTRICT: {Level.STREET},
    Level.STREET: {Level.COMMUNITY},
    Level.COMMUNITY: {Level.GRID},
    Level.GRID: {Level.ESTATE, Level.BUILDING},
    Level.ESTATE: {Level.BUILDING},
    Level.BUILDING: {Level.UNIT},
    Level.UNIT: set(),
}


class AccountKind(models.TextChoices):
    """Staff accounts follow the stricter password rules and rotation."""

    STAFF = "staff", _("工作人员")
    RESIDENT = "resident", _("居民")


class AuditEvent(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账户锁定")
    LOGOUT = "logout", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    OTP_VERIFIED = "otp_verified", _("双因素验证通过")
    OTP_FAILED = "otp_failed", _("双因素验证失败")
    OTP_DEVICE_CONFIRMED = "otp_device_confirmed", _("绑定动态口令")
    OTP_DEVICE_RESET = "otp_device_reset", _("重置动态口令")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ACCESS_DENIED = "access_denied", _("越权访问被拒绝")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    MOVE = "move", _("移动")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
    APPROVAL_REQUESTED = "approval_requested", _("提交审批")
    APPROVAL_APPROVED = "approval_approved", _("批准")
    APPROVAL_REJECTED = "approval_rejected", _("驳回")
    ACCOUNT_ENABLED = "account_enabled", _("启用账户")
    ACCOUNT_DISABLED = "account_disabled", _("停用账户")
    ACCOUNT_UNLOCKED = "account_unlocked", _("解除锁定")
    TOKEN_CREATED = "token_created", _("创建访问令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销访问令牌")
    PII_REVEAL = "pii_reveal", _("查看完整个人信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    AUDIT_QUERY = "audit_query", _("查询审计日志")
    AUDIT_PURGE = "audit_purge", _("归档清理审计日志")
