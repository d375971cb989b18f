"""The import from dry run to commit, through the services and the tasks."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from shequ.core.crypto import decrypt_bytes
from shequ.core.errors import InvalidInput
from shequ.core.models import AuditEntry
from shequ.registry.importing import runner, services
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.importing.selectors import import_previous
from shequ.registry.models import Household, Resident
from shequ.registry.tests.importing.conftest import upload
from shequ.registry.tests.importing.files import (
    CHILD_ID,
    HEAD_ID,
    NEIGHBOUR_ID,
    WIFE_ID,
    messy_xlsx,
)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the service and the background task it enqueues (immediate backend)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = service(**kwargs)
        return ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)

    return call


def _checked(run, city, people, content=None, who="grid_worker", duplicate_mode="skip"):
    job = services.import_job_create(
        actor=people[who], area=city.grids["A1a"], upload=upload(content or messy_xlsx())
    )
    return run(
        services.import_job_validate, actor=people[who], job=job, duplicate_mode=duplicate_mode
    )


def _problems(job):
    return [(p.row, p.column, p.level, p.message) for p in job.problems.all()]


def test_dry_run_of_a_messy_sheet_lists_each_problem_with_row_and_column(city, people, run):
    job = _checked(run, city, people)
    assert job.state == ImportState.VALIDATED
    assert job.progress == 100
    sheet = job.mapping["sheets"][0]
    assert sheet["header_row"] == 3  # below two title rows
    assert job.counts | {} == job.counts
    assert (
        job.counts["total"],
        job.counts["new"],
        job.counts["duplicate"],
        job.counts["rejected"],
    ) == (8, 5, 1, 2)
    problems = _problems(job)
    assert [(r, c, lv) for r, c, lv, _m in problems] == [
        (9, "身份证号", "error"),
        (10, "身份证号", "error"),
        (11, "身份证号", "warning"),
    ]
    assert "存成了数字" in problems[0][3]
    assert "校验位" in problems[1][3]
    assert "第 4 行" in problems[2][3]
    assert Resident.objects.count() == 0  # a dry run writes nothing
    assert job.problems.filter(sheet="居民").count() == 3


def test_commit_valid_rows_only(city, people, run):
    job = _checked(run, city, people)
    job = run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    assert job.state == ImportState.DONE, job.error_message
    assert {k: job.counts[k] for k in ("created", "updated", "skipped", "rejected")} == {
        "created": 5,
        "updated": 0,
        "skipped": 1,
        "rejected": 2,
    }
    head = Resident.objects.get(name="张三")
    assert head.id_number == HEAD_ID
    assert head.mobile == "13800000000"
    assert head.notes == "@SUM(1)"  # stored as text; exports neutralise it
    assert [t.tag.name for t in head.tags.all()] == ["退役军人"]
    household = head.household
    assert (household.area, household.room, household.head) == (city.units["A1a"], "101", head)
    assert set(household.members.values_list("name", flat=True)) == {"张三", "李四", "张小宝"}
    wife = Resident.objects.get(name="李四")
    assert (wife.id_number, wife.mobile, str(wife.birth_date)) == (
        WIFE_ID,
        "13900000000",
        "1982-03-05",
    )
    assert Resident.objects.get(id_number_index__isnull=False, name="张小宝").id_number == CHILD_ID
    neighbour = Resident.objects.get(name="王五")
    assert neighbour.id_number == NEIGHBOUR_ID and neighbour.residence_type == "floating"
    assert set(neighbour.household.members.values_list("name", flat=True)) == {"王五", "赵六"}
    assert not Household.objects.filter(room="103").exists()  # both of its rows were rejected
    assert job.stored_file == ""
    assert default_storage.listdir("private/imports")[1] == [job.rejected_file.rsplit("/", 1)[-1]]


def test_rejected_rows_download_has_a_reason_column_and_neutralised_cells(city, people, run):
    job = _checked(run, city, people)
    job = run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    with default_storage.open(job.rejected_file, "rb") as handle:
        workbook = load_workbook(io.BytesIO(decrypt_bytes(handle.read())))
    sheet = workbook["居民"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "原因"
    assert rows[0][1] == "姓 名"
    assert [r[1] for r in rows[1:]] == ["钱七", "孙八"]
    assert "身份证号" in rows[1][-1] and "丢失" in rows[1][-1]
    assert rows[2][6] == "1号楼"  # the merged-style blank carries its building
    notes = sheet.cell(row=3, column=13)
    assert notes.value == "'-2+3" and notes.data_type != "f"


def test_importing_the_same_file_twice_creates_nothing_new(city, people, run):
    content = messy_xlsx()  # openpyxl stamps the save time: build the bytes once
    first = _checked(run, city, people, content=content)
    run(services.import_job_commit, actor=people["grid_worker"], job=first, mode="valid_only")
    count, households = Resident.objects.count(), Household.objects.count()
    again = _checked(run, city, people, content=content)
    assert import_previous(actor=people["grid_worker"], job=again).pk == first.pk
    assert again.counts["new"] == 0 and again.counts["duplicate"] == 6
    again = run(
        services.import_job_commit, actor=people["grid_worker"], job=again, mode="valid_only"
    )
    assert again.state == ImportState.DONE
    assert again.counts["created"] == 0 and again.counts["skipped"] == 6
    assert (Resident.objects.count(), Household.objects.count()) == (count, households)


def test_duplicates_can_update_the_ledger_instead(city, people, run):
    first = _checked(run, city, people)
    run(services.import_job_commit, actor=people["grid_worker"], job=first, mode="valid_only")
    again = _checked(run, city, people, duplicate_mode="update")
    again = run(
        services.import_job_commit,
        actor=people["grid_worker"],
        job=again,
        mode="valid_only",
        duplicate_mode="update",
    )
    assert again.counts["created"] == 0 and again.counts["updated"] == 6
    assert Resident.objects.count() == 5


def test_all_or_nothing_with_one_error_writes_nothing(city, people, run):
    job = _checked(run, city, people)
    with pytest.raises(InvalidInput) as refused:
        services.import_job_commit(actor=people["grid_worker"], job=job, mode="all_or_nothing")
    assert "2 行有错误" in str(refused.value.message)
    # And if the ledger changed between dry run and commit: the commit itself rolls back.
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.COMMITTING, commit_mode="all_or_nothing"
    )
    job.refresh_from_db()
    runner.run_commit(job)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert "第 9 行" in job.failed_row
    assert Resident.objects.count() == 0 and Household.objects.count() == 0
    assert not AuditEntry.objects.filter(event_type="import").exists()


def test_a_crash_mid_commit_leaves_no_half_household(city, people, run, monkeypatch):
    from shequ.registry.tests.importing.conftest import valid_id, xlsx_bytes

    rows = [["姓名", "身份证号", "楼栋", "单元", "室", "与户主关系"]]
    for number, (name, room, relation) in enumerate(
        [
            ("甲", "201", "户主"),
            ("乙", None, "配偶"),
            ("丙", "202", "户主"),
            ("丁", None, "子女"),
            ("戊", "203", "户主"),
        ]
    ):
        rows.append(
            [
                name,
                valid_id(f"210202198001{number + 10:02d}001"),
                "1号楼" if room else None,
                "1" if room else None,
                room,
                relation,
            ]
        )
    job = _checked(run, city, people, content=xlsx_bytes({"S": rows}))
    assert job.counts["new"] == 5
    real = runner.write_row

    def crash_at_row_5(*, row, **kwargs):
        if row.number == 5:
            raise RuntimeError("disk full")
        return real(row=row, **kwargs)

    monkeypatch.setattr(runner, "write_row", crash_at_row_5)
    monkeypatch.setattr(runner, "CHUNK_ROWS", 1)  # commit as often as household boundaries allow
    job = run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    assert job.state == ImportState.FAILED
    assert "第 5 行" in job.failed_row and "第 5 行" in job.error_message
    # Household 201 (rows 2-3) was whole and committed; 202 (rows 4-5) rolled back whole.
    assert set(Resident.objects.values_list("name", flat=True)) == {"甲", "乙"}
    assert list(Household.objects.values_list("room", flat=True)) == ["201"]
    assert job.stored_file == ""


def test_temporary_files_are_removed_on_success_and_on_failure(city, people, run, monkeypatch):
    ok = _checked(run, city, people)
    stored = ok.stored_file
    assert default_storage.exists(stored)
    ok = run(services.import_job_commit, actor=people["grid_worker"], job=ok, mode="valid_only")
    assert not default_storage.exists(stored) and ok.stored_file == ""

    bad = _checked(run, city, people)
    stored = bad.stored_file
    monkeypatch.setattr(runner, "write_row", lambda **kw: (_ for _ in ()).throw(RuntimeError("x")))
    bad = run(services.import_job_commit, actor=people["grid_worker"], job=bad, mode="valid_only")
    assert bad.state == ImportState.FAILED
    assert not default_storage.exists(stored)


def test_one_import_audit_row_per_commit_with_counts_and_no_personal_numbers(city, people, run):
    job = _checked(run, city, people)
    run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    (entry,) = AuditEntry.objects.filter(event_type="import")
    assert entry.actor == people["grid_worker"]
    assert (
        entry.detail["rows"] == 8 and entry.detail["created"] == 5 and entry.detail["rejected"] == 2
    )
    assert entry.area_path == city.grids["A1a"].path
    text = json.dumps([entry.detail, entry.changes], ensure_ascii=False)
    assert HEAD_ID not in text and "13800000000" not in text


def test_addresses_must_exist_and_be_unambiguous(city, people, run):
    from shequ.registry.tests.importing.conftest import xlsx_bytes

    rows = [
        ["姓名", "身份证号", "性别", "楼栋", "单元", "室"],
        ["甲", None, "男", "9号楼", "1", "101"],
        ["乙", None, "女", "1号楼", "3单元", "101"],
        ["丙", None, "男", "1号楼", "1", None],
    ]
    job = services.import_job_create(
        actor=people["community_worker"],
        area=city.communities["A1"],
        upload=upload(xlsx_bytes({"S": rows})),
    )
    job = run(services.import_job_validate, actor=people["community_worker"], job=job)
    messages = [m for _r, _c, _l, m in _problems(job)]
    assert "找不到楼栋“9号楼”" in messages[0]
    assert "有 2 处" in messages[1]  # both grids of community A1 have a building 1
    assert len(messages) == 3


def test_the_template_is_importable_and_its_example_row_is_skipped(city, people, run):
    from shequ.registry.importing.template import template_bytes

    job = _checked(run, city, people, content=template_bytes())
    assert job.state == ImportState.VALIDATED
    assert job.mapping["sheets"][0]["header_row"] == 3
    assert job.counts["total"] == 0


def test_gbk_csv_imports(city, people, run):
    from shequ.registry.tests.importing.conftest import valid_id

    number = valid_id("21020219900101001")
    text = f"居民台账\n姓名,身份证号,楼号,单元,室,与户主关系\n张三,{number},1号楼,1单元,201,户主\n"
    job = _checked(run, city, people, content=text.encode("gbk"))
    job = run(
        services.import_job_commit, actor=people["grid_worker"], job=job, mode="all_or_nothing"
    )
    assert job.state == ImportState.DONE
    assert Resident.objects.get().name == "张三"


def test_housekeeping_removes_abandoned_expired_and_orphan_files(city, people, run):
    import os
    import time
    from datetime import timedelta

    from django.utils import timezone

    from shequ.registry.importing.housekeeping import import_files_purge

    abandoned = _checked(run, city, people)
    stored, rejected = abandoned.stored_file, abandoned.rejected_file
    orphan = default_storage.save("private/imports/orphan.csv", io.BytesIO(b"x"))
    old = time.time() - 3 * 86400
    os.utime(default_storage.path(orphan), (old, old))
    fresh = _checked(run, city, people)
    ImportJob.objects.filter(pk=abandoned.pk).update(updated_at=timezone.now() - timedelta(days=8))
    died = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(messy_xlsx())
    )
    ImportJob.objects.filter(pk=died.pk).update(
        state=ImportState.COMMITTING, updated_at=timezone.now() - timedelta(hours=7)
    )
    assert import_files_purge() == 4
    died.refresh_from_db()
    assert died.state == ImportState.FAILED and "中断" in died.error_message
    abandoned.refresh_from_db()
    assert abandoned.state == ImportState.FAILED and abandoned.stored_file == ""
    assert not default_storage.exists(stored) and not default_storage.exists(rejected)
    assert not default_storage.exists(orphan)
    assert default_storage.exists(fresh.stored_file)


def test_several_sheets_each_with_its_own_header_and_problems_named_by_sheet(city, people, run):
    from shequ.registry.tests.importing.conftest import valid_id, xlsx_bytes

    first = [["一号楼住户"], ["姓名", "身份证号", "楼栋", "单元", "室"]]
    first.append(["甲", valid_id("21020219700101001"), "1号楼", "1", "401"])
    second = [["手机号", "门牌号", "楼号", "单元", "居民姓名", "证件号码"]]
    second.append(["13800001111", "402", "1", "1单元", "乙", "12345"])
    second.append([None, "403", "1", "1", "丙", valid_id("21020219700101003")])
    empty = [["本页为说明，没有数据"]]
    content = xlsx_bytes({"一号楼": first, "补充": second, "说明": empty})
    job = _checked(run, city, people, content=content)
    sheets = {s["name"]: s for s in job.mapping["sheets"]}
    assert sheets["一号楼"]["header_row"] == 2 and sheets["补充"]["header_row"] == 1
    assert sheets["说明"]["header_row"] is None
    assert (
        sheets["补充"]["columns"]["4"] == "name" and sheets["补充"]["columns"]["5"] == "id_number"
    )
    assert job.counts["total"] == 3 and job.counts["rejected"] == 1
    (problem,) = job.problems.all()
    assert (problem.sheet, problem.row, problem.column) == ("补充", 2, "证件号码")
