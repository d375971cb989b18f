"""Password rules (SECURITY.md row 1): staff at least 12 characters from three
classes, residents at least 8; never the username, mobile or ID digits."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind


def _is_staff(user) -> bool:
    return user is None or getattr(user, "kind", AccountKind.STAFF) == AccountKind.STAFF


class AccountKindLengthValidator:
    def validate(self, password: str, user=None) -> None:
        minimum = (
            settings.STAFF_PASSWORD_MIN_LENGTH
            if _is_staff(user)
            else settings.RESIDENT_PASSWORD_MIN_LENGTH
        )
        if len(password) < minimum:
            raise ValidationError(
                _("密码至少需要 %(min)d 个字符。") % {"min": minimum}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("工作人员密码至少 %(staff)d 位，居民至少 %(resident)d 位。") % {
            "staff": settings.STAFF_PASSWORD_MIN_LENGTH,
            "resident": settings.RESIDENT_PASSWORD_MIN_LENGTH,
        }


CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"\d"),
    re.compile(r"[^a-zA-Z\d]"),
)


class CharacterClassValidator:
    def validate(self, password: str, user=None) -> None:
        if not _is_staff(user):
            return
        found = sum(1 for pattern in CLASSES if pattern.search(password))
        if found < settings.STAFF_PASSWORD_MIN_CLASSES:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。")
                % {"n": settings.STAFF_PASSWORD_MIN_CLASSES},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("工作人员密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class PersonalContextValidator:
    """Refuse passwords containing the username, the mobile number, or six
    consecutive digits of the user's ID number or mobile."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        lowered = password.lower()
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in lowered:
            raise ValidationError(_("密码不能包含用户名。"), code="password_has_username")
        name = getattr(user, "full_name", "") or ""
        if name:
            from pypinyin import lazy_pinyin

            spelled = "".join(lazy_pinyin(name)).lower()
            if len(spelled) >= 4 and spelled in lowered:
                raise ValidationError(_("密码不能包含姓名拼音。"), code="password_has_name")
        # ``id_number_hint`` is set by callers that know the person's ID number
        # (resident accounts linked to the registry).
        digits_sources = [
            getattr(user, "mobile", None) or "",
            getattr(user, "id_number_hint", "") or "",
        ]
        for source in digits_sources:
            for start in range(0, max(len(source) - 5, 0)):
                if source[start : start + 6] in password:
                    raise ValidationError(
                        _("密码不能包含手机号或身份证号中的连续数字。"),
                        code="password_has_personal_digits",
                    )

    def get_help_text(self) -> str:
        return _("密码不能包含用户名、手机号或身份证号。")
