"""Log in by username or by mobile number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from shequ.core.phones import normalize_mobile


def find_user(login: str) -> Any:
    User = get_user_model()
    login = (login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is None:
        mobile = normalize_mobile(login)
        if mobile:
            user = User.objects.filter(mobile=mobile).first()
    return user


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):  # type: ignore[override]
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Spend the same time as a real check, so timing does not tell.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """Count failures against the account, whichever name was typed."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_user(typed)
    return user.username if user is not None else str(typed).strip().lower()[:150]
