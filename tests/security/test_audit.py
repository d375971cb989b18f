"""The audit log (SECURITY.md rows 17-21): every action leaves exactly one
complete line; the source address comes from trusted proxies only; no secrets
in the log; the chain finds tampering; the database refuses edits; a failed
audit write undoes the change; only the auditor reads it; retention."""

from __future__ import annotations

import gzip
import importlib
import io
import json
import re
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from shequ.core.models import AuditEntry, RoleAssignment
from shequ.core.roles import Role
from shequ.core.services import audit as audit_service
from shequ.core.services.audit import audit_record, audit_verify
from shequ.core.services.tokens import token_create
from shequ.core.tests.factories import PASSWORD
from tests.security.helpers import (
    LOGIN_URL,
    assert_error_format,
    client_for,
    file_sensitive_grant,
    last_audit_id,
    new_audit,
    send,
    state,
)
from tests.security.specs import Act, act_as, app_tables

GUARD = importlib.import_module("shequ.core.migrations.0002_audit_guard")
WRONG = "Wrong-Password-2026!"
NEW_PASSWORD = "Xin-Mima-Anquan-2026#"


# --------------------------------------------------------------------------
# Row 17/18: each action, exactly one complete line
# --------------------------------------------------------------------------


def _login_ok(city, people):
    return Client().post(
        LOGIN_URL, {"username": "grid_worker", "password": PASSWORD}
    ), "grid_worker"


def _login_failed(city, people):
    return Client().post(LOGIN_URL, {"username": "grid_worker", "password": WRONG}), "grid_worker"


def _lockout(city, people):
    client = Client()
    for _ in range(5):
        response = client.post(LOGIN_URL, {"username": "grid_worker", "password": WRONG})
    assert response.status_code == 429
    return response, "grid_worker"


def _logout(city, people):
    client = client_for(people["grid_worker"])
    return client.post("/accounts/logout/"), "grid_worker"


_as = act_as


def _movable(city, people):
    from shequ.core.services.areas import area_create

    return area_create(
        actor=None, parent=city.communities["A1"], level="grid", code="Gm", name="A1临时网格"
    )


def _password_change(city, people):
    client = client_for(people["grid_worker"])
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    return response, "grid_worker"


def _token_revoke(city, people):
    token, _plain = token_create(user=people["grid_worker"], name="热线")
    response = client_for(people["grid_worker"]).post(f"/accounts/tokens/{token.pk}/revoke/")
    return response, "grid_worker"


def _access_denied(city, people):
    response = client_for(people["street_staff_b"]).get(f"/areas/{city.grids['A1a'].pk}/")
    assert response.status_code == 404
    return response, "street_staff_b"


def _access_denied_api(city, people):
    response = client_for(people["grid_worker_b"]).get(f"/api/v1/areas/{city.grids['A1a'].pk}")
    assert response.status_code == 404
    return response, "grid_worker_b"


def _approval_decide(city, people):
    approval, subject = file_sensitive_grant(city, people)
    client = client_for(people["security_admin_a"])
    response = client.post(f"/approvals/{approval.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=subject, role=Role.AUDITOR).exists()
    return response, "security_admin_a"


def _resident(city):
    from shequ.registry.tests.factories import make_household, make_resident

    return make_resident(make_household(city.units["A1a"]), name="欧阳测试", mobile="13700002222")


def _grant_data(city, people):
    return {"role": Role.BUILDING_TEAM, "area": city.grids["A1a"].pk}


def _grid_url(suffix):
    return lambda city, people: f"/areas/{city.grids['A1a'].pk}/{suffix}"


ACTIONS: dict[str, Act] = {
    "login ok": Act("login", _login_ok, "core.user"),
    "login failed": Act("login_failed", _login_failed, "core.user", outcome=False),
    "lockout": Act("locked_out", _lockout, outcome=False),
    "logout": Act("logout", _logout, "core.user"),
    "area create (web)": Act(
        "create",
        _as(
            "street_staff",
            "POST",
            _grid_url("new/"),
            lambda c, p: {"level": "estate", "code": "E9", "name": "新小区"},
        ),
        "core.area",
    ),
    "area update (web)": Act(
        "update",
        _as(
            "street_staff",
            "POST",
            _grid_url("edit/"),
            lambda c, p: {"code": "Ga", "name": "A1a网格（新）"},
        ),
        "core.area",
    ),
    "area move (web)": Act(
        "move",
        _as(
            "street_staff",
            "POST",
            lambda c, p: f"/areas/{_movable(c, p).pk}/move/",
            lambda c, p: {"new_parent": c.communities["A2"].pk},
        ),
        "core.area",
    ),
    "area create (api)": Act(
        "create",
        _as(
            "street_staff",
            "POST",
            lambda c, p: "/api/v1/areas",
            lambda c, p: {
                "parent_id": c.grids["A1a"].pk,
                "level": "estate",
                "code": "E9",
                "name": "新小区",
            },
            api=True,
        ),
        "core.area",
    ),
    "area update (api)": Act(
        "update",
        _as(
            "street_staff",
            "PATCH",
            lambda c, p: f"/api/v1/areas/{c.grids['A1a'].pk}",
            lambda c, p: {"name": "改名"},
            api=True,
        ),
        "core.area",
    ),
    "area move (api)": Act(
        "move",
        _as(
            "street_staff",
            "POST",
            lambda c, p: f"/api/v1/areas/{_movable(c, p).pk}/move",
            lambda c, p: {"parent_id": c.communities["A2"].pk},
            api=True,
        ),
        "core.area",
    ),
    "role grant": Act(
        "role_granted",
        _as(
            "security_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/roles/",
            _grant_data,
        ),
        "core.user",
    ),
    "sensitive role grant filed": Act(
        "approval_requested",
        _as(
            "security_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/roles/",
            lambda c, p: {"role": Role.DISTRICT_STAFF, "area": c.district.pk},
        ),
        "core.approvalrequest",
    ),
    "role revoke": Act(
        "role_revoked",
        _as(
            "security_admin",
            "POST",
            lambda c, p: (
                f"/users/{p['grid_worker'].pk}/roles/{RoleAssignment.objects.get(user=p['grid_worker']).pk}/revoke/"
            ),
        ),
        "core.user",
    ),
    "user create": Act(
        "create",
        _as(
            "city_admin",
            "POST",
            lambda c, p: "/users/new/",
            lambda c, p: {
                "username": "new_clerk",
                "full_name": "",
                "mobile": "",
                "kind": "staff",
                "password": NEW_PASSWORD,
            },
        ),
        "core.user",
    ),
    "user disable": Act(
        "account_disabled",
        _as(
            "city_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/active/",
            lambda c, p: {"active": "0"},
        ),
        "core.user",
    ),
    "password reset": Act(
        "password_reset",
        _as(
            "city_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/reset/",
            lambda c, p: {"temporary_password": NEW_PASSWORD},
        ),
        "core.user",
    ),
    "account unlock": Act(
        "account_unlocked",
        _as("security_admin", "POST", lambda c, p: f"/users/{p['grid_worker'].pk}/unlock/"),
        "core.user",
    ),
    "user edit": Act(
        "update",
        _as(
            "city_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/edit/",
            lambda c, p: {"full_name": "新名字", "mobile": ""},
        ),
        "core.user",
    ),
    "otp reset": Act(
        "otp_device_reset",
        _as(
            "security_admin",
            "POST",
            lambda c, p: f"/users/{p['grid_worker'].pk}/otp-reset/",
            lambda c, p: {"reason": "手机丢失"},
        ),
        "core.user",
    ),
    "password change": Act("password_changed", _password_change, "core.user"),
    "token create (web)": Act(
        "token_created",
        _as(
            "grid_worker",
            "POST",
            lambda c, p: "/accounts/tokens/",
            lambda c, p: {"name": "热线", "days": 30},
        ),
        "core.apitoken",
    ),
    "token revoke (web)": Act("token_revoked", _token_revoke, "core.apitoken"),
    "access denied (web)": Act("access_denied", _access_denied, "core.area", outcome=False),
    "access denied (api)": Act("access_denied", _access_denied_api, "core.area", outcome=False),
    "approval decide": Act("approval_approved", _approval_decide, "core.approvalrequest"),
    "personal data reveal (web)": Act(
        "pii_reveal",
        _as(
            "community_worker",
            "POST",
            lambda c, p: f"/registry/residents/{_resident(c).pk}/reveal/",
            lambda c, p: {"reason": "核对低保"},
        ),
        "registry.resident",
    ),
    "personal data reveal (api)": Act(
        "pii_reveal",
        _as(
            "community_worker",
            "POST",
            lambda c, p: f"/api/v1/registry/residents/{_resident(c).pk}/reveal",
            lambda c, p: {"reason": "核对低保"},
            api=True,
        ),
        "registry.resident",
    ),
    "audit query (web)": Act("audit_query", _as("auditor", "GET", lambda c, p: "/audit/")),
    "audit query (api)": Act(
        "audit_query", _as("auditor", "GET", lambda c, p: "/api/v1/audit", api=True)
    ),
    "audit export": Act(
        "export", _as("auditor", "GET", lambda c, p: "/audit/export/"), "core.auditentry"
    ),
}
ACTIONS.update(app_tables("audit", "ACTIONS"))  # each app's rows, audit_<app>.py

REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_leaves_exactly_one_complete_line(city, people, name):
    act = ACTIONS[name]
    since = last_audit_id()
    started = timezone.now()
    response, actor = act.run(city, people)
    lines = new_audit(since, event_type=act.event)
    assert len(lines) == 1, [(e.event_type, e.actor_username) for e in new_audit(since)]
    line = lines[0]
    assert line.timestamp is not None and line.timestamp.tzinfo is not None
    assert started <= line.timestamp <= timezone.now()
    assert line.event_type == act.event
    assert REQUEST_ID.match(line.request_id)
    assert line.request_id == response["X-Request-ID"], (
        "the line ties to the request that caused it"
    )
    assert line.source_ip == "127.0.0.1"
    assert line.actor_username == actor
    assert line.outcome is act.outcome
    if act.object_type:
        assert line.object_type == act.object_type
    if line.actor_id is not None:
        assert line.actor_roles, "the actor's roles at the time are recorded"
    assert audit_verify() == []


AUDITED_ROUTES = {
    "core:area_create": "area create (web)",
    "core:area_edit": "area update (web)",
    "core:area_move": "area move (web)",
    "core:role_grant": "role grant",
    "core:role_revoke": "role revoke",
    "core:user_create": "user create",
    "core:user_active": "user disable",
    "core:password_reset": "password reset",
    "core:user_unlock": "account unlock",
    "core:user_edit": "user edit",
    "core:otp_reset": "otp reset",
    "core:approval_decide": "approval decide",
    "api:area_new": "area create (api)",
    "api:area_patch": "area update (api)",
    "api:area_move_route": "area move (api)",
}


# Rows kept by each app in tests/security/audit_<app>.py.
AUDITED_ROUTES.update(app_tables("audit", "AUDITED_ROUTES"))


def test_every_mutating_route_has_an_audited_action():
    """A new route that changes data must say here which audit line it leaves."""
    from tests.security.test_route_matrix import ROUTES, Scoped, Staff

    mutating = {
        name
        for name, spec in ROUTES.items()
        if (isinstance(spec, Scoped) and spec.changes) or (isinstance(spec, Staff) and spec.mutates)
    }
    assert mutating - set(AUDITED_ROUTES) == set()
    assert set(AUDITED_ROUTES.values()) <= set(ACTIONS)


# --------------------------------------------------------------------------
# Row 18: the source address
# --------------------------------------------------------------------------


def _denied_from(client: Client, city) -> AuditEntry:
    since = last_audit_id()
    assert client.get(f"/areas/{city.grids['A1a'].pk}/").status_code == 404
    (line,) = new_audit(since, event_type="access_denied")
    return line


def _client(people, **meta) -> Client:
    client = Client(**meta)
    from shequ.core.tests.factories import login

    login(client, people["street_staff_b"])
    return client


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(city, people):
    client = _client(people, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _denied_from(client, city).source_ip == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["198.51.100.7", "10.0.0.2"])
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9, 10.0.0.2", "203.0.113.9"),  # through two trusted proxies
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a client-supplied first hop is not believed
        ("not-an-address", "198.51.100.7"),
    ],
)
def test_forwarded_for_from_a_trusted_proxy_names_the_client(city, people, forwarded, expected):
    client = _client(people, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=forwarded)
    assert _denied_from(client, city).source_ip == expected


def test_failed_logins_record_the_peer_not_the_header(people):
    since = last_audit_id()
    Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.10").post(
        LOGIN_URL, {"username": "grid_worker", "password": WRONG}
    )
    (line,) = new_audit(since, event_type="login_failed")
    assert line.source_ip == "198.51.100.8"


@pytest.mark.parametrize(
    ("peer", "recorded"),
    [
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("", None),
        ("not-an-address", None),
    ],
)
def test_unusual_peer_addresses_are_recorded_as_stored_and_keep_the_chain_intact(
    city, people, peer, recorded
):
    """The hash covers the address, so it must be hashed in the form the
    database gives back; a peer that is no address at all is recorded as none."""
    client = _client(people, REMOTE_ADDR=peer)
    line = _denied_from(client, city)
    assert line.source_ip == recorded
    assert AuditEntry.objects.get(pk=line.pk).source_ip == recorded
    assert audit_verify() == []


# --------------------------------------------------------------------------
# Row 19: no secrets or personal numbers in the log
# --------------------------------------------------------------------------

PHONE = re.compile(r"1[3-9]\d{9}")


def test_the_log_holds_no_password_token_or_mobile_number(city, people):
    mobile = "13987654321"
    since = last_audit_id()
    admin = client_for(people["city_admin"])
    created = admin.post(
        "/users/new/",
        {
            "username": "with_mobile",
            "full_name": "有手机",
            "mobile": mobile,
            "kind": "resident",
            "password": NEW_PASSWORD,
        },
    )
    assert created.status_code == 302
    from shequ.core.models import User

    subject = User.objects.get(username="with_mobile")
    admin.post(f"/users/{subject.pk}/reset/", {"temporary_password": "Linshi-Mima-2026#"})
    for typed in (mobile, "139 8765 4321", "+8613987654321"):
        Client().post(LOGIN_URL, {"username": typed, "password": WRONG})
    for _ in range(5):
        Client(REMOTE_ADDR="198.51.100.9").post(
            LOGIN_URL, {"username": "13911112222", "password": WRONG}
        )
    login_client = Client()
    assert (
        login_client.post(
            LOGIN_URL, {"username": mobile, "password": "Linshi-Mima-2026#"}
        ).status_code
        == 302
    )
    login_client.post(
        "/accounts/password/",
        {
            "old_password": "Linshi-Mima-2026#",
            "new_password1": "Ziji-Mima-2026#x",
            "new_password2": "Ziji-Mima-2026#x",
        },
    )
    _token, plain = token_create(user=people["grid_worker"], name="热线")
    issued = Client().post(
        "/api/v1/auth/tokens",
        {"username": "grid_worker", "password": PASSWORD, "name": "x"},
        content_type="application/json",
    )
    assert issued.status_code == 201

    lines = new_audit(since)
    assert {e.event_type for e in lines} >= {
        "create",
        "password_reset",
        "login_failed",
        "locked_out",
        "login",
        "password_changed",
        "token_created",
    }
    dumped = json.dumps(
        [
            [e.actor_username, e.object_repr, e.object_id, e.changes, e.detail, e.actor_roles]
            for e in lines
        ],
        ensure_ascii=False,
    )
    for secret in (
        NEW_PASSWORD,
        "Linshi-Mima-2026#",
        "Ziji-Mima-2026#x",
        WRONG,
        PASSWORD,
        plain,
        issued.json()["token"],
    ):
        assert secret not in dumped
    assert not PHONE.search(dumped.replace(" ", "").replace("-", "")), (
        "a full mobile number reached the audit log"
    )
    assert "139****2222" in dumped, "failed logins by an unknown mobile are recorded masked"
    by_known_mobile = [
        e for e in lines if e.event_type == "login_failed" and e.object_id == str(subject.pk)
    ]
    assert len(by_known_mobile) == 3, (
        "failed logins by a known mobile are recorded against the account"
    )


def test_injected_control_characters_do_not_forge_log_lines(people, no_personal_data_in_logs):
    import logging

    logging.getLogger("shequ.test").warning(
        "login failed for %s", "evil\r\n2026-01-01 INFO forged line \x1b[31m"
    )
    from shequ.core.logging import scrub

    assert "\n" not in scrub("evil\r\n2026-01-01 INFO forged")
    assert "\x1b" not in scrub("a\x1b[31mb")


# --------------------------------------------------------------------------
# Row 20: integrity
# --------------------------------------------------------------------------


@contextmanager
def audit_guard_lifted():
    """Simulate someone with database-owner rights editing the log behind the
    application's back: lift the append-only trigger, then put it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_guard")
        else:
            cursor.execute(GUARD.SQLITE_DOWN)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_guard")
            else:
                cursor.execute(GUARD.SQLITE_UP)


def test_chain_verifies_and_reports_the_edited_row(city, people):
    assert AuditEntry.objects.count() > 10
    assert audit_verify() == []
    victim = AuditEntry.objects.order_by("id")[5]
    with audit_guard_lifted():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditentry SET actor_username = %s WHERE id = %s",
                ["someone_else", victim.pk],
            )
    assert AuditEntry.objects.get(pk=victim.pk).actor_username == "someone_else"
    assert audit_verify() == [victim.pk]
    out = StringIO()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=str(victim.pk)):
        call_command("audit_verify", stdout=out)


def test_chain_reports_a_row_rewritten_with_a_fresh_hash(city, people):
    """Recomputing the edited row's own hash does not hide it: the next row's link breaks."""
    rows = list(AuditEntry.objects.order_by("id")[5:7])
    victim, follower = rows
    victim.detail = {"forged": True}
    forged_hash = audit_service.entry_digest(victim)
    with audit_guard_lifted():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditentry SET detail = %s, hash = %s WHERE id = %s",
                [json.dumps({"forged": True}), forged_hash, victim.pk],
            )
    assert audit_verify() == [follower.pk]


def test_deleting_a_row_in_the_middle_is_found(city, people):
    rows = list(AuditEntry.objects.order_by("id")[5:7])
    with audit_guard_lifted():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [rows[0].pk])
    assert audit_verify() == [rows[1].pk]


def test_database_refuses_updates(city, people):
    before = list(AuditEntry.objects.values_list("pk", "event_type"))
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(event_type="login")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET outcome = %s", [False])
    entry = AuditEntry.objects.order_by("id").first()
    entry.event_type = "logout"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert list(AuditEntry.objects.values_list("pk", "event_type")) == before


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite leaves DELETE to the application (Django's test flush needs it)",
)
def test_postgresql_refuses_deletes(city, people):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.order_by("id").first().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == count


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the purge flag only matters to the PostgreSQL guard"
)
def test_postgresql_purge_flag_does_not_open_young_rows(city, people):
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL shequ.audit_purge = 'on'")
            cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.count() == count


def _boom(entry):
    raise RuntimeError("audit store unavailable")


def test_a_failed_audit_write_undoes_the_change(city, people, monkeypatch):
    from shequ.core.services.areas import area_update

    grid = city.grids["A1a"]
    before = state()
    monkeypatch.setattr(audit_service, "entry_digest", _boom)
    with pytest.raises(RuntimeError):
        area_update(actor=people["street_staff"], area=grid, name="不该保存的名字")
    assert state() == before


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("PATCH", "/api/v1/areas/{grid}", {"name": "不该保存的名字"}),
        (
            "POST",
            "/api/v1/areas",
            {"parent_id": "{grid}", "level": "estate", "code": "E9", "name": "不该保存"},
        ),
        ("POST", "/areas/{grid}/edit/", {"code": "Ga", "name": "不该保存的名字"}),
        ("POST", "/users/{worker}/active/", {"active": "0"}),
    ],
)
def test_a_failed_audit_write_answers_500_and_changes_nothing(
    city, people, monkeypatch, method, url, data
):
    ids = {"grid": city.grids["A1a"].pk, "worker": people["grid_worker"].pk}
    url = url.format(**ids)
    data = {
        k: (int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v)
        for k, v in data.items()
    }
    who = "city_admin" if "users" in url else "street_staff"
    client = client_for(people[who], raise_request_exception=False)
    before = state()
    monkeypatch.setattr(audit_service, "entry_digest", _boom)
    response = send(client, method, url, data, api=url.startswith("/api/"))
    assert response.status_code == 500
    assert "audit store unavailable" not in response.content.decode()
    assert state() == before


# --------------------------------------------------------------------------
# Row 21 and 三权分立: only the auditor reads the log; the auditor changes nothing
# --------------------------------------------------------------------------


def test_auditor_reads_and_exports_the_log(city, people):
    client = client_for(people["auditor"])
    page = client.get("/audit/")
    assert page.status_code == 200
    assert len(page.context["entries"]) > 0
    api = client.get("/api/v1/audit", {"page_size": 10})
    assert api.status_code == 200 and api.json()["count"] > 10

    export = client.get("/audit/export/")
    assert export.status_code == 200
    assert "no-store" in export["Cache-Control"]
    workbook = load_workbook(io.BytesIO(export.content))
    assert workbook.properties.creator == "auditor"
    assert export["X-Request-ID"] in (workbook.properties.description or "")
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "auditor" in str(rows[0][0]), "the first row carries the watermark"
    assert len(rows) > 10

    csv = client.get("/audit/export/", {"format": "csv"})
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("# ")


def test_export_neutralises_spreadsheet_formulas(city, people):
    audit_record(
        event="create",
        object_type="t",
        object_repr='=HYPERLINK("http://x","y")',
        area_path=city.city.path,
    )
    export = client_for(people["auditor"]).get("/audit/export/")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    cells = [
        c
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str) and "HYPERLINK" in c
    ]
    assert cells and all(c.startswith("'") for c in cells)


@pytest.mark.parametrize(
    "who", ["city_admin", "security_admin", "street_staff", "district_staff", "community_worker"]
)
def test_no_one_but_the_auditor_reads_the_log(city, people, who):
    client = client_for(people[who])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403
    assert_error_format(client.get("/api/v1/audit"), 403, "forbidden")


def _mutating_cases() -> list:
    from tests.security.test_route_matrix import DISCOVERED, ROUTES, Scoped, Staff

    cases = []
    for name, spec in ROUTES.items():
        if isinstance(spec, Scoped) and spec.changes:
            methods = spec.changes
        elif isinstance(spec, Staff) and spec.mutates:
            methods = {"POST"}
        else:
            continue
        for method in sorted(methods):
            cases.append(pytest.param(DISCOVERED[name], spec, method, id=f"{name}-{method}"))
    return cases


@pytest.mark.parametrize(("route", "spec", "method"), _mutating_cases())
def test_auditor_changes_nothing(city, people, route, spec, method):
    """The auditor holds the whole city, yet no route that changes data works for them."""
    from types import SimpleNamespace

    from django.urls import reverse

    from tests.security.test_route_matrix import Scoped

    world = SimpleNamespace(city=city, people=people)
    if isinstance(spec, Scoped):
        target = spec.target(world)
        kwargs, data = target.kwargs, target.data
    else:
        kwargs, data = {}, spec.data(world)
    before = state()
    url = reverse(route.name, kwargs=kwargs or None)
    response = send(client_for(people["auditor"]), method, url, data, api=route.api)
    assert response.status_code in (403, 404), (route.name, response.status_code)
    assert state() == before


# --------------------------------------------------------------------------
# Row 21: retention
# --------------------------------------------------------------------------


@contextmanager
def _empty_log():
    """Start the chain afresh (the shared test city has young lines at its head,
    and only a prefix of the chain is ever purged)."""
    with audit_guard_lifted():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditentry")
    yield


def _line_at(days_ago: float, name: str, now) -> AuditEntry:
    with time_machine.travel(now - timedelta(days=days_ago), tick=False):
        return audit_record(
            event="create", object_type="test.row", object_id=name, area_path="210200"
        )


def test_retention_purge_archives_old_lines_and_keeps_179_days(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    now = timezone.now()
    with _empty_log():
        old = [_line_at(400, "400d", now), _line_at(181, "181d", now)]
        kept = [_line_at(179, "179d", now), _line_at(1, "1d", now)]

    out = StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "would archive 2" in out.getvalue()
    assert AuditEntry.objects.count() == 4
    assert list(tmp_path.iterdir()) == []

    call_command("audit_purge", stdout=StringIO())
    remaining = set(
        AuditEntry.objects.filter(object_type="test.row").values_list("object_id", flat=True)
    )
    assert remaining == {"179d", "1d"}
    (archive,) = tmp_path.glob("*.jsonl.gz")
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        archived = [json.loads(line) for line in handle]
    assert [row["object_id"] for row in archived] == ["400d", "181d"]
    assert {row["hash"] for row in archived} == {e.hash for e in old}
    assert all(
        kept_line.pk in set(AuditEntry.objects.values_list("pk", flat=True)) for kept_line in kept
    )
    assert AuditEntry.objects.filter(event_type="audit_purge").count() == 1
    assert audit_verify() == []

    out = StringIO()
    call_command("audit_purge", stdout=out)
    assert "archived 0" in out.getvalue()


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_retention_never_goes_below_180_days(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    now = timezone.now()
    with _empty_log():
        _line_at(100, "100d", now)
    call_command("audit_purge", stdout=StringIO())
    assert AuditEntry.objects.filter(object_id="100d").exists()
    from shequ.core.checks import audit_retention

    assert [e.id for e in audit_retention(None)] == ["gov.E004"]
