"""Importing landlines and the passports or permits of residents without a
mainland ID: header synonyms, 证件类型 deciding where "证件号码" goes,
duplicates by document, row/column messages in Chinese."""

import pytest

from shequ.registry.importing import services
from shequ.registry.importing.headers import field_for
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.importing.template import template_bytes
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_household, make_resident
from shequ.registry.tests.importing.conftest import upload, xlsx_bytes
from shequ.registry.tests.importing.files import HEAD_ID, WIFE_ID

HEADERS = [
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "出生日期",
    "联系电话",
    "座机",
    "楼栋",
    "单元",
    "室",
    "与户主关系",
    "人口类型",
]


def row(
    name, gender, kind, number, phone="", landline="", room="101", relation="户主", kind_of="户籍"
):
    return [
        name,
        gender,
        kind,
        number,
        None,
        phone,
        landline,
        "1号楼",
        "1单元",
        room,
        relation,
        kind_of,
    ]


def ledger_rows():
    return [
        HEADERS,
        row("张三", "男", "居民身份证", HEAD_ID, "13800000000", "0411-8456 7890转12"),
        row("金敏俊", "男", "护照", "m1234 5678", room="102", kind_of="境外"),
        row("陈大文", "男", "港澳通行证", "H12345678", room="103", kind_of="境外"),
        row("金敏俊", "男", "护照", "M12345678", room="102", relation="其他", kind_of="境外"),
        row("李四", "女", "身份证", WIFE_ID, room="104", kind_of="境外"),
        row("王某", "男", "护照", "E1", room="105", kind_of="境外"),
        row("赵六", "男", "", "", "0411-84561234", room="106"),
        row("钱七", "女", "", "", "", "84561234", room="107"),
        row("孙八", "男", "驾驶证", "123", room="108"),
    ]


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = service(**kwargs)
        return ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)

    return call


def _checked(run, city, people, rows=None, who="grid_worker"):
    job = services.import_job_create(
        actor=people[who],
        area=city.grids["A1a"],
        upload=upload(xlsx_bytes({"居民": rows or ledger_rows()})),
    )
    return run(services.import_job_validate, actor=people[who], job=job, duplicate_mode="skip")


def _problems(job):
    return {(p.row, p.column, p.level): p.message for p in job.problems.all()}


def test_header_synonyms():
    for header in ("固定电话", "座机", "家庭电话", "其他电话", "联系电话2"):
        assert field_for(header) == "other_phone", header
    assert field_for("证件类型") == "id_document_type"
    for header in ("护照号码", "通行证号码", "其他证件号码"):
        assert field_for(header) == "id_document_number", header
    assert field_for("证件号码") == "id_number"  # unless the row's 证件类型 says otherwise


def test_dry_run_explains_each_problem_by_row_and_column(city, people, run):
    job = _checked(run, city, people)
    assert job.state == ImportState.VALIDATED
    problems = _problems(job)
    assert "与工作表“居民”第 3 行的证件重复" in problems[(5, "证件号码", "warning")]
    assert "境外人员" in problems[(6, "证件号码", "warning")]  # a mainland ID for a foreigner
    assert "护照号码应为5至17位" in problems[(7, "证件号码", "error")]
    assert "已登记为“其他电话”" in problems[(8, "联系电话", "warning")]
    assert "请带区号" in problems[(9, "座机", "error")]
    assert "无法识别的证件类型" in problems[(10, "证件类型", "error")]
    assert (job.counts["new"], job.counts["duplicate"], job.counts["rejected"]) == (5, 1, 3)
    assert Resident.objects.count() == 0


def test_commit_stores_documents_and_landlines(city, people, run):
    job = _checked(run, city, people)
    job = run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    assert job.state == ImportState.DONE, job.error_message
    assert job.counts["created"] == 5
    head = Resident.objects.get(name="张三")
    assert head.id_number == HEAD_ID and head.id_document_number is None
    assert (head.mobile, head.other_phone) == ("13800000000", "0411-84567890-12")
    kim = Resident.objects.get(name="金敏俊")
    assert (kim.id_document_type, kim.id_document_number, kim.id_number) == (
        "passport",
        "M12345678",
        None,
    )
    assert kim.residence_type == "foreign" and kim.id_document_index
    chan = Resident.objects.get(name="陈大文")
    assert (chan.id_document_type, chan.id_document_number) == ("hk_macao_permit", "H12345678")
    assert Resident.objects.get(name="李四").id_number == WIFE_ID  # a warning, not an error
    zhao = Resident.objects.get(name="赵六")
    assert zhao.mobile is None and zhao.other_phone == "0411-84561234"
    assert zhao.other_phone_index


def test_a_document_already_in_the_ledger_is_a_duplicate_or_out_of_scope(city, people, run):
    mine = make_household(city.units["A1a"], room="102")
    make_resident(
        mine,
        name="金敏俊",
        id_number=None,
        gender="male",
        id_document_type="passport",
        id_document_number="M12345678",
    )
    theirs = make_household(city.units["B1a"])
    make_resident(
        theirs,
        name="陈大文",
        id_number=None,
        gender="male",
        id_document_type="hk_macao_permit",
        id_document_number="H12345678",
    )
    job = _checked(run, city, people, rows=ledger_rows()[:4])
    problems = _problems(job)
    assert "台账中已有此人（证件相同）" in problems[(3, "证件号码", "warning")]
    assert "其他辖区" in problems[(4, "证件号码", "error")]


def test_document_columns_without_a_type_column(city, people, run):
    passports = [
        ["姓名", "性别", "护照号码", "固定电话", "楼栋", "单元", "室", "人口类型"],
        ["金敏俊", "男", "M12345678", 41184567890, "1号楼", "1单元", "201", "境外"],
    ]
    permits = [
        ["姓名", "性别", "通行证号码", "楼栋", "单元", "室", "人口类型"],
        ["林志明", "男", "12345678", "1号楼", "1单元", "202", "境外"],
        ["陈大文", "男", "H12345678", "1号楼", "1单元", "203", "境外"],
        ["某人", "男", "E12345678", "1号楼", "1单元", "204", "境外"],
    ]
    job = _checked(run, city, people, rows=passports)
    assert job.counts["rejected"] == 0, _problems(job)
    run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    kim = Resident.objects.get(name="金敏俊")
    assert kim.id_document_type == "passport"  # the column says so
    assert kim.other_phone == "0411-84567890"  # Excel had dropped the leading 0
    job = _checked(run, city, people, rows=permits)
    # A permit's shape says which one it is; a bare "E12345678" does not.
    assert "请选择证件类型" in _problems(job)[(4, "证件类型", "error")]
    run(services.import_job_commit, actor=people["grid_worker"], job=job, mode="valid_only")
    assert Resident.objects.get(name="林志明").id_document_type == "taiwan_permit"
    assert Resident.objects.get(name="陈大文").id_document_type == "hk_macao_permit"


def test_update_mode_finds_the_resident_by_document(city, people, run):
    home = make_household(city.units["A1a"], room="102")
    kim = make_resident(
        home,
        name="金敏俊",
        id_number=None,
        gender="male",
        id_document_type="passport",
        id_document_number="M12345678",
    )
    rows = [HEADERS, row("金敏俊", "男", "护照", "M12345678", "", "0411-84560000", room="102")]
    job = services.import_job_create(
        actor=people["grid_worker"],
        area=city.grids["A1a"],
        upload=upload(xlsx_bytes({"居民": rows})),
    )
    job = run(
        services.import_job_validate, actor=people["grid_worker"], job=job, duplicate_mode="update"
    )
    job = run(
        services.import_job_commit,
        actor=people["grid_worker"],
        job=job,
        mode="valid_only",
        duplicate_mode="update",
    )
    assert job.counts["updated"] == 1 and job.counts["created"] == 0
    kim.refresh_from_db()
    assert kim.other_phone == "0411-84560000"
    assert Resident.objects.filter(name="金敏俊").count() == 1


def test_blank_template_has_the_new_columns():
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(template_bytes())).active
    headers = [cell.value for cell in sheet[3]]
    assert {"其他电话", "证件类型", "其他证件号码"} <= set(headers)
    assert all(field_for(h) for h in headers)
    column = headers.index("其他证件号码") + 1
    assert sheet.cell(row=5, column=column).number_format == "@"
