"""Journey 2: switch the interface to English with the header button and back."""

import re

import pytest
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_switch_language(page, viewport, city):
    make_user(Role.STREET_STAFF, city.streets["A"], username="zhangwei", full_name="张伟")
    log_in(page, "zhangwei", PASSWORD)
    page.goto(f"/areas/{city.streets['A'].pk}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    # The button sits in the header outside the ☰ menu, so no toggle on the phone.
    page.locator("form.lang").get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/areas/{city.streets['A'].pk}/$"))  # same page
    expect(page.locator("form.lang button")).to_have_text("中文")
    expect(page.locator("nav.breadcrumbs a").first).to_have_text("All areas")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Sub-areas")
    expect(page.locator(".figures dt").first).to_have_text("Sub-areas")
    # The choice sticks to the next page.
    page.goto("/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 张伟")

    page.locator("form.lang").get_by_role("button", name="中文").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.locator("form.lang button")).to_have_text("English")
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，张伟")
    page.goto(f"/areas/{city.streets['A'].pk}/")
    expect(page.locator("nav.breadcrumbs a").first).to_have_text("全部区域")
