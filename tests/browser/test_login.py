"""Journey 1: log in by username or mobile number, a wrong password, log out."""

import re

import pytest
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in, open_menu, totp_device_for

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/accounts/login/")


def submit_login(page, login: str, password: str) -> None:
    page.get_by_label("用户名或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def test_login_and_logout(page, viewport, city):
    make_user(Role.STREET_STAFF, city.streets["A"], username="zhangwei", full_name="张伟")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    submit_login(page, "zhangwei", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张伟")
    expect(page.locator(".roles .tag")).to_have_text(["街道工作人员 · A街道"])

    open_menu(page, viewport)
    page.get_by_role("button", name="退出 (张伟)").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator(".messages")).to_contain_text("您已安全退出。")
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_wrong_password_stays_on_login_page(page, viewport, city):
    make_user(Role.STREET_STAFF, city.streets["A"], username="zhangwei")

    page.goto("/accounts/login/")
    submit_login(page, "zhangwei", PASSWORD + "x")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_have_text("用户名/手机号或密码不正确。")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    # The typed name is kept; the password is not echoed back.
    expect(page.get_by_label("用户名或手机号")).to_have_value("zhangwei")
    expect(page.get_by_label("密码", exact=True)).to_have_value("")


def test_login_by_mobile_number(page, viewport, city):
    make_user(
        Role.GRID_WORKER,
        city.grids["A1a"],
        username="liwang",
        full_name="李旺",
        mobile="13800138000",
    )

    page.goto("/accounts/login/")
    submit_login(page, "13800138000", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，李旺")
    expect(page.locator(".roles .tag")).to_have_text(["网格员 · A1a网格"])


def test_login_with_two_factor_code(page, viewport, city):
    """The city administrator types the authenticator's code after the password."""
    admin = make_user(Role.CITY_ADMIN, city.city, username="cityadmin", full_name="赵敏")
    device = totp_device_for(admin)

    log_in(page, "cityadmin", PASSWORD, totp_device=device)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，赵敏")
    expect(page.locator(".roles .tag")).to_have_text(["市级管理员 · 大连市"])
