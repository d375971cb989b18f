import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import AccountKind
from shequ.core.roles import SEPARATED_ROLES, Role


class User(AbstractUser):
    """Anyone who logs in: staff of every level, grid workers, volunteers,
    party members and residents. What they may do comes from their role
    assignments, never from flags on this row.

    ``session_version`` is part of the session hash: bumping it (role change,
    disabling) ends every session the user has open.
    """

    username_validator = UnicodeUsernameValidator()

    mobile = models.CharField(_("手机号"), max_length=11, null=True, blank=True, unique=True)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    kind = models.CharField(
        _("账户类型"), max_length=16, choices=AccountKind.choices, default=AccountKind.STAFF
    )
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    session_version = models.UUIDField(default=uuid.uuid4, editable=False)
    # The newest session, for roles limited to one session at a time.
    current_session_key = models.CharField(max_length=40, blank=True, editable=False)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UserManager()

    audit_exclude = ("password", "mobile")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "shequ.core.User.session",
            f"{self.password}:{self.session_version}",
            algorithm="sha256",
        ).hexdigest()

    def password_expired(self) -> bool:
        if self.kind != AccountKind.STAFF:
            return False
        if self.password_changed_at is None:
            return False
        max_age = settings.STAFF_PASSWORD_MAX_AGE_DAYS
        return timezone.now() - self.password_changed_at > timezone.timedelta(days=max_age)


class RoleAssignment(models.Model):
    """A role held on an area: a grid worker on grid 3, a community worker on
    a community. It reaches the area and everything below it. A user may hold
    several; the administrator, auditor and security administrator roles
    exclude one another (三权分立), enforced here and by a partial unique index.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="role_assignments")
    # Denormalised from area.path so scoping is a prefix match; area moves rewrite it.
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "area_path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role__in=sorted(SEPARATED_ROLES)),
                name="role_separation_of_powers",
            ),
        ]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"
