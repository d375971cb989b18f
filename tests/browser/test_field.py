"""Journeys of the field app (issue 6) on a phone: a grid worker sees today's
due visits, records a visit with no signal (a photo, a need turned into a
service order), reconnects and sees it uploaded exactly once; a community
worker approves the proposed ledger change and sees the month's coverage."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def grid_a1a(city):
    from shequ.field.tests.factories import ensure_defaults, household_with

    ensure_defaults()
    worker = make_user(Role.GRID_WORKER, city.grids["A1a"], username="wang_grid")
    alone = household_with(city.units["A1a"], name="独居刘奶奶", tag="elderly_alone", room="301")
    household_with(city.units["A1b"], name="别的网格", tag="elderly_alone", room="302")
    return worker, alone


def _until(page, script: str, timeout: float = 20.0) -> None:
    """Poll ``script`` in the page (wait_for_function would need 'unsafe-eval',
    which the CSP refuses)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def _controlled_by_service_worker(page) -> None:
    _until(page, "navigator.serviceWorker.controller !== null")


@pytest.mark.parametrize("viewport", ["phone"])
def test_grid_worker_records_a_visit_offline_and_it_syncs_once(page, viewport, city, grid_a1a):
    from shequ.field.models import LedgerChangeProposal, Visit, VisitPhoto
    from shequ.workorders.models import WorkOrder

    worker, alone = grid_a1a
    log_in(page, "wang_grid", PASSWORD)
    page.goto("/field/")
    due = page.locator("ul.due a.due-item").filter(has_text="独居刘奶奶")
    expect(due).to_contain_text("独居老人")
    expect(due).to_contain_text("从未走访")
    expect(page.get_by_text("别的网格")).to_have_count(0)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    _controlled_by_service_worker(page)

    due.click()
    expect(page).to_have_url(re.compile(r"/field/visit/\?household=\d+$"))
    expect(page.locator("select[name=household]")).to_have_value(str(alone.pk))

    # No signal from here on.
    page.context.set_offline(True)
    page.get_by_label("入户走访").check()
    page.get_by_label("空巢留守").check()
    page.locator("textarea[name=notes]").fill("老人腿脚不便，独自在家。")
    page.locator("input[name=photos]").set_input_files(
        {"name": "门口.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.locator("textarea[name=need]").fill("希望每周有人帮忙买菜")
    page.get_by_role("button", name="转为服务单").click()
    expect(page.get_by_role("button", name="转为服务单")).to_have_attribute("aria-pressed", "true")
    page.locator("select[name=proposal_kind]").select_option("new_member")
    page.locator("input[name=proposal_name]").fill("刘小宝")
    page.screenshot(path=str(SCREENSHOTS / "field-visit-form-phone.png"), full_page=True)
    page.get_by_role("button", name="保存走访").click()

    expect(page.locator("#flash")).to_contain_text("已保存在手机上")
    expect(page.locator("#sync-badge")).to_be_visible()
    expect(page.locator("#sync-count")).to_have_text("1")
    expect(page.locator("#net-state")).to_be_visible()
    assert Visit.objects.count() == 0

    # The app shell still opens without a network, showing the unsynced item.
    page.goto("/field/")
    expect(page.locator("#queue-list li")).to_have_count(1)
    expect(page.locator("#queue-list")).to_contain_text("走访")

    # Back online: the queue uploads by itself.
    page.context.set_offline(False)
    expect(page.locator("#flash")).to_contain_text("已上传", timeout=15_000)
    expect(page.locator("#flash")).to_contain_text("GD-")
    expect(page.locator("#sync-badge")).to_be_hidden()
    expect(page.locator("#queue-empty")).to_be_visible()

    # Pressing "upload now" or reconnecting again duplicates nothing.
    page.evaluate("window.shequField.syncAll()")
    page.reload()
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.household_id == alone.pk and visit.must_contact == [
        "home_visit",
        "empty_nest_left_behind",
    ]
    assert WorkOrder.objects.count() == 1
    assert WorkOrder.objects.get().kind == "service_order"
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert LedgerChangeProposal.objects.get().data["name"] == "刘小宝"
    # Visited: no longer due today.
    expect(page.locator("ul.due a.due-item").filter(has_text="独居刘奶奶")).to_have_count(0)


@pytest.mark.parametrize("viewport", ["phone"])
def test_logging_out_leaves_nothing_on_the_phone(page, viewport, city, grid_a1a):
    log_in(page, "wang_grid", PASSWORD)
    page.goto("/field/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Whatever the phone holds when the worker logs out must go: besides the
    # service worker's own cache (filled at install, which on a loaded CI
    # machine can lag), put a page into a cache of our own.
    page.evaluate("caches.open('shequ-field-extra').then(c => c.put('/field/', new Response('x')))")
    _until(page, "caches.keys().then(k => k.length > 0)")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert page.evaluate("caches.keys().then(k => k.length)") == 0
    names = page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")
    assert "shequ-field" not in names
    assert page.evaluate("localStorage.length") == 0


@pytest.mark.parametrize("viewport", ["phone"])
def test_community_worker_approves_the_change_and_sees_coverage(page, viewport, city, grid_a1a):
    from shequ.field.tests.factories import visit
    from shequ.registry.models import Resident

    worker, alone = grid_a1a
    visit(
        worker,
        alone,
        payload={"proposals": [{"kind": "new_member", "name": "刘小宝", "gender": "male"}]},
    )
    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="li_community")
    log_in(page, "li_community", PASSWORD)
    page.goto("/field/proposals/")
    card = page.locator("article.proposal-card").filter(has_text="刘小宝")
    expect(card).to_contain_text("新增成员")
    card.get_by_role("button", name="通过").click()
    expect(page.locator(".messages")).to_contain_text("已通过，台账已更新")
    assert Resident.objects.filter(name="刘小宝", household=alone).exists()

    page.goto(f"/field/coverage/?area={city.communities['A1'].pk}")
    expect(page.locator("#coverage-percent")).to_have_text("50%")
    rows = page.locator("table.list tbody tr")
    expect(rows.filter(has_text="A1a网格")).to_contain_text("100%")
    expect(rows.filter(has_text="A1b网格")).to_contain_text("0%")
    expect(page.locator("ul.cards")).to_contain_text("302")


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_report_without_location_permission_uploads_once(page, viewport, city, grid_a1a):
    from shequ.field.models import FieldReport
    from shequ.workorders.models import WorkOrder

    log_in(page, "wang_grid", PASSWORD)
    page.goto("/field/report/")
    page.context.set_offline(True)
    page.get_by_label("矛盾纠纷线索").check()
    page.locator("textarea[name=description]").fill("楼上漏水，两户争执")
    page.locator("input[name=files]").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("未获得位置权限", timeout=15_000)
    expect(page.locator("#sync-count")).to_have_text("1")
    page.context.set_offline(False)
    expect(page.locator("#flash")).to_contain_text("GD-", timeout=15_000)
    page.evaluate("window.shequField.syncAll()")
    assert FieldReport.objects.count() == 1
    order = WorkOrder.objects.get()
    assert order.category.code == "neighbour" and order.latitude is None
    assert order.attachments.count() == 1


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_visit_to_a_household_removed_meanwhile_is_kept_with_a_message(
    page, viewport, city, grid_a1a
):
    from shequ.field.models import Visit
    from shequ.registry.services_events import household_remove, resident_move_out

    worker, alone = grid_a1a
    log_in(page, "wang_grid", PASSWORD)
    page.goto(f"/field/visit/?household={alone.pk}")
    page.context.set_offline(True)
    page.locator("textarea[name=notes]").fill("离线记录")
    page.get_by_role("button", name="保存走访").click()
    expect(page.locator("#sync-count")).to_have_text("1")

    # Meanwhile the community closes the household (everyone moved away).
    for member in alone.members.all():
        resident_move_out(actor=None, resident=member, destination="外省")
    household_remove(actor=None, household=alone, reason="整户迁出")

    page.context.set_offline(False)
    page.goto("/field/")
    item = page.locator("#queue-list li")
    expect(item).to_contain_text("该户已在台账中注销", timeout=15_000)
    expect(page.locator("#sync-count")).to_have_text("1")
    assert Visit.objects.count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="放弃这条记录").click()
    expect(page.locator("#queue-empty")).to_be_visible()
