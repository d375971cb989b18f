"""Journeys 3–5: browse the area tree, add a grid, and what a grid worker sees."""

import re

import pytest
from playwright.sync_api import expect

from shequ.core.models import Area
from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in, menu_link, open_menu

pytestmark = pytest.mark.browser


def area_url(area) -> re.Pattern:
    return re.compile(rf"/areas/{area.pk}/$")


def crumbs(page):
    return page.locator("nav.breadcrumbs").locator("a, [aria-current=page]")


def figure(page, label: str):
    """The number shown under ``label`` in an area's figures."""
    return (
        page.locator(".figures div")
        .filter(has=page.locator("dt", has_text=re.compile(f"^{label}$")))
        .locator("dd")
    )


def test_street_worker_browses_the_area_tree(page, viewport, city):
    make_user(Role.STREET_STAFF, city.streets["A"], username="street_a")
    log_in(page, "street_a", PASSWORD)

    menu_link(page, viewport, "区域").click()
    expect(page).to_have_url(re.compile(r"/areas/$"))
    rows = page.locator("table.list tbody tr")
    # Only the worker's own street, with its count of areas below:
    # 2 communities + 4 grids + 4 estates + 4 buildings + 4 units.
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td:nth-child(-n+4)")).to_have_text(["A街道", "街道", "001", "18"])
    expect(page.get_by_role("link", name="B街道")).to_have_count(0)

    page.get_by_role("link", name="A街道").click()
    expect(page).to_have_url(area_url(city.streets["A"]))
    expect(figure(page, "下级区域")).to_have_text("18")
    expect(figure(page, "社区")).to_have_text("2")
    expect(page.locator("table.list tbody tr td:first-child")).to_have_text(["A1社区", "A2社区"])

    page.get_by_role("link", name="A1社区").click()
    expect(page).to_have_url(area_url(city.communities["A1"]))
    expect(figure(page, "下级区域")).to_have_text("8")
    expect(figure(page, "网格")).to_have_text("2")
    page.get_by_role("link", name="A1a网格").click()
    expect(page).to_have_url(area_url(city.grids["A1a"]))
    page.get_by_role("link", name="A1a小区").click()
    expect(page).to_have_url(area_url(city.estates["A1a"]))
    page.get_by_role("link", name="A1a-1号楼").click()
    expect(page).to_have_url(area_url(city.buildings["A1a"]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("A1a-1号楼")
    expect(figure(page, "下级区域")).to_have_text("1")
    expect(figure(page, "单元")).to_have_text("1")
    expect(page.locator("table.list tbody tr td:first-child")).to_have_text(["A1a-1号楼1单元"])

    # The breadcrumbs show the path from the worker's street down, and go back up.
    expect(crumbs(page)).to_have_text(
        ["全部区域", "A街道", "A1社区", "A1a网格", "A1a小区", "A1a-1号楼"]
    )
    expect(page.locator("nav.breadcrumbs [aria-current=page]")).to_have_text("A1a-1号楼")
    page.locator("nav.breadcrumbs").get_by_role("link", name="A1社区").click()
    expect(page).to_have_url(area_url(city.communities["A1"]))
    expect(crumbs(page)).to_have_text(["全部区域", "A街道", "A1社区"])
    page.locator("nav.breadcrumbs").get_by_role("link", name="全部区域").click()
    expect(page).to_have_url(re.compile(r"/areas/$"))

    # Street B is someone else's: not listed, and its page does not exist for this worker.
    page.locator("input[name=q]").fill("B1")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("table.list tbody")).to_contain_text("没有找到匹配的区域。")
    response = page.goto(f"/areas/{city.communities['B1'].pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")


def test_community_worker_adds_a_grid(page, viewport, city):
    community = city.communities["A1"]
    make_user(Role.COMMUNITY_WORKER, community, username="community_a1")
    log_in(page, "community_a1", PASSWORD)

    page.locator(".cards").get_by_role("link", name="A1社区").click()  # 我的辖区 on the home page
    expect(page).to_have_url(area_url(community))
    page.get_by_role("link", name="新增网格").click()
    expect(page).to_have_url(re.compile(rf"/areas/{community.pk}/new/\?level=grid$"))
    expect(page.get_by_label("层级")).to_have_value("grid")

    page.get_by_label("编码").fill("bad code!")
    page.get_by_label("名称").fill("滨海网格")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field.has-error .error")).to_have_text(
        "编码只能包含字母、数字和连字符，最长 20 位。"
    )
    expect(page.get_by_label("名称")).to_have_value("滨海网格")  # what was typed is kept
    assert not Area.objects.filter(name="滨海网格").exists()

    page.get_by_label("编码").fill("G9")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(area_url(community))
    expect(page.locator(".messages")).to_contain_text("已新增区域“滨海网格”。")
    children = page.locator("table.list tbody tr")
    expect(children).to_have_count(3)  # listed by code: G9 may come first
    expect(children.filter(has_text="滨海网格").locator("td:nth-child(-n+4)")).to_have_text(
        ["滨海网格", "网格", "G9", "0"]
    )
    grid = Area.objects.get(name="滨海网格")
    assert (grid.parent_id, grid.level, grid.code) == (community.pk, "grid", "G9")


def test_grid_worker_sees_only_their_grid(page, viewport, city):
    make_user(Role.GRID_WORKER, city.grids["A1a"], username="grid_a1a", full_name="王芳")
    log_in(page, "grid_a1a", PASSWORD)

    mine = page.locator("section.panel").filter(has=page.get_by_role("heading", name="我的辖区"))
    expect(mine.locator(".cards > li")).to_have_count(1)
    expect(mine.locator(".cards > li strong")).to_have_text("A1a网格")
    # 1 estate + 1 building + 1 unit below the grid.
    expect(mine.locator(".count")).to_have_text("下级区域 3 个")

    open_menu(page, viewport)
    expect(page.locator("header nav.nav").get_by_role("link", name="用户与角色")).to_have_count(0)
    response = page.goto("/users/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("没有权限")
