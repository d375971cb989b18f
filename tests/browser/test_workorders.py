"""Journeys of the work-order engine (issue 4), on a phone: a resident reports
a problem, the community triages and dispatches it and whistles a department
in, the department acknowledges and reports, the handler resolves it, the
resident rates it; and two party members tap "claim" on the same service
order at the same moment: exactly one wins, the other is told clearly."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, RESIDENT_PASSWORD, make_user
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(city):
    from shequ.workorders.tests.factories import ensure_default_categories

    ensure_default_categories()  # the transactional database lost migration data
    return city


def _case_url(page) -> str:
    expect(page).to_have_url(re.compile(r"/workorders/\d+/$"))
    return page.url


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_reported_problem_goes_round_the_whole_loop(new_page, viewport, catalog):
    from shequ.workorders.models import WorkOrder
    from shequ.workorders.tests.factories import make_department

    city = catalog
    resident = make_user(Role.RESIDENT, city.units["A1a"], username="jumin")
    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="shegong")
    grid_worker = make_user(
        Role.GRID_WORKER, city.grids["A1a"], username="wangge", full_name="网格员小刘"
    )
    handler = make_user(Role.DEPARTMENT_HANDLER, city.district, username="chengguan")
    make_department(city.district, handler, name="城市管理综合执法局")

    # The resident reports noise from a phone and gets a number and a tracking code.
    page = new_page(viewport)
    log_in(page, "jumin", RESIDENT_PASSWORD)
    page.goto("/workorders/report/")
    page.locator("select[name=kind]").select_option("incident")
    page.locator("select[name=category]").select_option(label="噪音扰民")
    page.locator("select[name=area]").select_option(index=1)
    page.locator("input[name=title]").fill("夜间施工噪音")
    page.locator("textarea[name=description]").fill("楼下商铺夜里十一点还在装修。")
    page.get_by_role("button", name="提交").click()
    case_url = _case_url(page)
    expect(page.locator(".messages")).to_contain_text("查询码")
    order = WorkOrder.objects.get()
    assert order.reporter == resident

    # The community triages it as major, dispatches it and whistles the department.
    staff = new_page(viewport)
    log_in(staff, "shegong", PASSWORD)
    staff.goto(case_url)
    staff.locator("select[name=triage_class]").select_option("major")
    staff.get_by_role("button", name="分流", exact=True).click()
    staff.locator("select[name=to]").select_option("grid")
    staff.locator("select[name=handler]").select_option(label="网格员小刘")
    staff.get_by_role("button", name="派单").click()
    expect(staff.locator(".messages")).to_contain_text("已完成")
    staff.locator("#whistles input[name=departments]").first.check()
    staff.locator("#whistles input[name=note]").fill("请城管到现场执法。")
    staff.get_by_role("button", name="吹哨", exact=True).click()
    expect(staff.locator("#whistles")).to_contain_text("待报到")

    # The department handler finds it waiting, acknowledges and reports.
    dept = new_page(viewport)
    log_in(dept, "chengguan", PASSWORD)
    dept.goto("/workorders/waiting/")
    dept.get_by_role("link", name=re.compile(order.number)).first.click()
    dept.locator("#whistles").get_by_role("button", name="报到").click()
    expect(dept.locator("#whistles")).to_contain_text("已报到")
    dept.locator("#whistles textarea[name=report]").fill("已责令商铺停止夜间施工。")
    dept.get_by_role("button", name="反馈处置情况").click()
    expect(dept.locator("#whistles")).to_contain_text("已责令商铺停止夜间施工")

    # The grid worker starts and resolves; the community closes.
    worker = new_page(viewport)
    log_in(worker, "wangge", PASSWORD)
    worker.goto(case_url)
    worker.get_by_role("button", name="开始处置").click()
    worker.locator("form[action$='/resolve/'] textarea[name=note]").fill("已现场确认停工。")
    worker.get_by_role("button", name="办结").click()
    expect(worker.locator(".heading .tag")).to_have_text("已办结")
    staff.goto(case_url)
    staff.get_by_role("button", name="关闭").click()
    expect(staff.locator(".heading .tag")).to_have_text("已关闭")

    # The resident sees the joint-handling record and rates it.
    page.goto(case_url)
    expect(page.locator("main")).to_contain_text("城市管理综合执法局")
    page.locator("select[name=rating]").select_option("5")
    page.locator("input[name=comment]").fill("处理及时，谢谢！")
    page.get_by_role("button", name="评价").click()
    expect(page.locator("dl.facts")).to_contain_text("5 / 5")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workorders-loop-phone.png"), full_page=True)
    order.refresh_from_db()
    assert order.rating == 5 and order.state == "closed" and order.whistles.get().report
    assert grid_worker.notifications.filter(kind="assigned").exists()


@pytest.mark.parametrize("viewport", ["phone"])
def test_two_party_members_tap_claim_at_once_and_one_wins(new_page, viewport, catalog):
    from shequ.workorders.models import WorkOrder
    from shequ.workorders.tests.factories import pooled

    city = catalog
    make_user(Role.PARTY_MEMBER, city.communities["A1"], username="dangyuan_a")
    make_user(Role.PARTY_MEMBER, city.communities["A1"], username="dangyuan_b")
    order = pooled(city.units["A1a"], title="陪同老人就医")

    first, second = new_page(viewport), new_page(viewport)
    for page, username in ((first, "dangyuan_a"), (second, "dangyuan_b")):
        log_in(page, username, RESIDENT_PASSWORD)
        page.goto("/workorders/pool/")
        expect(page.locator("main")).to_contain_text("陪同老人就医")
    # Both see the order as free; both tap.
    first.get_by_role("button", name="认领").click()
    second.get_by_role("button", name="认领").click()
    expect(first.locator(".messages")).to_contain_text("已完成")
    expect(first.locator(".heading .tag")).to_have_text("已认领")
    expect(second.locator(".messages")).to_contain_text("该服务单已被他人认领")
    expect(second).to_have_url(re.compile(r"/workorders/pool/$"))
    order.refresh_from_db()
    assert order.state == "claimed" and order.handler.username == "dangyuan_a"
    assert WorkOrder.objects.filter(pk=order.pk, handler__isnull=False).count() == 1
