import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from shequ.core.models import Area, User


def test_bootstrap_creates_city_districts_and_separated_accounts(db):
    out = StringIO()
    call_command(
        "bootstrap",
        "--city-code",
        "210200",
        "--city-name",
        "大连市",
        "--with-districts",
        stdout=out,
    )
    assert Area.objects.get(level="city").code == "210200"
    assert Area.objects.filter(level="district").count() == 10
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"sysadmin", "secadmin1", "secadmin2", "auditadmin"}
    assert all(u.must_change_password and not u.is_superuser for u in users.values())
    assert {r for u in users.values() for r in u.roles.values_list("role", flat=True)} == {
        "city_admin",
        "security_admin",
        "auditor",
    }
    password = re.search(r"sysadmin\s+\S+\s+(\S+)", out.getvalue()).group(1)
    client = Client()
    response = client.post("/accounts/login/", {"username": "sysadmin", "password": password})
    assert response.status_code == 302
    # First stop: bind a TOTP authenticator; after that, the forced password change.
    assert client.get("/").url.startswith("/accounts/2fa/")


def test_bootstrap_refuses_a_non_empty_installation(city):
    with pytest.raises(CommandError, match="not empty"):
        call_command(
            "bootstrap", "--city-code", "210200", "--city-name", "大连市", stdout=StringIO()
        )
