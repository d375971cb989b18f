"""Small helpers shared by the security and API tests."""

from __future__ import annotations

import json
import re
from typing import Any

from axes.models import AccessAttempt
from django.test import Client

from shequ.core.models import ApiToken, ApprovalRequest, Area, AuditEntry, RoleAssignment, User
from shequ.core.tests.factories import login

LOGIN_URL = "/accounts/login/"


def client_for(user: User | None, **kwargs: Any) -> Client:
    """A fresh test client, logged in as ``user`` (TOTP verified) unless None."""
    client = Client(**kwargs)
    if user is not None:
        login(client, user)
    return client


def send(
    client: Client, method: str, path: str, data: dict | None = None, *, api: bool, **extra: Any
):
    """One request: JSON for the API, form-encoded for the web."""
    if api:
        if method == "GET":
            return client.get(path, data or {}, **extra)
        body = json.dumps(data or {})
        return client.generic(method, path, body, content_type="application/json", **extra)
    if method == "GET":
        return client.get(path, data or {}, **extra)
    if method == "POST":
        return client.post(path, data or {}, **extra)
    return client.generic(
        method, path, "", content_type="application/x-www-form-urlencoded", **extra
    )


def state() -> dict[str, list[tuple]]:
    """Everything a request could wrongly change, except the append-only audit log."""
    return {
        "areas": list(
            Area.objects.order_by("pk").values_list(
                "pk", "parent_id", "code", "name", "path", "depth"
            )
        ),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk",
                "is_active",
                "password",
                "must_change_password",
                "session_version",
                "full_name",
            )
        ),
        "roles": list(
            RoleAssignment.objects.order_by("pk").values_list(
                "pk", "user_id", "role", "area_id", "area_path"
            )
        ),
        "tokens": list(
            ApiToken.objects.order_by("pk").values_list("pk", "revoked_at", "expires_at")
        ),
        "approvals": list(
            ApprovalRequest.objects.order_by("pk").values_list("pk", "state", "decided_by_id")
        ),
        "lockouts": list(
            AccessAttempt.objects.order_by("pk").values_list(
                "pk", "username", "failures_since_start"
            )
        ),
    }


def assert_error_format(response, status: int | None = None, code: str | None = None) -> dict:
    """The API's one error shape: {"error": {"code", "message", "fields"}}."""
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    for name, messages in error["fields"].items():
        assert (
            isinstance(name, str)
            and isinstance(messages, list)
            and all(isinstance(m, str) for m in messages)
        )
    if code is not None:
        assert error["code"] == code, error
    return error


def new_audit(since_id: int, **filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=since_id, **filters).order_by("pk"))


def last_audit_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def strip_csrf(html: str) -> str:
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', html)


def file_sensitive_grant(city, people):
    """A grant that needs a second security administrator: the auditor role over
    street A, for a fresh account (separated roles need dedicated accounts),
    filed by the city's security administrator. Returns (approval, subject)."""
    from shequ.core.roles import Role
    from shequ.core.services.approvals import role_grant_request
    from shequ.core.tests.factories import make_user

    subject = make_user(username="auditor_to_be")
    outcome = role_grant_request(
        actor=people["security_admin"], user=subject, role=Role.AUDITOR, area=city.streets["A"]
    )
    assert outcome.approval is not None
    return outcome.approval, subject
