"""Authentication and sessions (SECURITY.md rows 1-6): password rules, lockout,
uniform failures, timeouts, second factor, forced changes, API tokens."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.checks import no_superusers
from shequ.core.choices import AccountKind
from shequ.core.models import ApiToken, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.services.users import role_grant, role_revoke, user_create, user_set_active
from shequ.core.tests.factories import PASSWORD, RESIDENT_PASSWORD, login, make_user
from tests.security.helpers import (
    LOGIN_URL,
    assert_error_format,
    client_for,
    last_audit_id,
    new_audit,
    send,
    state,
    strip_csrf,
)

WRONG = "Wrong-Password-2026!"
OTP_URL = "/accounts/2fa/"
PASSWORD_URL = "/accounts/password/"
TOKENS_URL = "/api/v1/auth/tokens"


def _post_login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --------------------------------------------------------------------------
# Row 1: password policy
# --------------------------------------------------------------------------

STAFF = {"username": "zhangwei", "mobile": "13912345678", "kind": AccountKind.STAFF}
RESIDENT = {"username": "lihua", "mobile": "13712345678", "kind": AccountKind.RESIDENT}


@pytest.mark.parametrize(
    ("who", "password", "why"),
    [
        (STAFF, "Aa123456", "common and short"),
        (RESIDENT, "Aa123456", "common"),
        (STAFF, "Zhangwei-Anquan-2026", "contains the username"),
        (RESIDENT, "lihua2026spring", "contains the username"),
        (STAFF, "Qing-345678-Shan!", "six digits of the mobile number"),
        (RESIDENT, "home13712345678", "the whole mobile number"),
        (STAFF, "Ab1!xyz9k", "under 12 characters for staff"),
        (STAFF, "qingshanlvshui2026", "only two character classes for staff"),
        (STAFF, "QINGSHANLVSHUIJINSHAN", "one class"),
        (RESIDENT, "short7!", "under 8 characters"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_weak_passwords_are_rejected(who, password, why):
    with pytest.raises(ValidationError):
        validate_password(password, User(**who))


@pytest.mark.parametrize(
    ("who", "password"),
    [
        (STAFF, "Qingshan lvshui jiushi jinshan yinshan 2026"),
        (STAFF, "Haibin-Lu-7hao-Yuan"),
        (RESIDENT, "hua8shan"),
        (RESIDENT, "qingshanlvshui2026"),
    ],
)
def test_good_passwords_pass(who, password):
    validate_password(password, User(**who))


def test_password_rules_are_the_configured_ones():
    assert settings.STAFF_PASSWORD_MIN_LENGTH >= 12
    assert settings.RESIDENT_PASSWORD_MIN_LENGTH >= 8
    assert settings.STAFF_PASSWORD_MAX_AGE_DAYS <= 90


def test_password_hashes_are_argon2(people):
    import shequ.settings as configured  # the project's own setting, not the tests' fast variant

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    for user in people.values():
        assert user.password.startswith("argon2$argon2id$"), user.username


def test_account_created_in_the_console_is_hashed_with_argon2(city, people):
    client = client_for(people["city_admin"])
    response = client.post(
        "/users/new/",
        {
            "username": "new_clerk",
            "full_name": "新同事",
            "mobile": "",
            "kind": "staff",
            "password": "Xin-Tongshi-2026#",
        },
    )
    assert response.status_code == 302
    stored = User.objects.get(username="new_clerk").password
    assert stored.startswith("argon2$")
    assert "Xin-Tongshi-2026#" not in stored


# --------------------------------------------------------------------------
# Row 2: lockout and uniform failures
# --------------------------------------------------------------------------


def test_cooloff_is_set_so_no_lock_is_permanent():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)


def test_five_failures_lock_the_account_for_thirty_minutes(people):
    user = people["grid_worker"]
    client = Client()
    statuses = [_post_login(client, user.username, WRONG).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4
    locked = _post_login(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert not _logged_in(client)
    # The lock is on the account, not just this address.
    elsewhere = _post_login(Client(), user.username, PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 429

    # (No probe at +29 minutes: an attempt during the lock restarts its 30 minutes.)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        client = Client()
        response = _post_login(client, user.username, PASSWORD)
        assert response.status_code == 302
        assert _logged_in(client)


def test_five_failures_from_one_address_lock_that_address(people):
    client = Client(REMOTE_ADDR="198.51.100.30")
    for name in ("street_staff", "community_worker", "district_staff", "grid_worker_b", "nobody"):
        _post_login(client, name, WRONG)
    response = _post_login(client, "grid_worker", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert (
        _post_login(Client(REMOTE_ADDR="198.51.100.31"), "grid_worker", PASSWORD).status_code == 302
    )


def _normalised(response, typed: str) -> str:
    return strip_csrf(response.content.decode()).replace(typed, "<typed>")


def test_unknown_user_and_wrong_password_look_the_same(people):
    known = _post_login(Client(REMOTE_ADDR="198.51.100.40"), "grid_worker", WRONG)
    unknown = _post_login(Client(REMOTE_ADDR="198.51.100.41"), "no_such_worker", WRONG)
    assert known.status_code == unknown.status_code == 200
    assert "用户名/手机号或密码不正确" in known.content.decode()
    assert _normalised(known, "grid_worker") == _normalised(unknown, "no_such_worker")


def test_lockout_looks_the_same_for_unknown_users(people):
    pages = {}
    for name, ip in (("grid_worker", "198.51.100.50"), ("no_such_worker", "198.51.100.51")):
        client = Client(REMOTE_ADDR=ip)
        for _ in range(5):
            _post_login(client, name, WRONG)
        pages[name] = _post_login(client, name, PASSWORD if name == "grid_worker" else WRONG)
    assert pages["grid_worker"].status_code == pages["no_such_worker"].status_code == 429
    assert _normalised(pages["grid_worker"], "grid_worker") == _normalised(
        pages["no_such_worker"], "no_such_worker"
    )


def test_api_token_failures_look_the_same_for_unknown_users(people):
    body = {"password": WRONG, "name": "热线"}
    known = Client(REMOTE_ADDR="198.51.100.60").post(
        TOKENS_URL, {**body, "username": "grid_worker"}, content_type="application/json"
    )
    unknown = Client(REMOTE_ADDR="198.51.100.61").post(
        TOKENS_URL, {**body, "username": "no_such_worker"}, content_type="application/json"
    )
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert_error_format(known, 401, "invalid_credentials")


def test_api_token_endpoint_counts_towards_the_same_lockout(people):
    user = people["grid_worker"]
    web = Client()
    api = Client()
    for _ in range(3):
        _post_login(web, user.username, WRONG)
    for _ in range(2):
        api.post(
            TOKENS_URL,
            {"username": user.username, "password": WRONG, "name": "x"},
            content_type="application/json",
        )
    assert _post_login(web, user.username, PASSWORD).status_code == 429
    response = api.post(
        TOKENS_URL,
        {"username": user.username, "password": PASSWORD, "name": "x"},
        content_type="application/json",
    )
    assert_error_format(response, 429, "locked_out")
    assert not ApiToken.objects.filter(user=user).exists()


def test_login_by_mobile_number(city):
    user = make_user(
        Role.RESIDENT, city.units["A1a"], username="resident_mobile", mobile="13912345678"
    )
    client = Client()
    response = _post_login(client, "139 1234 5678", RESIDENT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert _post_login(Client(), "+86 139-1234-5679", RESIDENT_PASSWORD).status_code == 200


# --------------------------------------------------------------------------
# Rows 3-5: sessions
# --------------------------------------------------------------------------


def test_idle_session_expires_after_thirty_minutes(people):
    user = people["grid_worker"]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(user)
        assert client.get("/areas/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/areas/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        since = last_audit_id()
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        expired = new_audit(since, event_type="session_expired")
        assert [e.actor_id for e in expired] == [user.pk]
        assert client.get("/areas/")["Location"].startswith(LOGIN_URL)


def test_idle_api_session_answers_401(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(people["grid_worker"])
        traveller.shift(timedelta(minutes=31))
        assert_error_format(client.get("/api/v1/me"), 401, "session_expired")


def test_an_active_session_still_ends_after_twelve_hours(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(people["grid_worker"])
        elapsed = timedelta()
        while elapsed <= settings.SESSION_ABSOLUTE_LIFETIME:
            assert client.get("/areas/").status_code == 200, elapsed
            traveller.shift(timedelta(minutes=10))
            elapsed += timedelta(minutes=10)
        response = client.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)


def test_session_key_changes_at_login(people):
    client = Client()
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert _post_login(client, "grid_worker", PASSWORD).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert not SessionStore().exists(planted.session_key)


def test_logout_invalidates_the_old_cookie(people):
    client = Client()
    _post_login(client, "grid_worker", PASSWORD)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/areas/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    response = replay.get("/areas/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not SessionStore().exists(old)


def test_logout_tells_the_browser_to_drop_cached_pages_and_offline_data(people):
    """Row 27: a shared phone keeps nothing of the last user (the field app's
    IndexedDB queue, cached pages, service worker)."""
    response = client_for(people["grid_worker"]).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_logout_needs_post(people):
    client = client_for(people["grid_worker"])
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/areas/").status_code == 200


def test_disabling_a_user_ends_their_session(people):
    user = people["grid_worker"]
    client = client_for(user)
    assert client.get("/areas/").status_code == 200
    user_set_active(actor=people["city_admin"], user=user, active=False, reason="离职")
    response = client.get("/areas/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert client.get("/api/v1/me").status_code == 401
    # And the password no longer opens a new session either.
    fresh = Client()
    assert _post_login(fresh, user.username, PASSWORD).status_code == 200
    assert not _logged_in(fresh)


def test_revoking_a_role_ends_the_session(people):
    user = people["grid_worker"]
    client = client_for(user)
    assert client.get("/areas/").status_code == 200
    role_revoke(actor=people["security_admin"], assignment=RoleAssignment.objects.get(user=user))
    response = client.get("/areas/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_granting_a_role_ends_the_session_too(city, people):
    """A new role takes effect at a fresh login, with a fresh second factor."""
    user = people["grid_worker"]
    client = client_for(user)
    role_grant(
        actor=people["security_admin"], user=user, role=Role.GRID_WORKER, area=city.grids["A1b"]
    )
    assert client.get("/areas/")["Location"].startswith(LOGIN_URL)


# --------------------------------------------------------------------------
# Row 4: second factor for the separated roles
# --------------------------------------------------------------------------

OTP_ROLES = ["city_admin", "auditor", "security_admin"]


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _unverified_client(user: User) -> Client:
    client = Client()
    login(client, user, verify_otp=False)
    return client


# The pages a user must reach to finish logging in, and the public ones.
SECOND_FACTOR_EXEMPT = {"core:otp", "core:password_change", "core:logout"}


def _guarded_routes():
    from tests.security.test_route_matrix import (
        DISCOVERED,
        ROUTES,
        Open311,
        Public,
        _placeholder_kwargs,
    )

    for name, route in DISCOVERED.items():
        # Open311 takes no session at all (its api_key sweep is in test_route_matrix).
        if isinstance(ROUTES.get(name), (Public, Open311)) or name in SECOND_FACTOR_EXEMPT:
            continue
        yield route, reverse(name, kwargs=_placeholder_kwargs(route) or None)


@pytest.mark.parametrize("who", OTP_ROLES)
def test_separated_roles_without_a_second_factor_reach_nothing(people, who):
    """Every page and every API route, whatever the method, until the code is given."""
    assert who in settings.OTP_REQUIRED_ROLES
    client = _unverified_client(people[who])
    before = state()
    checked = 0
    for route, url in _guarded_routes():
        for method in route.methods:
            response = send(client, method, url, {}, api=route.api)
            if route.api:
                assert_error_format(response, 403, "otp_required")
            else:
                assert response.status_code == 302, (method, url)
                assert response["Location"].startswith(OTP_URL), (method, url)
            checked += 1
    assert checked > 40
    assert state() == before


def test_roles_outside_the_list_need_no_second_factor(people):
    client = _unverified_client(people["street_staff"])
    assert client.get("/areas/").status_code == 200


def _window_start():
    """Frozen time at the start of a TOTP step, so a few seconds' wait (django-otp
    throttles verification for a moment after a failure) stays in the same step."""
    return time_machine.travel((int(time.time()) // 30 + 1) * 30 + 1, tick=False)


def test_a_correct_code_lets_in_and_the_same_code_cannot_be_reused(people):
    user = people["city_admin"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with _window_start() as clock:
        code = _code(device)
        first = _unverified_client(user)
        wrong = first.post(OTP_URL, {"code": f"{(int(code) + 1) % 1000000:06d}"})
        assert wrong.status_code == 200
        assert first.get("/areas/")["Location"].startswith(OTP_URL)
        clock.shift(5)
        response = first.post(f"{OTP_URL}?next=/areas/", {"code": code})
        assert response.status_code == 302
        assert response["Location"] == "/areas/"
        assert first.get("/areas/").status_code == 200
        assert first.get("/api/v1/me").status_code == 200

        clock.shift(5)
        second = _unverified_client(user)
        replay = second.post(OTP_URL, {"code": code})
        assert replay.status_code == 200
        assert "动态口令不正确或已使用" in replay.content.decode()
        assert second.get("/areas/")["Location"].startswith(OTP_URL)


def test_otp_next_parameter_cannot_send_the_user_elsewhere(people):
    user = people["auditor"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _unverified_client(user)
    response = client.post(f"{OTP_URL}?next=https://evil.example/", {"code": _code(device)})
    assert response.status_code == 302
    assert not response["Location"].startswith("http")


# --------------------------------------------------------------------------
# Row 1: forced password change and rotation
# --------------------------------------------------------------------------


def test_account_created_by_an_administrator_must_change_its_password_first(city, people):
    user = user_create(
        actor=people["city_admin"],
        username="new_worker",
        password="Chushi-Mima-2026#",
        kind="staff",
    )
    role_grant(actor=None, user=user, role=Role.GRID_WORKER, area=city.grids["A1a"])
    assert user.must_change_password
    client = Client()
    assert _post_login(client, "new_worker", "Chushi-Mima-2026#").status_code == 302
    for page in ("/", "/areas/", f"/areas/{city.grids['A1a'].pk}/"):
        assert client.get(page)["Location"].endswith(PASSWORD_URL), page
    assert_error_format(client.get("/api/v1/areas"), 403, "password_change_required")
    # Nor can it fetch an API token before changing the password.
    token = Client().post(
        TOKENS_URL,
        {"username": "new_worker", "password": "Chushi-Mima-2026#", "name": "x"},
        content_type="application/json",
    )
    assert_error_format(token, 403, "password_change_required")

    changed = client.post(
        PASSWORD_URL,
        {
            "old_password": "Chushi-Mima-2026#",
            "new_password1": "Ziji-Shezhi-2026#",
            "new_password2": "Ziji-Shezhi-2026#",
        },
    )
    assert changed.status_code == 302
    assert client.get("/areas/").status_code == 200
    assert User.objects.get(pk=user.pk).check_password("Ziji-Shezhi-2026#")


def test_self_registered_account_is_not_forced(city):
    user = user_create(actor=None, username="self_made", password="Ziji-Zhuce-2026#", kind="staff")
    assert not user.must_change_password


def test_staff_passwords_expire_after_ninety_days_resident_ones_do_not(people):
    later = timezone.now() + timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS + 1)
    with time_machine.travel(later):
        staff = client_for(people["grid_worker"])
        response = staff.get("/areas/")
        assert response.status_code == 302
        assert response["Location"].endswith(PASSWORD_URL)
        resident = client_for(people["resident"])
        assert resident.get("/").status_code == 200
    sooner = timezone.now() + timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS - 1)
    with time_machine.travel(sooner):
        assert client_for(people["grid_worker"]).get("/areas/").status_code == 200


# --------------------------------------------------------------------------
# API tokens
# --------------------------------------------------------------------------


def _issue(username: str, password: str, **extra) -> tuple[int, dict]:
    response = Client().post(
        TOKENS_URL,
        {"username": username, "password": password, "name": "热线对接", **extra},
        content_type="application/json",
    )
    return response.status_code, response.json()


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_token_lifecycle(people):
    status, body = _issue("grid_worker", PASSWORD, days=7)
    assert status == 201, body
    plain = body["token"]
    assert plain.startswith("shq_")
    row = ApiToken.objects.get(pk=body["id"])
    secret = plain.split("_", 2)[2]
    assert row.digest != plain and secret not in row.digest and secret not in row.prefix
    assert plain not in str(ApiToken.objects.filter(pk=row.pk).values().first())

    client = _bearer(plain)
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "grid_worker"
    assert client.get("/api/v1/areas").status_code == 200
    assert _bearer(plain[:-2] + "xx").get("/api/v1/me").status_code == 401
    assert_error_format(_bearer("shq_nonsense").get("/api/v1/me"), 401, "unauthenticated")

    # The token's list does not show the secret.
    listed = client.get(TOKENS_URL).json()
    assert [t["id"] for t in listed] == [row.pk]
    assert plain not in client.get(TOKENS_URL).content.decode()

    assert client.delete(f"{TOKENS_URL}/{row.pk}").status_code == 200
    assert_error_format(client.get("/api/v1/me"), 401, "unauthenticated")


def test_expired_token_is_refused(people):
    status, body = _issue("grid_worker", PASSWORD, days=1)
    assert status == 201
    client = _bearer(body["token"])
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert_error_format(client.get("/api/v1/me"), 401, "unauthenticated")


def test_token_of_a_disabled_user_is_refused(people):
    status, body = _issue("grid_worker", PASSWORD)
    client = _bearer(body["token"])
    assert client.get("/api/v1/me").status_code == 200
    user_set_active(actor=people["city_admin"], user=people["grid_worker"], active=False)
    assert_error_format(client.get("/api/v1/me"), 401, "unauthenticated")


def test_token_for_a_second_factor_role_needs_the_code(people):
    user = people["security_admin"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with _window_start() as clock:
        code = _code(device)
        status, body = _issue(user.username, PASSWORD)
        assert status == 403 and body["error"]["code"] == "otp_required"
        status, body = _issue(user.username, PASSWORD, otp=f"{(int(code) + 1) % 1000000:06d}")
        assert status == 403
        clock.shift(5)
        status, body = _issue(user.username, PASSWORD, otp=code)
        assert status == 201
        assert list(ApiToken.objects.filter(user=user).values_list("pk", flat=True)) == [body["id"]]
        clock.shift(5)
        status, body = _issue(user.username, PASSWORD, otp=code)
        assert status == 403, "a code is good for one use only"


def test_token_lifetime_is_capped(people):
    status, body = _issue("grid_worker", PASSWORD, days=3650)
    assert status == 400
    assert "days" in body["error"]["fields"]


# --------------------------------------------------------------------------
# Row 6: no active superuser
# --------------------------------------------------------------------------


def test_system_check_flags_an_active_superuser(people):
    assert [e.id for e in no_superusers(None)] == []
    User.objects.create_superuser("rootish", password="Chaoji-Yonghu-2026#")
    assert [e.id for e in no_superusers(None)] == ["gov.E001"]
    User.objects.filter(username="rootish").update(is_active=False)
    assert no_superusers(None) == []


def test_system_check_flags_default_account_names(people):
    make_user(username="admin")
    assert [e.id for e in no_superusers(None)] == ["gov.E001"]
