"""The demo city generator (``manage.py demo_city``) and ``manage.py totp_code``.

Every run uses ``--size small`` (one district in full, about 80 areas) and a
fast password hasher, so the module stays quick; one test runs the steps
other apps really registered.
"""

from __future__ import annotations

import io
import random

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core import registry
from shequ.core.choices import Level
from shequ.core.demo import names
from shequ.core.demo.personas import PERSONAS
from shequ.core.models import Area, AuditEntry, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.services.audit import audit_verify

pytestmark = pytest.mark.django_db

DALIAN_DISTRICTS = {
    "210202": "中山区",
    "210203": "西岗区",
    "210204": "沙河口区",
    "210211": "甘井子区",
    "210212": "旅顺口区",
    "210213": "金州区",
    "210214": "普兰店区",
    "210224": "长海县",
    "210281": "瓦房店市",
    "210283": "庄河市",
}


@pytest.fixture(autouse=True)
def demo_settings(settings):
    settings.DEBUG = True  # both commands refuse to run without it
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_app_steps(monkeypatch):
    """Leave other apps' demo steps out, so these tests check core alone."""
    monkeypatch.setattr(registry, "demo_steps", [])


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_city", "--size", "small", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> dict[str, str]:
    """username → password, read from the printed table."""
    usernames = {p.username for p in PERSONAS}
    logins = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 4 and cells[1] in usernames:
            logins[cells[1]] = cells[2]
    return logins


def counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_builds_dalian_with_its_real_district_codes(no_app_steps):
    run_demo()
    city = Area.objects.get(level=Level.CITY)
    assert (city.code, city.name, city.path) == ("210200", "大连市", "210200")
    districts = dict(Area.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    assert districts == DALIAN_DISTRICTS
    assert all(code.startswith("2102") for code in districts)
    home = Area.objects.get(level=Level.DISTRICT, code="210202")
    assert Area.objects.filter(path__startswith=home.path + ".", level=Level.UNIT).exists()
    for area in Area.objects.select_related("parent").exclude(level=Level.CITY):
        assert area.path == f"{area.parent.path}.{area.code}"
        assert area.depth == area.parent.depth + 1
    streets = Area.objects.filter(level=Level.STREET).values_list("name", flat=True)
    assert set(streets) == {"海军广场街道", "人民路街道"}
    assert Area.objects.filter(level=Level.GRID, name="第一网格").exists()
    assert audit_verify() == []


def test_one_login_per_role_authenticates_with_the_printed_password(no_app_steps):
    output = run_demo()
    assert "http://127.0.0.1:8000/" in output
    assert len(output.splitlines()) < 30
    logins = printed_logins(output)
    assert len(logins) == len(Role.values) == len(PERSONAS)
    request = RequestFactory().post("/accounts/login/")
    for role in Role.values:
        assignment = RoleAssignment.objects.select_related("user").get(role=role)
        user = assignment.user
        assert user.full_name
        assert not user.must_change_password
        assert authenticate(request, username=user.username, password=logins[user.username]) == user
    # Placed on one chain: the grid worker's grid is in the community worker's community…
    where = {a.role: a.area for a in RoleAssignment.objects.select_related("area")}
    assert where[Role.GRID_WORKER].parent == where[Role.COMMUNITY_WORKER]
    assert where[Role.RESIDENT].is_within(where[Role.GRID_WORKER].path)
    assert where[Role.BUILDING_TEAM].is_within(where[Role.GRID_WORKER].path)
    assert where[Role.DISTRICT_STAFF].code == "210202"


def test_two_factor_roles_get_a_confirmed_device_with_the_printed_secret(settings, no_app_steps):
    settings.OTP_REQUIRED_ROLES = ["city_admin", "auditor", "security_admin"]
    output = run_demo()
    for persona in PERSONAS:
        devices = TOTPDevice.objects.filter(user__username=persona.username, confirmed=True)
        if persona.role in {Role.CITY_ADMIN, Role.AUDITOR, Role.SECURITY_ADMIN}:
            device = devices.get()
            assert persona.totp_secret in output
            assert f"secret={persona.totp_secret}" in device.config_url
        else:
            assert not devices.exists()


def test_if_empty_on_a_second_run_creates_nothing(no_app_steps):
    run_demo()
    before = counts()
    output = run_demo("--if-empty")
    assert counts() == before
    assert set(printed_logins(output)) == {p.username for p in PERSONAS}
    with pytest.raises(CommandError):
        run_demo()  # without --if-empty a second city is refused, not merged


class _Rollback(Exception):
    pass


def _city_made_with(seed: str) -> list[tuple[str, str]]:
    try:
        with transaction.atomic():
            run_demo("--seed", seed)
            made = list(Area.objects.order_by("path").values_list("path", "name"))
            raise _Rollback
    except _Rollback:
        return made


def test_the_same_seed_makes_the_same_city(no_app_steps):
    first = _city_made_with("1")
    assert _city_made_with("1") == first
    assert _city_made_with("2") != first


def test_registered_demo_steps_run_in_order_with_the_residents_count(monkeypatch):
    calls = []

    def recorder(name):
        def run(*, city, residents, rng, stdout):
            calls.append((name, city.code, residents, rng.random()))
            stdout.write(f"{name}: ok")

        return run

    steps = [
        registry.DemoStep(order=20, run=recorder("second"), name="second"),
        registry.DemoStep(order=10, run=recorder("first"), name="first"),
    ]
    monkeypatch.setattr(registry, "demo_steps", steps)
    output = run_demo("--residents", "37", "--seed", "5")
    assert [(name, code, residents) for name, code, residents, _r in calls] == [
        ("first", "210200", 37),
        ("second", "210200", 37),
    ]
    # Each step has its own stream, derived from the seed and its name.
    assert calls[0][3] == random.Random("5:first").random()
    assert "first: ok" in output


def test_a_failing_step_leaves_the_database_empty(monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("step failed")

    monkeypatch.setattr(registry, "demo_steps", [registry.DemoStep(order=1, run=boom, name="boom")])
    with pytest.raises(RuntimeError):
        run_demo()
    assert counts()["areas"] == 0 and counts()["users"] == 0


def test_totp_code_prints_a_code_the_device_accepts(no_app_steps):
    run_demo()
    out = io.StringIO()
    call_command("totp_code", "cityadmin", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    device = TOTPDevice.objects.get(user__username="cityadmin")
    assert device.verify_token(code)
    with pytest.raises(CommandError):
        call_command("totp_code", "resident", stdout=io.StringIO())  # no device


def test_both_commands_refuse_to_run_without_debug(settings, no_app_steps):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        run_demo()
    assert not Area.objects.exists()
    with pytest.raises(CommandError):
        call_command("totp_code", "cityadmin", stdout=io.StringIO())


def test_demo_runs_with_every_registered_step():
    """End to end with the steps the installed apps really register."""
    output = run_demo("--residents", "30")
    assert "完成 (done)" in output


def test_names_are_plausible_and_reproducible():
    def draw(seed):
        rng = random.Random(seed)
        return [names.person_name(rng, birth_year=1950, gender=names.FEMALE) for _ in range(5)]

    assert draw(7) == draw(7)
    assert all(2 <= len(name) <= 3 for name in draw(7))
    assert names.chinese_ordinal(1) == "一"
    assert names.chinese_ordinal(12) == "十二"
    assert names.chinese_ordinal(20) == "二十"
    assert names.grid_name(3) == "第三网格"
    used = {"长江路社区"}
    assert names.unique_name(random.Random(1), used, lambda r: "长江路社区") == "长江路第二社区"
