"""The staff menu in groups (dropdowns on the desktop, sections on the phone,
no script), and checkboxes in filter forms that look like checkboxes."""

import re

import pytest
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, RESIDENT_PASSWORD, make_user
from tests.browser.helpers import log_in, menu_link, open_menu

pytestmark = pytest.mark.browser


def test_a_community_worker_finds_the_ledger_under_its_group(page, viewport, city):
    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="shegong")
    log_in(page, "shegong", PASSWORD)
    open_menu(page, viewport)
    nav = page.locator("header nav.nav")
    ledger = nav.get_by_role("link", name="居民台账", exact=True)
    if viewport == "phone":
        # Labelled sections, every link visible and a thumb-sized row.
        section = nav.get_by_role("group", name="台账")
        expect(section).to_be_visible()
        expect(section.get_by_role("link", name="居民台账", exact=True)).to_be_visible()
        expect(nav.get_by_role("group", name="工单")).to_be_visible()
        assert ledger.bounding_box()["height"] >= 44
    else:
        # One line of headings; the links wait in closed dropdowns.
        expect(ledger).to_be_hidden()
        items = nav.locator(":scope > a, :scope > details > summary").all()
        top = [item.bounding_box()["y"] for item in items]
        assert max(top) - min(top) < 20, "the desktop menu fits on one line"
        nav.locator("details.menu-group summary", has_text="台账").click()
        expect(ledger).to_be_visible()
        # One group open at a time.
        nav.locator("details.menu-group summary", has_text="工单").click()
        expect(ledger).to_be_hidden()
    # Top-level entries stay outside the groups.
    expect(nav.get_by_role("link", name="首页", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="我的账户", exact=True)).to_be_visible()

    menu_link(page, viewport, "居民台账").click()
    expect(page).to_have_url(re.compile(r"/registry/residents/"))
    open_menu(page, viewport)
    expect(nav.locator("details.menu-group.current summary")).to_have_count(1)
    if viewport != "phone":
        expect(nav.locator("details.menu-group.current summary")).to_have_text("台账")


def test_the_keyboard_opens_a_dropdown_on_the_desktop(new_page, city):
    page = new_page("desktop")
    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="shegong")
    log_in(page, "shegong", PASSWORD)
    summary = page.locator("header details.menu-group summary", has_text="工单")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.locator("header details.menu-group[open] a:focus")
    expect(focused).to_have_text("工单")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/workorders/"))


def test_a_group_of_one_is_a_plain_link(page, viewport, city):
    make_user(Role.RESIDENT, city.units["A1a"], username="jumin")
    log_in(page, "jumin", RESIDENT_PASSWORD)
    open_menu(page, viewport)
    nav = page.locator("header nav.nav")
    expect(nav.locator("details.menu-group")).to_have_count(0)
    expect(nav.locator(".menu-section")).to_have_count(0)
    nav.get_by_role("link", name="我的诉求", exact=True).click()
    expect(page).to_have_url(re.compile(r"/workorders/mine/"))


def test_the_overdue_filter_is_a_checkbox_beside_its_label(page, viewport, city):
    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="shegong")
    log_in(page, "shegong", PASSWORD)
    page.goto("/workorders/")
    box = page.get_by_role("checkbox", name="仅看超时")
    expect(box).to_be_visible()
    size = box.bounding_box()
    assert size["width"] < 32 and size["height"] < 32, size
    label = page.locator("form.filters label", has=box)
    target = label.bounding_box()
    assert target["height"] >= 44, target
    # The box sits beside its words, not under them.
    assert abs((size["y"] + size["height"] / 2) - (target["y"] + target["height"] / 2)) < 8
    label.get_by_text("仅看超时").click()
    expect(box).to_be_checked()
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    expect(page.get_by_role("checkbox", name="仅看超时")).to_be_checked()
