"""The commit's fast path: one validation per row, chunks that resume after a
crash, and (PostgreSQL) the COPY writer that skips a person someone else
entered after the dry run instead of failing."""

import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from openpyxl import load_workbook

from shequ.core.crypto import decrypt_bytes
from shequ.registry import services as ledger
from shequ.registry.importing import pipeline, runner, services
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.models import Household, Resident
from shequ.registry.tests.factories import make_household, make_resident
from shequ.registry.tests.importing.conftest import upload, valid_id


def _ledger(rows: int) -> bytes:
    lines = ["姓名,身份证号,楼栋,单元,室,与户主关系,重点人群"]
    for i in range(rows):
        first17 = f"2102021981{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"
        relation = "户主" if i % 2 == 0 else "配偶"
        tag = "低保" if i % 4 == 0 else ""
        lines.append(f"居民{i},{valid_id(first17)},1号楼,1,{100 + i // 2},{relation},{tag}")
    return "\n".join(lines).encode()


def _validated(people, city, content: bytes) -> ImportJob:
    job = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(content, "台账.csv")
    )
    runner.run_validation(job)
    job.refresh_from_db()
    job.state, job.commit_mode = ImportState.COMMITTING, "valid_only"
    job.save()
    return ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)


def test_each_row_is_validated_once_on_commit(city, people, monkeypatch):
    job = _validated(people, city, _ledger(40))
    calls = []
    real = pipeline.clean_resident_data
    monkeypatch.setattr(pipeline, "clean_resident_data", lambda data: calls.append(1) or real(data))
    runner.run_commit(job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.counts["created"] == 40
    assert len(calls) == 40


KILLED_WRITER = "ignore::pytest.PytestUnraisableExceptionWarning"  # the dead run's xlsx writer


@pytest.mark.filterwarnings(KILLED_WRITER)
def test_a_commit_cut_off_mid_way_resumes_where_it_stopped(city, people, monkeypatch):
    """The worker process dies (not a Python error the runner records): the
    chunks already committed stay, with their mark; running the task again
    writes the rest, once, and the counts add up."""
    job = _validated(people, city, _ledger(60))
    monkeypatch.setattr(runner, "CHUNK_ROWS", 10)
    real = runner.write_row

    class Killed(BaseException):
        pass

    def die_at_row_35(*, row, **kwargs):
        if row.index == 35:
            raise Killed
        return real(row=row, **kwargs)

    monkeypatch.setattr(runner, "write_row", die_at_row_35)
    with pytest.raises(Killed):
        runner.run_commit(job)
    job.refresh_from_db()
    assert job.state == ImportState.COMMITTING
    done = job.counts["committed_through"]
    assert done % 2 == 0 and 0 < done < 35  # a chunk ends at a household boundary
    assert Resident.objects.count() == done
    assert Household.objects.count() == done // 2

    monkeypatch.setattr(runner, "write_row", real)
    job = ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)
    runner.run_commit(job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE, job.error_message
    assert job.counts["created"] == 60 and job.counts["total"] == 60
    assert job.counts["skipped"] == 0
    assert Resident.objects.count() == 60 and Household.objects.count() == 30
    assert Household.objects.filter(head__isnull=True).count() == 0


@pytest.mark.filterwarnings(KILLED_WRITER)
def test_rejected_rows_before_the_resume_point_stay_in_the_rejected_file(city, people, monkeypatch):
    content = _ledger(20).decode() + "\n无证号的人,123,1号楼,1,999,户主,"
    content = content.replace("居民3,", "居民3,X", 1).encode()  # row 5: a broken ID
    job = _validated(people, city, content)
    monkeypatch.setattr(runner, "CHUNK_ROWS", 6)
    real = runner.write_row

    class Killed(BaseException):
        pass

    def die(*, row, **kwargs):
        if row.index == 15:
            raise Killed
        return real(row=row, **kwargs)

    monkeypatch.setattr(runner, "write_row", die)
    with pytest.raises(Killed):
        runner.run_commit(job)
    monkeypatch.setattr(runner, "write_row", real)
    job = ImportJob.objects.select_related("area", "created_by").get(pk=job.pk)
    runner.run_commit(job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert job.counts["rejected"] == 2 and job.counts["created"] == 19
    with default_storage.open(job.rejected_file, "rb") as handle:
        workbook = load_workbook(io.BytesIO(decrypt_bytes(handle.read())))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["居民3", "无证号的人"]  # the early one included


@pytest.mark.django_db(transaction=True)
def test_copy_writer_skips_a_person_entered_after_the_dry_run(city, people):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY writer is PostgreSQL's; SQLite uses bulk_create")
    from shequ.registry.importing.copy_writer import CopyInsert  # noqa: PLC0415

    job = _validated(people, city, _ledger(4))
    # Someone enters resident 2 by hand between the dry run and the commit.
    first17 = "21020219810303002"
    other = make_household(city.units["A1a"], room="900")
    make_resident(other, name="居民2", id_number=valid_id(first17), relation_to_head="head")
    writer = CopyInsert(people["grid_worker"])
    checker = pipeline.Checker(actor=people["grid_worker"], duplicate_update=False)
    checker.ledger = {}
    from shequ.registry.importing.addresses import AddressBook  # noqa: PLC0415
    from shequ.registry.importing.sealed import open_decrypted  # noqa: PLC0415

    with open_decrypted(job.stored_file) as stream:
        rows = list(
            pipeline.parse_rows(
                stream, "csv", pipeline.plans_from(job.mapping), AddressBook(job.area)
            )
        )
    for row in rows:
        clean = ledger.clean_resident_data(
            {n: row.data[n] for n in pipeline.PERSON_FIELDS if n in row.data}
        )
        writer.add(row, clean, None)
    households: dict = {}
    from django.db import transaction  # noqa: PLC0415

    with transaction.atomic():
        lost = writer.flush(households, checker.tags)
    assert lost == 1
    assert Resident.objects.filter(name="居民2").count() == 1  # the hand-entered one
    assert Resident.objects.count() == 4
    # Rooms 100 (居民0, 居民1) and 101 (居民3 only: 居民2 was skipped) each have a head
    # only where the head was really inserted; no household was left empty.
    for household in Household.objects.exclude(pk=other.pk):
        assert household.members.exists()
    assert Household.objects.get(room="100").head.name == "居民0"
    assert Household.objects.get(room="101").head_id is None


@pytest.mark.filterwarnings(KILLED_WRITER)
def test_the_resume_command_finishes_a_commit_whose_worker_died(city, people, monkeypatch):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    job = _validated(people, city, _ledger(30))
    monkeypatch.setattr(runner, "CHUNK_ROWS", 10)
    real = runner.write_row

    class Killed(BaseException):
        pass

    def die(*, row, **kwargs):
        if row.index == 25:
            raise Killed
        return real(row=row, **kwargs)

    monkeypatch.setattr(runner, "write_row", die)
    with pytest.raises(Killed):
        runner.run_commit(job)
    monkeypatch.setattr(runner, "write_row", real)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    call_command("registry_import_resume", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.counts["created"] == 30
    assert Resident.objects.count() == 30
