"""The README's screenshots in docs/screenshots/, from a small but lifelike
district. Normal runs skip this; refresh the pictures with

    SHEQU_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest -p no:xdist tests/browser -k readme

It needs a CJK font (Debian: fonts-noto-cjk), or the Chinese shows as boxes.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shequ.core.choices import Level
from shequ.core.roles import Role
from shequ.core.services.areas import area_create
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        os.environ.get("SHEQU_UPDATE_SCREENSHOTS") != "1",
        reason="rewrites docs/screenshots/; set SHEQU_UPDATE_SCREENSHOTS=1",
    ),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# 大连市中山区, with made-up communities, grids and estates.
STREETS = {
    "海军广场街道": ["康乐社区", "东园社区", "长春社区"],
    "人民路街道": ["港湾社区", "华乐社区"],
    "桃源街道": ["桃源社区", "荣华社区", "民主社区"],
    "老虎滩街道": ["虎滩社区", "石道社区"],
    "青泥洼桥街道": ["天津街社区", "友好社区", "中南社区"],
}
ESTATES = ["阳光花园", "海景苑", "枫林小区", "锦绣家园", "春柳小区", "明珠苑", "金海湾", "和平里"]


def build_district():
    def add(parent, level, code, name):
        return area_create(actor=None, parent=parent, level=level, code=code, name=name)

    seq = 0
    city = add(None, Level.CITY, "210200", "大连市")
    district = add(city, Level.DISTRICT, "210202", "中山区")
    communities = {}
    for s, (street_name, community_names) in enumerate(STREETS.items(), start=1):
        street = add(district, Level.STREET, f"{s:03d}", street_name)
        for c, community_name in enumerate(community_names, start=1):
            community = communities[community_name] = add(
                street, Level.COMMUNITY, f"{c:03d}", community_name
            )
            for g in range(1, 2 + (s + c) % 3):
                grid = add(community, Level.GRID, f"G{g:02d}", f"第{'一二三四'[g - 1]}网格")
                for e in range(1, 2 + (s + g) % 2):
                    seq += 1
                    estate = add(grid, Level.ESTATE, f"E{e}", ESTATES[seq % len(ESTATES)])
                    for b in range(1, 2 + (c + e + seq) % 3):
                        add(estate, Level.BUILDING, str(b), f"{b}号楼")
    return district, communities


def test_readme_screenshots(new_page, transactional_db):
    have_cjk = (
        shutil.which("fc-list")
        and subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    assert have_cjk, "no CJK font: apt-get install fonts-noto-cjk, or the Chinese renders as boxes"
    district, communities = build_district()
    make_user(Role.DISTRICT_STAFF, district, username="wangfang", full_name="王芳")
    DOCS.mkdir(parents=True, exist_ok=True)

    # The login page on a phone.
    phone = new_page("phone")
    phone.goto("/accounts/login/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("登录")
    phone.locator("input[name=username]").blur()
    phone.screenshot(path=str(DOCS / "login-phone.png"))

    # The area browser on the desktop: every street of the district with its counts.
    desktop = new_page("desktop")
    log_in(desktop, "wangfang", PASSWORD)
    desktop.goto("/areas/?q=街道")
    expect(desktop.locator("table.list tbody tr")).to_have_count(len(STREETS))
    desktop.screenshot(path=str(DOCS / "area-browser-desktop.png"))

    # A community's page with its breadcrumbs, on a phone.
    log_in(phone, "wangfang", PASSWORD)
    phone.goto(f"/areas/{communities['康乐社区'].pk}/")
    expect(phone.locator("nav.breadcrumbs")).to_contain_text("海军广场街道")
    phone.screenshot(path=str(DOCS / "area-detail-phone.png"))

    # The same district in English, on the desktop.
    desktop.goto(f"/areas/{district.pk}/")
    desktop.locator("form.lang button").click()
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    desktop.screenshot(path=str(DOCS / "english-desktop.png"))


def test_readme_screenshots_of_the_demo(new_page, transactional_db):
    """The modules as `make demo` shows them: the grid worker's phone app, a
    party member's volunteer page, the community's work queue and statistics."""
    from io import StringIO

    from django.core.management import call_command

    from shequ.field.tests.factories import ensure_defaults as field_defaults
    from shequ.volunteers.tests.factories import ensure_default_star_levels
    from shequ.workorders.tests.factories import ensure_default_categories

    # Rows the data migrations installed, gone after an earlier test's flush.
    ensure_default_categories()
    ensure_default_star_levels()
    field_defaults()
    call_command(
        "demo_city", "--size", "small", "--seed", "7", "--allow-without-debug", stdout=StringIO()
    )
    DOCS.mkdir(parents=True, exist_ok=True)
    staff, resident_side = "Shequ-Demo-2026", "jumin-2026"

    phone = new_page("phone")
    log_in(phone, "grid", staff)
    phone.goto("/field/")
    expect(phone.locator("main")).to_contain_text("今日")
    phone.screenshot(path=str(DOCS / "field-today-phone.png"))

    party = new_page("phone")
    log_in(party, "party", resident_side)
    party.goto("/volunteers/me/")
    expect(party.locator("#my-star")).to_be_visible()
    party.screenshot(path=str(DOCS / "volunteer-me-phone.png"))

    desktop = new_page("desktop")
    log_in(desktop, "community", staff)
    desktop.goto("/workorders/?state=open")
    expect(desktop.locator("table")).to_be_visible()
    desktop.screenshot(path=str(DOCS / "workorders-queue-desktop.png"))
    desktop.goto("/dashboard/")
    expect(desktop.locator("main")).to_be_visible()
    desktop.screenshot(path=str(DOCS / "statistics-desktop.png"))
