"""Journeys of the resident registry (issue 3): a community worker imports a
messy spreadsheet through the wizard, and a grid worker finds people by pinyin
on a phone. No page ever shows a full ID number."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from shequ.core.idnumbers import check_char
from shequ.core.roles import Role
from shequ.core.tests.factories import PASSWORD, make_user
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

ID18 = re.compile(r"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")


def _id(first17: str) -> str:
    return first17 + check_char(first17)


HEAD_ID = _id("21020219800102003")
WIFE_ID = _id("21020219820305002")
BAD_CHECK = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")


def messy_xlsx() -> bytes:
    """A title row, synonym headers, one valid household of two, one bad check digit."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "居民"
    for row in [
        ["A1a网格居民信息台账（2026年）"],
        ["姓名", "性别", "公民身份号码", "联系电话", "楼号", "单元", "房号", "与户主关系"],
        ["张大山", "男", HEAD_ID, "13800000001", "1号楼", "1单元", "201", "户主"],
        ["李小梅", "女", WIFE_ID, "13900000002", "1号楼", "1单元", "201", "妻子"],
        ["孙八", "男", BAD_CHECK, None, "1号楼", "1单元", "202", "户主"],
    ]:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def no_full_id(page) -> None:
    html = page.content()
    assert not ID18.search(html), "a full ID number is on the page"


def run_pending_task(task, job_id: int) -> None:
    """The browser tests keep the database task backend: the request only
    enqueues, the page polls, and the test plays the worker."""
    task.call(job_id)


def test_community_worker_imports_a_messy_ledger(page, viewport, city, tmp_path):
    from shequ.registry.importing.models import ImportJob, ImportState
    from shequ.registry.importing.tasks import commit_import, validate_import

    make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="worker_a1")
    log_in(page, "worker_a1", PASSWORD)

    # Upload.
    page.goto("/registry/residents/")
    page.locator(".heading").get_by_role("link", name="导入台账").click()
    expect(page).to_have_url(re.compile(r"/registry/imports/$"))
    page.goto("/registry/imports/new/")
    page.locator("select[name=area]").select_option(label="网格 · A1a网格")
    source = tmp_path / "台账.xlsx"
    source.write_bytes(messy_xlsx())
    page.locator("input[name=file]").set_input_files(str(source))
    page.get_by_role("button", name="上传并识别表头").click()
    expect(page).to_have_url(re.compile(r"/registry/imports/\d+/$"))
    job_id = int(re.search(r"/imports/(\d+)/", page.url).group(1))

    # Mapping: the header row is found below the title, synonyms recognised.
    expect(page.get_by_text("表头在第 2 行。")).to_be_visible()
    expect(page.locator("select[aria-label=公民身份号码]")).to_have_value("id_number")
    expect(page.locator("select[aria-label=联系电话]")).to_have_value("mobile")
    expect(page.locator("select[aria-label=楼号]")).to_have_value("building")
    no_full_id(page)
    page.get_by_role("button", name=re.compile("第二步")).click()

    # Dry run: progress is polled until the worker has checked the file.
    expect(page.locator("#import-progress")).to_be_visible()
    expect(page.locator("#import-state")).to_have_text("检查中")
    run_pending_task(validate_import, job_id)
    expect(page.locator("#import-state")).to_have_text("已检查")
    problem = page.locator("table.list tbody tr").filter(has_text="校验位")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").first).to_contain_text("第 5 行")
    expect(problem).to_contain_text("公民身份号码校验位不正确")
    no_full_id(page)

    # Commit the valid rows.
    page.get_by_label("只导入无错误的行").check()
    page.get_by_role("button", name="正式导入").click()
    expect(page.locator("#import-state")).to_have_text("导入中")
    run_pending_task(commit_import, job_id)
    expect(page.locator("#import-state")).to_have_text("已完成")
    expect(page.locator("#import-progress")).to_have_count(0)
    assert ImportJob.objects.get(pk=job_id).state == ImportState.DONE
    cards = page.locator("ul.cards li")
    expect(cards.filter(has_text="新增")).to_contain_text("2")
    expect(cards.filter(has_text="有错误")).to_contain_text("1")
    no_full_id(page)

    # The rejected rows come back as an xlsx with a 原因 column.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载有错误的行")).click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert download.suggested_filename.endswith(".xlsx")
    rows = list(load_workbook(saved, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "原因"
    assert len(rows) == 2 and rows[1][0] == "孙八" and "校验位" in rows[1][-1]

    # The imported residents are in the ledger, their numbers masked.
    page.goto("/registry/residents/")
    names = page.locator("table.list tbody td:first-child")
    expect(names).to_have_text(["李小梅", "张大山"])  # in pinyin order
    expect(page.get_by_text("孙八")).to_have_count(0)
    expect(page.locator("table.list tbody")).to_contain_text(f"{HEAD_ID[:4]}**********")
    no_full_id(page)


@pytest.mark.parametrize("viewport", ["phone"])
def test_grid_worker_finds_residents_by_pinyin_on_a_phone(page, viewport, city):
    from shequ.registry.tests.factories import make_household, make_resident

    home = make_household(city.units["A1a"])
    make_resident(home, name="张三", relation_to_head="head")
    make_resident(make_household(city.units["A1a"]), name="李四", relation_to_head="head")
    make_resident(make_household(city.units["A1b"]), name="张珊", relation_to_head="head")
    make_user(Role.GRID_WORKER, city.grids["A1a"], username="grid_a1a")
    log_in(page, "grid_a1a", PASSWORD)

    page.goto("/registry/residents/")
    names = page.locator("table.list tbody td[data-label=姓名]")
    expect(names).to_have_text(["李四", "张三"])  # in pinyin order
    expect(names.filter(has_text="张珊")).to_have_count(0)
    no_full_id(page)

    search = page.get_by_role("searchbox", name="查找居民")
    for query in ("zs", "zhangsan"):
        search.fill(query)
        page.get_by_role("button", name="查找", exact=True).click()
        expect(page.get_by_text("找到 1 位居民。")).to_be_visible()
        expect(names).to_have_text(["张三"])
        expect(page.get_by_text("李四")).to_have_count(0)
        expect(page.get_by_text("张珊")).to_have_count(0)
        expect(search).to_have_value(query)
        no_full_id(page)
