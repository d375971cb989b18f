"""The wizard pages and the API: the same journey, scoped like the ledger."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from shequ.core.tests.factories import login
from shequ.registry.importing import reading
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.models import Resident
from shequ.registry.tests.importing.files import messy_xlsx

API = "/api/v1/registry/imports"


def _client(user) -> Client:
    client = Client()
    login(client, user)
    return client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_web_journey_upload_columns_dry_run_commit_download(city, people, on_commit):
    client = _client(people["grid_worker"])
    listing = client.get("/registry/residents/")
    assert "/registry/imports/" in listing.content.decode()
    assert client.get("/registry/imports/").status_code == 200
    form = client.get("/registry/imports/new/")
    assert form.status_code == 200 and "上传" in form.content.decode()

    response = client.post(
        "/registry/imports/new/",
        {"area": city.grids["A1a"].pk, "file": SimpleUploadedFile("台账.xlsx", messy_xlsx())},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    job = ImportJob.objects.get()
    page = client.get(f"/registry/imports/{job.pk}/").content.decode()
    assert "身份证号" in page and 'value="id_number" selected' in page

    columns = {f"s0-c{i}": field for i, field in job.mapping["sheets"][0]["columns"].items()}
    columns["s0-c11"] = ""  # the worker chooses not to import the tags column
    with on_commit():
        response = client.post(
            f"/registry/imports/{job.pk}/mapping/", {**columns, "duplicate_mode": "skip"}
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.VALIDATED
    assert "11" not in job.mapping["sheets"][0]["columns"]
    page = client.get(f"/registry/imports/{job.pk}/?level=error").content.decode()
    assert "存成了数字" in page and "第 9 行" in page
    status = client.get(f"/registry/imports/{job.pk}/status/").json()
    assert status["state"] == "validated" and status["progress"] == 100

    with on_commit():
        response = client.post(
            f"/registry/imports/{job.pk}/commit/", {"mode": "valid_only", "duplicate_mode": "skip"}
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.DONE and Resident.objects.count() == 5
    assert not Resident.objects.get(name="张三").tags.exists()
    download = client.get(f"/registry/imports/{job.pk}/rejected/")
    assert download.status_code == 200 and download["Cache-Control"].startswith("no-store")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.active.cell(row=1, column=14).value == "原因"


def test_oversized_upload_gets_a_clear_message_from_the_upload_handler(city, people, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1000)
    client = _client(people["grid_worker"])
    response = client.post(
        "/registry/imports/new/",
        {"area": city.grids["A1a"].pk, "file": SimpleUploadedFile("big.xlsx", b"x" * 200_000)},
    )
    assert response.status_code == 400
    assert "文件超过" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_bad_files_answer_400_with_a_message_never_500(city, people):
    client = _client(people["grid_worker"])
    for content in (b"", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100):
        response = client.post(
            "/registry/imports/new/",
            {"area": city.grids["A1a"].pk, "file": SimpleUploadedFile("x.xlsx", content)},
        )
        assert response.status_code == 400
        assert (
            'class="errors"' in response.content.decode()
            or 'class="error"' in response.content.decode()
        )
    api = client.post(
        API, {"area_id": city.grids["A1a"].pk, "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04x")}
    )
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "corrupt_xlsx"


def test_api_journey(city, people, on_commit):
    client = _client(people["community_worker"])
    content = messy_xlsx()
    created = client.post(
        API, {"area_id": city.grids["A1a"].pk, "file": SimpleUploadedFile("台账.xlsx", content)}
    )
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["state"] == "uploaded" and job["sheets"][0]["header_row"] == 3
    columns = dict(job["sheets"][0]["columns"])
    columns["0"] = "name"  # a mistake the API refuses: two columns for the name
    bad = client.put(
        f"{API}/{job['id']}/mapping", {"sheets": {"居民": columns}}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["sheets"]
    with on_commit():
        checked = client.post(
            f"{API}/{job['id']}/validate",
            {"duplicate_mode": "skip"},
            content_type="application/json",
        )
    assert checked.status_code == 200
    job = client.get(f"{API}/{job['id']}").json()
    assert job["state"] == "validated" and job["counts"]["rejected"] == 2
    problems = client.get(f"{API}/{job['id']}/problems", {"page_size": 2}).json()
    assert problems["count"] == 3 and len(problems["items"]) == 2
    assert problems["items"][0] == {
        "sheet": "居民",
        "row": 9,
        "column": "身份证号",
        "level": "error",
        "message": problems["items"][0]["message"],
    }
    refused = client.post(
        f"{API}/{job['id']}/commit", {"mode": "all_or_nothing"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "has_errors"
    with on_commit():
        done = client.post(
            f"{API}/{job['id']}/commit", {"mode": "valid_only"}, content_type="application/json"
        )
    assert done.status_code == 200
    job = client.get(f"{API}/{job['id']}").json()
    assert job["state"] == "done" and job["counts"]["created"] == 5 and job["has_rejected_file"]
    assert client.get(f"{API}/{job['id']}/rejected").status_code == 200
    again = client.post(
        API, {"area_id": city.grids["A1a"].pk, "file": SimpleUploadedFile("再次.xlsx", content)}
    )
    assert again.json()["already_imported_at"] is not None
    listing = client.get(API).json()
    assert listing["count"] == 2


def test_template_download(city, people):
    client = _client(people["grid_worker"])
    for url in ("/registry/imports/template/", f"{API}/template"):
        response = client.get(url)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True, max_row=4))
        assert rows[2][0] == "姓名" and "公民身份号码" in rows[2]
        assert "填写说明" in rows[1][0]
        assert rows[3][0].startswith("（示例）")


def test_another_grid_cannot_see_or_commit_the_job(city, people, on_commit):
    owner = _client(people["grid_worker"])
    owner.post(
        "/registry/imports/new/",
        {"area": city.grids["A1a"].pk, "file": SimpleUploadedFile("a.xlsx", messy_xlsx())},
    )
    job = ImportJob.objects.get()
    with on_commit():
        owner.post(
            f"/registry/imports/{job.pk}/mapping/",
            {
                "s0-c1": "name",
                "s0-c3": "id_number",
                "s0-c6": "building",
                "s0-c7": "unit",
                "s0-c8": "room",
            },
        )
    job.refresh_from_db()
    assert job.state == ImportState.VALIDATED
    other = _client(people["grid_worker_b"])
    for url in (
        f"/registry/imports/{job.pk}/",
        f"/registry/imports/{job.pk}/status/",
        f"/registry/imports/{job.pk}/rejected/",
        f"{API}/{job.pk}",
        f"{API}/{job.pk}/problems",
    ):
        assert other.get(url).status_code == 404, url
    assert (
        other.post(
            f"/registry/imports/{job.pk}/commit/", {"mode": "valid_only", "duplicate_mode": "skip"}
        ).status_code
        == 404
    )
    assert (
        other.post(
            f"{API}/{job.pk}/commit", {"mode": "valid_only"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert job.file_name not in other.get("/registry/imports/").content.decode()
    assert other.get(API).json()["count"] == 0
    # Nor upload into the other grid.
    response = other.post(
        API, {"area_id": city.grids["A1a"].pk, "file": SimpleUploadedFile("a.xlsx", messy_xlsx())}
    )
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.state == ImportState.VALIDATED and Resident.objects.count() == 0


def test_residents_and_volunteers_are_refused(city, people):
    client = _client(people["resident"])
    assert client.get("/registry/imports/").status_code == 403
    assert client.get(API).status_code == 403


def test_html_and_emoji_in_cells_are_stored_as_text_and_shown_escaped(city, people, on_commit):
    from shequ.registry.tests.importing.conftest import xlsx_bytes

    payload = "<img src=x onerror=alert(1)>"
    rows = [
        ["姓名", "性别", "楼栋", "单元", "室"],
        ["王😀小明", "男", "1号楼", "1", "301"],
        ["李四", payload, "1号楼", "1", "302"],
    ]
    client = _client(people["grid_worker"])
    client.post(
        "/registry/imports/new/",
        {
            "area": city.grids["A1a"].pk,
            "file": SimpleUploadedFile("x.xlsx", xlsx_bytes({"S": rows})),
        },
    )
    job = ImportJob.objects.get()
    with on_commit():
        client.post(
            f"/registry/imports/{job.pk}/mapping/",
            {f"s0-c{i}": f for i, f in job.mapping["sheets"][0]["columns"].items()},
        )
    page = client.get(f"/registry/imports/{job.pk}/").content.decode()
    assert payload not in page and "&lt;imgsrc=xonerror=ale" in page
    with on_commit():
        client.post(
            f"/registry/imports/{job.pk}/commit/", {"mode": "valid_only", "duplicate_mode": "skip"}
        )
    assert Resident.objects.get().name == "王😀小明"
