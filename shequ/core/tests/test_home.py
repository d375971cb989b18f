"""Each role's home page shows what needs its attention, and only in its scope."""

from django.test import Client

from shequ.core.roles import Role
from shequ.core.services.approvals import role_grant_request
from shequ.core.tests.factories import login, make_user


def test_auditor_home_lists_recent_security_events(client, city, people):
    Client().post("/accounts/login/", {"username": "grid_worker", "password": "wrong-password"})
    login(client, people["auditor"])
    page = client.get("/").content.decode()
    assert "近 7 天需关注的安全事件" in page
    assert "登录失败" in page
    assert "最近的登录失败、越权访问和个人信息查看记录将显示在这里" not in page


def test_security_admin_home_shows_pending_approvals_and_locked_logins(client, city, people):
    newcomer = make_user(username="newcomer")
    role_grant_request(
        actor=people["security_admin"], user=newcomer, role=Role.AUDITOR, area=city.city
    )
    attacker = Client()
    for _attempt in range(5):
        attacker.post("/accounts/login/", {"username": "grid_worker", "password": "wrong-password"})
    login(client, people["security_admin"])
    page = client.get("/").content.decode()
    assert "newcomer · 审计管理员 · 大连市" in page
    assert f'href="/users/{people["grid_worker"].pk}/">grid_worker</a>' in page


def test_city_admin_home_counts_accounts(client, city, people):
    login(client, people["city_admin"])
    page = client.get("/").content.decode()
    assert "账户概况" in page
    assert "近 7 天需关注的安全事件" not in page


def test_volunteer_home_says_what_will_appear(client, city, people):
    login(client, people["volunteer"])
    page = client.get("/").content.decode()
    assert "可报名的活动、可认领的服务单和您的服务时长将显示在这里" in page
    assert "账户概况" not in page
