"""Import files at rest (SECURITY.md rows 22, 26): the uploaded ledger and the
rejected rows are stored encrypted, read through temporary files that are
removed, and downloaded decrypted on the fly."""

import io
import os
import re
import tempfile
import tracemalloc

import pytest
from cryptography.exceptions import InvalidTag
from django.core.files.storage import default_storage
from django.test import Client
from openpyxl import load_workbook

from shequ.core import crypto
from shequ.core.tests.factories import login
from shequ.registry.importing import sealed, services
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.tests.importing.conftest import upload, valid_id
from shequ.registry.tests.importing.files import BAD_CHECK, messy_xlsx

ID18 = re.compile(rb"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
NUMBER = valid_id("21020219900101001")
CSV = (
    "居民台账\n姓名,身份证号,楼号,单元,室,与户主关系\n"
    f"张三,{NUMBER},1号楼,1单元,201,户主\n"
    f"孙八,{BAD_CHECK},1号楼,1单元,202,户主\n"
).encode()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = service(**kwargs)
        return ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)

    return call


@pytest.fixture
def temp_files(monkeypatch):
    """Every temporary file the import opens through :mod:`sealed`, by name."""
    made: list[str] = []
    original = tempfile.NamedTemporaryFile

    def spy(*args, **kwargs):
        handle = original(*args, **kwargs)
        made.append(handle.name)
        return handle

    monkeypatch.setattr(sealed.tempfile, "NamedTemporaryFile", spy)
    return made


def _stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_the_uploaded_file_is_stored_encrypted(city, people):
    assert ID18.search(CSV)
    job = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(CSV, "台账.csv")
    )
    raw = _stored(job.stored_file)
    assert raw.startswith(crypto.FILE_MAGIC)
    assert not ID18.search(raw) and "张三".encode() not in raw
    assert crypto.decrypt_bytes(raw) == CSV

    content = messy_xlsx()
    job = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(content)
    )
    raw = _stored(job.stored_file)
    assert not ID18.search(raw) and crypto.decrypt_bytes(raw) == content


def test_dry_run_commit_and_download_decrypt_and_leave_no_temp_files(city, people, run, temp_files):
    worker = people["grid_worker"]
    job = services.import_job_create(
        actor=worker, area=city.grids["A1a"], upload=upload(CSV, "台账.csv")
    )
    job = run(services.import_job_validate, actor=worker, job=job, duplicate_mode="skip")
    assert job.state == ImportState.VALIDATED and job.counts["rejected"] == 1
    job = run(services.import_job_commit, actor=worker, job=job, mode="valid_only")
    assert job.state == ImportState.DONE and job.counts["created"] == 1

    raw = _stored(job.rejected_file)
    assert raw.startswith(crypto.FILE_MAGIC) and not ID18.search(raw)
    rows = list(load_workbook(io.BytesIO(crypto.decrypt_bytes(raw))).active.values)
    assert rows[0][-1] == "原因" and rows[1][1] == BAD_CHECK

    client = Client()
    login(client, worker)
    download = client.get(f"/registry/imports/{job.pk}/rejected/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body == crypto.decrypt_bytes(raw)
    assert int(download["Content-Length"]) == len(body)
    assert "rejected-rows" in download["Content-Disposition"]

    # Upload, dry run (file read twice by the commit too), rejected rows × 2, download.
    assert len(temp_files) >= 5
    assert all(os.path.basename(n).startswith(sealed.TEMP_PREFIX) for n in temp_files)
    assert not [n for n in temp_files if os.path.exists(n)]


def test_temp_file_is_removed_when_reading_fails(city, people, temp_files):
    job = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(CSV, "台账.csv")
    )
    with pytest.raises(RuntimeError), sealed.open_decrypted(job.stored_file) as plain:
        assert plain.read() == CSV
        raise RuntimeError
    assert temp_files and not [n for n in temp_files if os.path.exists(n)]


def test_a_damaged_or_plaintext_rejected_file_is_not_served(city, people, run):
    worker = people["grid_worker"]
    job = services.import_job_create(
        actor=worker, area=city.grids["A1a"], upload=upload(CSV, "台账.csv")
    )
    job = run(services.import_job_validate, actor=worker, job=job, duplicate_mode="skip")
    path = default_storage.path(job.rejected_file)
    raw = bytearray(_stored(job.rejected_file))
    raw[40] ^= 1
    with open(path, "wb") as handle:
        handle.write(raw)
    client = Client()
    login(client, worker)
    assert client.get(f"/registry/imports/{job.pk}/rejected/").status_code == 404
    with open(path, "wb") as handle:
        handle.write(b"PK plaintext")
    assert client.get(f"/registry/imports/{job.pk}/rejected/").status_code == 404


@pytest.mark.parametrize(
    "size",
    [0, 1, crypto.FILE_CHUNK - 1, crypto.FILE_CHUNK, crypto.FILE_CHUNK + 1, 3 * crypto.FILE_CHUNK],
)
def test_file_encryption_round_trips_and_detects_tampering(size):
    data = os.urandom(size)
    sealed_bytes = crypto.encrypt_bytes(data)
    assert crypto.decrypt_bytes(sealed_bytes) == data
    assert crypto.encrypt_bytes(data) != sealed_bytes  # a fresh nonce prefix each time
    for bad in (
        sealed_bytes[:-1],  # truncated
        sealed_bytes[: 12 + crypto.FILE_CHUNK + 16],  # whole chunks dropped
        sealed_bytes[:20] + bytes([sealed_bytes[20] ^ 1]) + sealed_bytes[21:],
        b"SQF1\x63" + sealed_bytes[5:],  # unknown key version
        data,  # not encrypted at all
    ):
        if bad == sealed_bytes:
            continue
        with pytest.raises(InvalidTag):
            crypto.decrypt_bytes(bad)


def test_files_written_under_an_old_key_still_decrypt(settings):
    old = settings.FIELD_ENCRYPTION_KEYS.split(",")[0].split(":", 1)[1]
    settings.FIELD_ENCRYPTION_KEYS = f"1:{old}"
    sealed_bytes = crypto.encrypt_bytes(b"ledger")
    new = "A" * 43 + "="
    settings.FIELD_ENCRYPTION_KEYS = f"2:{new},1:{old}"
    assert crypto.decrypt_bytes(sealed_bytes) == b"ledger"
    assert crypto.encrypt_bytes(b"x")[4] == 2


def test_large_files_are_encrypted_with_flat_memory(tmp_path):
    source = tmp_path / "big.bin"
    with open(source, "wb") as handle:
        for _ in range(64):
            handle.write(os.urandom(2**17))  # 8 MB
    target, back = tmp_path / "big.enc", tmp_path / "big.out"
    tracemalloc.start()
    with open(source, "rb") as src, open(target, "wb") as dst:
        crypto.encrypt_stream(src, dst)
    with open(target, "rb") as src, open(back, "wb") as dst:
        crypto.decrypt_stream(src, dst)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000
    assert source.read_bytes() == back.read_bytes()
