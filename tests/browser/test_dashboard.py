"""Statistics on a phone: a street's staff member sees the street's figures,
drills down to a community, and the figures move when a case is rated."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["phone"])
def test_street_staff_drill_down_on_a_phone(page, viewport, city):
    from shequ.workorders.services import workorder_rate
    from shequ.workorders.tests.factories import closed, ensure_default_categories, make_order

    ensure_default_categories()
    grid_worker = make_user(Role.GRID_WORKER, city.grids["A1a"])
    resident = make_user(Role.RESIDENT, city.units["A1a"])
    order = closed(city.units["A1a"], grid_worker, resident)
    make_order(city.units["A2a"], code="noise")
    make_order(city.units["B1a"], code="noise")
    make_user(Role.STREET_STAFF, city.streets["A"], username="jiedao")

    log_in(page, "jiedao", PASSWORD)
    page.goto("/dashboard/")
    figures = page.get_by_label("总体")
    expect(figures).to_contain_text("受理")
    expect(figures.locator("dd").first).to_have_text("2")
    expect(page.get_by_text("B1社区")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    workorder_rate(order=order, actor=resident, rating=5)
    page.get_by_role("link", name="A1社区").first.click()
    expect(page.locator("h1")).to_contain_text("A1社区")
    expect(page.get_by_label("总体")).to_contain_text("5.0 / 5")
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
