"""Accounts and roles. The system administrator creates and disables accounts;
the security administrator grants roles and unlocks accounts; neither reads
the audit log (三权分立). Every change is audited in its own transaction."""

from __future__ import annotations

import uuid

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import AccountKind, AuditEvent
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, RoleAssignment, User
from shequ.core.phones import normalize_mobile
from shequ.core.roles import SEPARATED_ROLES, Action, Role
from shequ.core.scoping import can, forget_roles
from shequ.core.services.audit import audit_record, diff, snapshot

SEPARATION_MESSAGE = gettext_lazy("市级管理员、审计管理员和安全管理员三种角色不能由同一人兼任。")
USER_AUDITED_FIELDS = ("username", "full_name", "kind", "is_active", "must_change_password")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc


def _clean_mobile(mobile: str | None) -> str | None:
    if not mobile:
        return None
    normalized = normalize_mobile(mobile)
    if normalized is None:
        raise InvalidInput(_("手机号格式不正确，应为 11 位中国大陆手机号。"), field="mobile")
    return normalized


def _end_sessions(user: User) -> None:
    """A new session version: every open session of ``user`` ends (SECURITY.md row 5)."""
    user.session_version = uuid.uuid4()
    User.objects.filter(pk=user.pk).update(session_version=user.session_version)
    forget_roles(user)


def _require_account_manager(actor: User | None, user: User) -> None:
    """Accounts of auditors and security administrators are managed by a
    security administrator, not by the system administrator (三权分立)."""
    if actor is None:
        return
    guarded = user.roles.filter(role__in=[Role.AUDITOR, Role.SECURITY_ADMIN]).exists()
    _require(actor, Action.ROLE_MANAGE if guarded else Action.USER_MANAGE)


def may_manage_account(actor: User, user: User) -> bool:
    try:
        _require_account_manager(actor, user)
    except Forbidden:
        return False
    return actor.pk != user.pk


def _revoke_tokens(user: User) -> None:
    from shequ.core.models import ApiToken

    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _require(actor: User | None, action: str, path: str | None = None) -> None:
    if actor is not None and not can(actor, action, path):
        raise Forbidden()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str = "",
    mobile: str | None = None,
    kind: str = AccountKind.STAFF,
    must_change_password: bool | None = None,
) -> User:
    """Open an account. One created by someone else must change its password
    at first login."""
    _require(actor, Action.USER_MANAGE)
    username = (username or "").strip()
    if not username:
        raise InvalidInput(_("请填写用户名。"), field="username")
    if kind not in AccountKind.values:
        raise InvalidInput(_("未知的账户类型。"), field="kind")
    mobile = _clean_mobile(mobile)
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("用户名已被使用。"), field="username")
    if mobile and User.objects.filter(mobile=mobile).exists():
        raise InvalidInput(_("该手机号已绑定其他账户。"), field="mobile")
    user = User(
        username=username, full_name=full_name.strip(), mobile=mobile, kind=kind, created_by=actor
    )
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise InvalidInput(_("用户名只能包含字母、数字、汉字和 @.+-_。"), field="username") from exc
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = (
        actor is not None if must_change_password is None else must_change_password
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict(_("用户名或手机号已被使用。")) from exc
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=user,
        changes={"after": snapshot(user, USER_AUDITED_FIELDS)},
    )
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str | None = None, mobile: str | None = None
) -> User:
    """Correct an account's name or mobile number (the number used to log in)."""
    _require_account_manager(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, USER_AUDITED_FIELDS)
    old_mobile = user.mobile
    if full_name is not None:
        user.full_name = full_name.strip()[:50]
    if mobile is not None:
        cleaned = _clean_mobile(mobile)
        if cleaned and User.objects.filter(mobile=cleaned).exclude(pk=user.pk).exists():
            raise InvalidInput(_("该手机号已绑定其他账户。"), field="mobile")
        user.mobile = cleaned
    user.save(update_fields=["full_name", "mobile"])
    changes = diff(before, snapshot(user, USER_AUDITED_FIELDS))
    # The number itself never goes into the log; only the fact that it changed.
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=user,
        changes=changes,
        detail={"mobile_changed": old_mobile != user.mobile},
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool, reason: str = "") -> User:
    """Disable or re-enable an account; disabling ends its sessions and tokens at once."""
    _require_account_manager(actor, user)
    if actor is not None and actor.pk == user.pk:
        raise InvalidInput(_("不能停用自己的账户。"))
    User.objects.filter(pk=user.pk).update(is_active=active, session_version=uuid.uuid4())
    if not active:
        _revoke_tokens(user)
    user.refresh_from_db()
    audit_record(
        event=AuditEvent.ACCOUNT_ENABLED if active else AuditEvent.ACCOUNT_DISABLED,
        actor=actor,
        obj=user,
        detail={"reason": reason},
    )
    return user


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    """The user sets a new password (first login, rotation, or by choice)."""
    if user.check_password(new_password):
        raise InvalidInput(_("新密码不能与当前密码相同。"), field="new_password1")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _revoke_tokens(user)
    audit_record(event=AuditEvent.PASSWORD_CHANGED, actor=user, obj=user)
    return user


@transaction.atomic
def password_reset(*, actor: User, user: User, temporary_password: str) -> User:
    """An administrator sets a temporary password; the user must change it at
    next login. Open sessions and API tokens end."""
    _require_account_manager(actor, user)
    if actor.pk == user.pk:
        raise InvalidInput(_("请在“我的账户”中修改自己的密码。"))
    _check_password(temporary_password, user)
    user.set_password(temporary_password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.session_version = uuid.uuid4()
    user.save(
        update_fields=["password", "must_change_password", "password_changed_at", "session_version"]
    )
    _revoke_tokens(user)
    audit_record(event=AuditEvent.PASSWORD_RESET, actor=actor, obj=user)
    return user


def role_grant_check(*, actor: User | None, user: User, role: str, area: Area) -> None:
    """Refuse a grant that breaks a rule: unknown role, outside the actor's
    scope, to oneself, or against the separation of duties (三权分立: the
    administrator, auditor and security administrator use dedicated accounts)."""
    if role not in Role.values:
        raise InvalidInput(_("未知的角色。"), field="role")
    _require(actor, Action.ROLE_MANAGE, area.path)
    if actor is not None and actor.pk == user.pk:
        raise Forbidden(_("不能给自己授予角色。"))
    held = set(user.roles.values_list("role", flat=True))
    if role in SEPARATED_ROLES and held & SEPARATED_ROLES:
        raise InvalidInput(SEPARATION_MESSAGE, field="role")
    if held and (
        (role in SEPARATED_ROLES and held - {role}) or (held & SEPARATED_ROLES and role not in held)
    ):
        raise InvalidInput(
            _("市级管理员、审计管理员和安全管理员须使用专用账户，不能兼任其他角色。"), field="role"
        )
    if user.roles.filter(role=role, area=area).exists():
        raise InvalidInput(_("该用户已在此区域担任该角色。"), field="role")


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, area: Area) -> RoleAssignment:
    """Give ``user`` a role on ``area``. The three separated roles exclude one
    another, and nobody grants roles to themselves."""
    role_grant_check(actor=actor, user=user, role=role, area=area)
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, area=area, area_path=area.path, granted_by=actor
            )
    except IntegrityError as exc:
        raise InvalidInput(SEPARATION_MESSAGE, field="role") from exc
    _end_sessions(user)
    audit_record(
        event=AuditEvent.ROLE_GRANTED,
        actor=actor,
        obj=user,
        area_path=area.path,
        detail={"role": role, "area_id": area.pk},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> None:
    _require(actor, Action.ROLE_MANAGE, assignment.area_path)
    if actor is not None and actor.pk == assignment.user_id:
        raise Forbidden(_("不能撤销自己的角色。"))
    user = assignment.user
    detail = {"role": assignment.role, "area_id": assignment.area_id}
    path = assignment.area_path
    assignment.delete()
    _end_sessions(user)
    audit_record(
        event=AuditEvent.ROLE_REVOKED, actor=actor, obj=user, area_path=path, detail=detail
    )


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    """Lift a login lockout before its 30 minutes are over."""
    from axes.utils import reset

    _require(actor, Action.ROLE_MANAGE)
    reset(username=user.username)
    audit_record(event=AuditEvent.ACCOUNT_UNLOCKED, actor=actor, obj=user)


@transaction.atomic
def dormant_accounts_disable(*, days: int) -> int:
    """Disable accounts unused for ``days`` days (SECURITY.md row 6)."""
    cutoff = timezone.now() - timezone.timedelta(days=days)
    dormant = (
        User.objects.filter(is_active=True)
        .exclude(last_login__gte=cutoff)
        .exclude(last_login__isnull=True, date_joined__gte=cutoff)
    )
    count = 0
    for user in dormant:
        user_set_active(actor=None, user=user, active=False, reason=f"dormant>{days}d")
        count += 1
    return count


@transaction.atomic
def otp_reset(*, actor: User, user: User, reason: str) -> None:
    """Remove a user's TOTP devices (a lost phone); they bind a new one at
    their next login. Only the security administrator may, with a reason."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require(actor, Action.ROLE_MANAGE)
    if actor.pk == user.pk:
        raise Forbidden(_("不能重置自己的动态口令。"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写重置原因。"), field="reason")
    TOTPDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    audit_record(
        event=AuditEvent.OTP_DEVICE_RESET, actor=actor, obj=user, detail={"reason": reason[:200]}
    )
