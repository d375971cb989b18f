"""A few thousand rows: chunks, bulk inserts and progress, in seconds not minutes."""

import time

from shequ.registry.importing import runner, services
from shequ.registry.importing.models import ImportState
from shequ.registry.models import Household, Resident
from shequ.registry.tests.importing.conftest import upload, valid_id

ROWS = 3000


def _ledger() -> bytes:
    lines = ["姓名,身份证号,楼栋,单元,室,与户主关系,重点人群"]
    for i in range(ROWS):
        first17 = f"2102021980{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}"
        relation = "户主" if i % 3 == 0 else "子女"
        lines.append(
            f"居民{i},{valid_id(first17)},1号楼,1,{i // 3},{relation},{'党员' if i % 10 == 0 else ''}"
        )
    return "\n".join(lines).encode()


def test_thousands_of_rows_commit_in_chunks(city, people, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK_ROWS", 250)
    job = services.import_job_create(
        actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(_ledger(), "台账.csv")
    )
    started = time.monotonic()
    runner.run_validation(job)
    job.refresh_from_db()
    assert job.counts["new"] == ROWS, job.counts
    job.state, job.commit_mode = ImportState.COMMITTING, "valid_only"
    job.save()
    runner.run_commit(job)
    job.refresh_from_db()
    elapsed = time.monotonic() - started
    assert job.state == ImportState.DONE, job.error_message
    assert job.counts["created"] == ROWS
    assert Resident.objects.count() == ROWS
    assert Household.objects.count() == ROWS // 3
    assert Household.objects.filter(head__isnull=True).count() == 0
    assert Resident.objects.filter(tags__tag__code__isnull=False).distinct().count() == ROWS // 10
    assert elapsed < 120, elapsed
