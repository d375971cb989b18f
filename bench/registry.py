"""The registry benchmark (issue 3, section 10), against PostgreSQL.

    .venv/bin/python bench/registry.py [--residents 1000000] [--db shequ_bench] [--keep]
    make bench-registry BENCH_ARGS="--residents 200000"

1. Creates a fresh database, migrates it and builds a Dalian-like area tree
   (city, districts, streets, communities, grids, buildings, units) with bulk
   inserts that compute path and depth.
2. Writes N residents as community workers send them: one CSV ledger per
   community (title row, Chinese headers, merged-cell blanks for the address
   of a household's second and later members, realistic names, valid
   GB 11643 ID numbers, mobiles), in a temp dir.
3. Imports them through the real import path, as the wizard's background
   tasks do: ``import_job_create`` (sniff, seal, header detection, mapping),
   the dry run ``runner.run_validation`` and the commit ``runner.run_commit``
   (checked rows, validated once, written by ``copy_writer.CopyInsert``:
   COPY into a staging table, INSERT … ON CONFLICT DO NOTHING, one
   transaction per chunk of whole households). ``--workers N`` runs N
   imports at once (files split), as N task workers would.
   The import runs in a child process; its peak memory is that process's
   ``resource.getrusage(RUSAGE_SELF).ru_maxrss``.
   The per-row CPU work (parsing, validation, pinyin, AES-GCM, HMAC) is also
   timed on its own, without the database.
4. Times a raw COPY of the same, already transformed rows into copies of the
   indexed tables (same indexes, unique constraints and foreign keys).
5. Times p50/p95 of a community worker's name search (characters, full
   pinyin, initials), an exact ID lookup and a household page's queries,
   through the selectors the views call.
6. Prints a summary and writes ``bench/results/registry-<residents>.json``.

Not part of ``make test`` or ``.ci/run``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432/"
PER_COMMUNITY = 10_000  # residents in one community's ledger file (about 3,600 households)
GRIDS_PER_COMMUNITY = 4
BUILDINGS_PER_GRID = 8
UNITS_PER_BUILDING = 3
DISTRICTS = [
    ("210202", "中山区"),
    ("210203", "西岗区"),
    ("210204", "沙河口区"),
    ("210211", "甘井子区"),
    ("210212", "旅顺口区"),
    ("210213", "金州区"),
]
STREETS_PER_DISTRICT = 6
HEADER = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "联系电话",
    "楼栋",
    "单元",
    "室",
    "与户主关系",
    "人口类型",
    "居住状态",
    "户籍地址",
    "工作单位/学校",
    "重点人群",
    "备注",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = PG + db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- database


def create_database(db: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def drop_database(db: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def build_tree(communities: int) -> list[int]:
    """City → districts → streets → communities → grids → buildings → units, in
    bulk, level by level. Returns the community ids."""
    from shequ.core.choices import Level
    from shequ.core.models import Area

    def level(parents, make):
        rows = []
        for parent in parents:
            for code, name, lvl in make(parent):
                rows.append(
                    Area(
                        parent=parent,
                        level=lvl,
                        code=code,
                        name=name,
                        path=f"{parent.path}.{code}",
                        depth=parent.depth + 1,
                    )
                )
        return Area.objects.bulk_create(rows, batch_size=2000)

    city = Area.objects.create(
        level=Level.CITY, code="210200", name="大连市", path="210200", depth=0
    )
    districts = level([city], lambda p: [(c, n, Level.DISTRICT) for c, n in DISTRICTS])
    streets = level(
        districts,
        lambda p: [
            (f"{i:03d}", f"{p.name[:-1]}第{i}街道", Level.STREET)
            for i in range(1, STREETS_PER_DISTRICT + 1)
        ],
    )
    per_street = -(-communities // len(streets))
    made = 0

    def community_rows(street):
        nonlocal made
        out = []
        for i in range(1, per_street + 1):
            if made >= communities:
                break
            made += 1
            out.append((f"{i:03d}", f"{street.name[:-2]}{i}社区", Level.COMMUNITY))
        return out

    comms = level(streets, community_rows)
    grids = level(
        comms,
        lambda p: [
            (f"{i:02d}", f"第{i}网格", Level.GRID) for i in range(1, GRIDS_PER_COMMUNITY + 1)
        ],
    )

    def building_rows(grid):
        g = int(grid.code)
        return [
            (str(b), f"{b}号楼", Level.BUILDING)
            for b in range((g - 1) * BUILDINGS_PER_GRID + 1, g * BUILDINGS_PER_GRID + 1)
        ]

    buildings = level(grids, building_rows)
    level(
        buildings,
        lambda p: [(str(u), f"{u}单元", Level.UNIT) for u in range(1, UNITS_PER_BUILDING + 1)],
    )
    return [c.pk for c in comms]


# --------------------------------------------------------------------------- the ledger files


class People:
    """Believable residents: names from the demo data, valid unique ID numbers."""

    MOBILE = ["130", "131", "135", "136", "137", "138", "139", "150", "151", "158", "159"]
    MOBILE += ["176", "177", "180", "182", "186", "187", "188", "189", "199"]
    TAGS = ["党员", "退役军人", "低保", "残疾人"]

    def __init__(self, seed: int):
        data = json.loads(
            (ROOT / "shequ/registry/data/demo_people.json").read_text(encoding="utf-8")
        )
        self.rng = random.Random(seed)
        self.surnames = [s for s, _w in data["surnames"]]
        self.weights = [w for _s, w in data["surnames"]]
        self.given = {True: data["given_male"], False: data["given_female"]}
        self.regions = [code for code, _n in data["home_regions"]]
        self.region_names = dict(data["home_regions"])
        self.serial: dict[tuple[str, date], int] = {}
        self.today = date.today()

    def name(self, male: bool, surname: str | None = None) -> str:
        chars = self.given[male]
        n = self.rng.choice((1, 2, 2, 2))
        given = "".join(self.rng.choice(chars) for _ in range(n))
        return (surname or self.rng.choices(self.surnames, self.weights)[0]) + given

    def id_number(self, region: str, birth: date, male: bool) -> str:
        from shequ.core.idnumbers import check_char

        key = (region, birth)
        n = self.serial.get(key, 0)
        self.serial[key] = n + 1
        # 3-digit sequence: 500 per sex per day per region; odd = male
        if n >= 500:
            raise OverflowError
        seq = n * 2 + (1 if male else 0)
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        return first17 + check_char(first17)

    def birth(self, age: int) -> date:
        return date(self.today.year - age - 1, 1, 1) + timedelta(days=self.rng.randint(0, 364))

    def mobile(self, style: int) -> str:
        number = self.rng.choice(self.MOBILE) + f"{self.rng.randint(0, 99_999_999):08d}"
        if style == 0:
            return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"  # normalised on import
        return number

    def household(self) -> list[dict]:
        rng = self.rng
        head_male = rng.random() < 0.6
        surname = rng.choices(self.surnames, self.weights)[0]
        shape = rng.random()
        head_age = rng.randint(25, 85)
        members = [("户主", head_male, head_age, surname)]
        if shape > 0.15:
            members.append(("配偶", not head_male, max(20, head_age + rng.randint(-5, 5)), None))
        if shape > 0.35 and head_age < 65:
            for _ in range(rng.choice((1, 1, 2))):
                members.append(
                    ("子女", rng.random() < 0.5, max(0, head_age - rng.randint(22, 35)), surname)
                )
        if shape > 0.85 and head_age < 55:
            members.append(("父母", rng.random() < 0.5, head_age + rng.randint(22, 30), None))
        people = []
        floating = rng.random() < 0.12
        for relation, male, age, surname_of in members:
            region = rng.choice(self.regions) if floating else "210202"
            people.append(
                {
                    "name": self.name(male, surname_of),
                    "male": male,
                    "relation": relation,
                    "birth": self.birth(min(age, 100)),
                    "region": region,
                    "floating": floating,
                }
            )
        return people


def write_ledgers(directory: Path, communities: list, total: int, seed: int) -> list[dict]:
    """One CSV per community, ``total`` residents in all. Returns [{path, community, rows}]."""
    from shequ.core.models import Area

    people = People(seed)
    rng = people.rng
    files = []
    left = total
    for index, community_id in enumerate(communities):
        if left <= 0:
            break
        community = Area.objects.get(pk=community_id)
        target = min(PER_COMMUNITY, left)
        path = directory / f"{index:04d}-{community.code}-居民台账.csv"
        written = 0
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow([f"{community.name}居民信息台账"] + [""] * (len(HEADER) - 1))
            out.writerow(HEADER)
            building_count = GRIDS_PER_COMMUNITY * BUILDINGS_PER_GRID
            households = 0
            while written < target:
                b = households % building_count + 1
                u = households // building_count % UNITS_PER_BUILDING + 1
                slot = households // (building_count * UNITS_PER_BUILDING)
                room = f"{slot // 2 + 1}{slot % 2 + 1:02d}"
                households += 1
                building_cell = rng.choice((f"{b}号楼", f"{b}栋", f"{b}号楼", str(b)))
                unit_cell = rng.choice((str(u), f"{u}单元"))
                for position, person in enumerate(people.household()):
                    if written >= target:
                        break
                    written += 1
                    try:
                        number = people.id_number(person["region"], person["birth"], person["male"])
                    except OverflowError:
                        continue
                    if rng.random() < 0.02:
                        number = number[:-1] + number[-1].lower()  # a lower-case x, or a digit
                    age = people.today.year - person["birth"].year
                    tags = []
                    if age >= 18 and rng.random() < 0.06:
                        tags.append(rng.choice(people.TAGS))
                    first = position == 0
                    out.writerow(
                        [
                            written,
                            person["name"],
                            "男" if person["male"] else "女",
                            "汉族"
                            if rng.random() < 0.93
                            else rng.choice(("满族", "回族", "朝鲜族")),
                            number,
                            person["birth"].strftime(
                                rng.choice(("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"))
                            ),
                            people.mobile(rng.randint(0, 4)) if age >= 16 else "",
                            building_cell if first else "",  # merged cells read as blanks
                            unit_cell if first else "",
                            room if first else "",
                            person["relation"],
                            "流动人口" if person["floating"] else "户籍",
                            "在住",
                            people.region_names.get(person["region"], "辽宁省大连市中山区")
                            + f"{rng.randint(1, 300)}号",
                            "",
                            "、".join(tags),
                            "",
                        ]
                    )
        files.append({"path": str(path), "community": community_id, "rows": written})
        left -= written
    return files


# --------------------------------------------------------------------------- the import (child process)


def importer_user():
    from shequ.core.models import Area, RoleAssignment, User
    from shequ.core.roles import Role

    user, created = User.objects.get_or_create(
        username="bench_importer", defaults={"full_name": "导入测试"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=Role.COMMUNITY_WORKER, area=a, area_path=a.path)
            for a in Area.objects.filter(level="community")
        )
    return user


class _Upload:
    """What the wizard receives: a file with a name, a size and chunks."""

    def __init__(self, path: str):
        self.file = open(path, "rb")  # noqa: SIM115
        self.name = Path(path).name
        self.size = os.path.getsize(path)

    def __getattr__(self, attr):
        return getattr(self.file, attr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()

    def __iter__(self):
        return iter(self.file)

    def chunks(self, size: int = 64 * 1024):
        self.file.seek(0)
        while data := self.file.read(size):
            yield data


def import_files(files: list[dict]) -> dict:
    """Import every file as its community's worker would, through the wizard's
    own passes: ``import_job_create`` (upload: sniff, seal, header detection,
    mapping), the dry run ``runner.run_validation`` and the commit
    ``runner.run_commit`` (which writes with the COPY writer on PostgreSQL)."""
    from shequ.core.models import Area
    from shequ.registry.importing import runner, services
    from shequ.registry.importing.models import CommitMode, DuplicateMode, ImportState

    actor = importer_user()
    counts_all = {"total": 0, "created": 0, "skipped": 0, "rejected": 0}
    upload_seconds = validate_seconds = commit_seconds = 0.0
    started = time.perf_counter()
    for info in files:
        t0 = time.perf_counter()
        community = Area.objects.get(pk=info["community"])
        with _Upload(info["path"]) as upload:
            job = services.import_job_create(actor=actor, area=community, upload=upload)
        t1 = time.perf_counter()
        upload_seconds += t1 - t0
        runner.run_validation(job)
        t2 = time.perf_counter()
        validate_seconds += t2 - t1
        job.refresh_from_db()
        job.state, job.commit_mode = ImportState.COMMITTING, CommitMode.VALID_ONLY
        job.duplicate_mode = DuplicateMode.SKIP
        job.save()
        runner.run_commit(job)
        commit_seconds += time.perf_counter() - t2
        job.refresh_from_db()
        if job.state != ImportState.DONE:
            raise SystemExit(f"import failed: {job.error_message}")
        for key in counts_all:
            counts_all[key] += job.counts.get(key, 0)
    return {
        "counts": counts_all,
        "seconds": time.perf_counter() - started,
        "upload_seconds": upload_seconds,
        "validate_seconds": validate_seconds,
        "commit_seconds": commit_seconds,
        "peak_rss_mb": rss_mb(),
        "pid": os.getpid(),
    }


def child_import(args) -> None:
    setup_django(args.db)
    from django.conf import settings

    settings.MEDIA_ROOT = args.media
    files = json.loads(Path(args.files).read_text())
    result = import_files(files)
    print("RESULT " + json.dumps(result), flush=True)


def run_import(args, files: list[dict], media: str, tmp: Path) -> dict:
    """The import in ``--workers`` child processes (files split round-robin)."""
    shards = [files[i :: args.workers] for i in range(args.workers)]
    procs = []
    started = time.perf_counter()
    for n, shard in enumerate(shards):
        listing = tmp / f"files-{n}.json"
        listing.write_text(json.dumps(shard))
        procs.append(
            subprocess.Popen(  # noqa: S603  (our own script, our arguments)
                [sys.executable, __file__, "--phase", "import", "--db", args.db]
                + ["--files", str(listing), "--media", media],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    results = []
    for proc in procs:
        out, _err = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"import child failed ({proc.returncode})\n{out[-3000:]}")
        line = [x for x in out.splitlines() if x.startswith("RESULT ")][-1]
        results.append(json.loads(line[7:]))
    wall = time.perf_counter() - started
    counts = {k: sum(r["counts"][k] for r in results) for k in results[0]["counts"]}
    return {
        "workers": args.workers,
        "counts": counts,
        "wall_seconds": wall,
        "rate": counts["created"] / wall,
        "commit_only_rate": counts["created"] / max(r["commit_seconds"] for r in results),
        "validate_only_rate": counts["total"] / max(r["validate_seconds"] for r in results),
        "upload_seconds": sum(r["upload_seconds"] for r in results),
        "peak_rss_mb_per_process": max(r["peak_rss_mb"] for r in results),
        "children": results,
    }


# --------------------------------------------------------------------------- CPU-only stages


def cpu_stages(files: list[dict], sample: int) -> dict:
    """Rows per second of each stage of the per-row work, on one process, no database writes."""
    from shequ.core.crypto import encrypt
    from shequ.core.models import Area
    from shequ.registry.importing import pipeline
    from shequ.registry.importing.addresses import AddressBook
    from shequ.registry.importing.headers import detect_header, guess_mapping
    from shequ.registry.importing.reading import iter_rows
    from shequ.registry.pinyin import name_keys
    from shequ.registry.services import (
        clean_resident_data,
        id_last4_index,
        id_number_index,
        mobile_index,
    )

    info = files[0]
    with open(info["path"], "rb") as stream:
        head = [raw.cells for raw in iter_rows(stream, "csv", head=5)]
    index = detect_header(head)
    mapping = {
        "sheets": [
            {
                "name": "Sheet1",
                "header_row": index + 1,
                "headers": head[index],
                "columns": guess_mapping(head[index]),
            }
        ]
    }
    # the CSV reader names its one sheet; take the name it uses
    with open(info["path"], "rb") as stream:
        sheet_name = next(iter_rows(stream, "csv", head=1)).sheet
    mapping["sheets"][0]["name"] = sheet_name
    plans, book = pipeline.plans_from(mapping), AddressBook(Area.objects.get(pk=info["community"]))

    stages = {}
    t0 = time.perf_counter()
    with open(info["path"], "rb") as stream:
        n_raw = sum(1 for _ in iter_rows(stream, "csv"))
    stages["read_csv"] = n_raw / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    with open(info["path"], "rb") as stream:
        rows = list(pipeline.parse_rows(stream, "csv", plans, book))
    stages["parse_convert_address"] = len(rows) / (time.perf_counter() - t0)
    rows = [r for r in rows if not r.has_error][:sample]
    datas = [{n: r.data[n] for n in pipeline.PERSON_FIELDS if n in r.data} for r in rows]
    t0 = time.perf_counter()
    cleans = [clean_resident_data(d) for d in datas]
    stages["clean_resident_data"] = len(cleans) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for c in cleans:
        name_keys(c["name"])
    stages["pinyin_keys"] = len(cleans) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for c in cleans:
        id_number_index(c["id_number"])
        id_last4_index(c["id_number"])
        if c["mobile"]:
            mobile_index(c["mobile"])
    stages["hmac_blind_indexes"] = len(cleans) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for c in cleans:
        encrypt(c["id_number"])
        if c["mobile"]:
            encrypt(c["mobile"])
    stages["aes_gcm_encrypt"] = len(cleans) / (time.perf_counter() - t0)
    # all of it in sequence = the ceiling of one process before any database work
    # the commit parses each row twice (a cheap address-only pass to find where
    # households end, then the full one) and validates it once
    t0 = time.perf_counter()
    with open(info["path"], "rb") as stream:
        n_addr = sum(1 for _ in pipeline.parse_rows(stream, "csv", plans, book, address_only=True))
    stages["address_only_pass"] = n_addr / (time.perf_counter() - t0)
    per_row = sum(1 / v for v in stages.values())
    stages["all_cpu_one_process"] = 1 / per_row
    return {k: round(v) for k, v in stages.items()}


# --------------------------------------------------------------------------- raw COPY


def raw_copy(tmp: Path) -> dict:
    """COPY the imported rows out, then time COPY back into identically indexed tables."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in ("registry_household", "registry_resident"):
            path = tmp / f"{table}.copy"
            with open(path, "wb") as handle, raw.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    handle.write(data)
        cursor.execute("DROP TABLE IF EXISTS bench_resident, bench_household")
        cursor.execute("CREATE TABLE bench_household (LIKE registry_household INCLUDING ALL)")
        cursor.execute("CREATE TABLE bench_resident (LIKE registry_resident INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_household ADD FOREIGN KEY (area_id) REFERENCES core_area (id)"
            " DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(
            "ALTER TABLE bench_resident ADD FOREIGN KEY (household_id) REFERENCES bench_household (id)"
            " DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_resident'")
        out["indexes_on_resident"] = cursor.fetchone()[0]
        connection.commit() if not connection.get_autocommit() else None
        for table, target in (
            ("registry_household", "bench_household"),
            ("registry_resident", "bench_resident"),
        ):
            path = tmp / f"{table}.copy"
            t0 = time.perf_counter()
            with connection.cursor() as c2:
                with (
                    c2.cursor.copy(f"COPY {target} FROM STDIN") as copy,
                    open(path, "rb") as handle,
                ):
                    while data := handle.read(1 << 20):
                        copy.write(data)
            out[f"{table}_seconds"] = time.perf_counter() - t0
            path.unlink()
        cursor.execute("SELECT count(*) FROM bench_resident")
        out["rows"] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_resident, bench_household")
    out["seconds"] = out["registry_household_seconds"] + out["registry_resident_seconds"]
    out["rate"] = out["rows"] / out["seconds"]
    return out


# --------------------------------------------------------------------------- 6,000,000


def replicate(imported: list[int], spare: list[int], target: int) -> dict:
    """Bulk-load the ledger up to ``target`` residents by copying the imported
    communities' households and residents into the spare communities (same
    buildings and rooms, fresh keys; the ID blind index is re-hashed per copy
    so it stays unique). A latency fixture, not an import: SQL INSERT … SELECT."""
    from django.db import connection

    from shequ.core.models import Area

    def units_of(community_ids):
        out = {}
        for community in Area.objects.filter(pk__in=community_ids):
            out[community.pk] = list(
                Area.objects.filter(path__startswith=community.path + ".", level="unit")
                .order_by("path")
                .values_list("pk", flat=True)
            )
        return out

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id), count(*) FROM registry_household")
        max_h, _n = cursor.fetchone()
        cursor.execute("SELECT max(id), count(*) FROM registry_resident")
        max_r, per_copy = cursor.fetchone()
    copies = max(0, -(-(target - per_copy) // per_copy))
    source_units = units_of(imported)
    rounds = 0
    for k in range(1, copies + 1):
        targets = spare[(k - 1) * len(imported) : k * len(imported)]
        if len(targets) < len(imported):
            break
        target_units = units_of(targets)
        old, new = [], []
        for source, dest in zip(imported, targets, strict=True):
            old += source_units[source]
            new += target_units[dest]
        h_off, r_off = k * max_h, k * max_r
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registry_household (id, area_id, room, number, head_id, area_path,"
                " created_at, updated_at, removed_at, removed_reason, version)"
                " SELECT h.id + %s, m.new, h.room, h.number, NULL, a.path, h.created_at,"
                " h.updated_at, NULL, '', 1 FROM registry_household h"
                " JOIN unnest(%s::bigint[], %s::bigint[]) AS m(old, new) ON m.old = h.area_id"
                " JOIN core_area a ON a.id = m.new WHERE h.id <= %s",
                [h_off, old, new, max_h],
            )
            cursor.execute(
                "INSERT INTO registry_resident (id, household_id, name, name_pinyin,"
                " name_initials, gender, ethnicity, id_number, id_number_index, id_last4_index,"
                " birth_date, mobile, mobile_index, residence_type, living_status,"
                " relation_to_head, registered_address, work_or_school, notes, area_path,"
                " created_at, updated_at, removed_at, removed_reason, version, id_document_type)"
                " SELECT r.id + %s, r.household_id + %s, r.name, r.name_pinyin,"
                " r.name_initials, r.gender, r.ethnicity, r.id_number,"
                " encode(sha256(convert_to(r.id_number_index || %s, 'UTF8')), 'hex'),"
                " r.id_last4_index, r.birth_date, r.mobile, r.mobile_index, r.residence_type,"
                " r.living_status, r.relation_to_head, r.registered_address, r.work_or_school,"
                " r.notes, h.area_path, r.created_at, r.updated_at, NULL, '', 1, ''"
                " FROM registry_resident r JOIN registry_household h"
                " ON h.id = r.household_id + %s WHERE r.id <= %s",
                [r_off, h_off, str(k), h_off, max_r],
            )
            cursor.execute(
                "UPDATE registry_household h SET head_id = s.head_id + %s"
                " FROM registry_household s WHERE h.id = s.id + %s AND s.id <= %s"
                " AND s.head_id IS NOT NULL",
                [r_off, h_off, max_h],
            )
        rounds += 1
        log(f"  copy {k}/{copies} loaded")
    with connection.cursor() as cursor:
        for table in ("registry_household", "registry_resident"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608  (fixed names)
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("SELECT count(*) FROM registry_resident")
        total = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE registry_resident")
        cursor.execute("VACUUM ANALYZE registry_household")
    return {"copies": rounds, "residents": total, "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- latency


def latency(args) -> dict:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Max, Min

    from shequ.core.models import Area, RoleAssignment, User
    from shequ.core.roles import Role
    from shequ.registry.models import Resident
    from shequ.registry.selectors import household_get, household_members
    from shequ.registry.selectors_search import (
        ResidentFilters,
        household_rentals,
        life_events,
        resident_search,
    )

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rng = random.Random(7)
    imported = getattr(args, "imported_communities", None)
    if imported is None:  # a kept database: the communities the import wrote into
        from shequ.registry.importing.models import ImportJob

        imported = sorted(set(ImportJob.objects.values_list("area_id", flat=True)))
    if imported:  # one whose residents came through the import (their IDs are real)
        community = Area.objects.get(pk=imported[len(imported) // 2])
    else:
        community = Area.objects.filter(level="community").order_by("id")[
            len(Area.objects.filter(level="community")) // 2
        ]
    worker, _c = User.objects.get_or_create(
        username="bench_worker", defaults={"full_name": "社区工作者"}
    )
    RoleAssignment.objects.get_or_create(
        user=worker,
        role=Role.COMMUNITY_WORKER,
        area=community,
        defaults={"area_path": community.path},
    )
    worker = User.objects.get(pk=worker.pk)
    people = list(
        Resident.objects.filter(area_path__startswith=community.path + ".").values_list(
            "name", "name_pinyin", "name_initials", "household_id", "id_number"
        )[:5000]
    )
    if not people:
        return {"error": "no residents in the sample community"}
    picks = [rng.choice(people) for _ in range(args.samples)]

    def search(query):
        page = Paginator(
            resident_search(actor=worker, filters=ResidentFilters(query=query)), 50
        ).get_page(1)
        return len(list(page.object_list)), page.paginator.count

    def household(pk):
        h = household_get(actor=worker, pk=pk)
        list(household_members(actor=worker, household=h))
        household_rentals(actor=worker, household=h)
        list(life_events(actor=worker, household=h)[:100])

    # ID numbers decrypted from the ledger: of this community's residents (the worker
    # looks up someone of theirs), and of residents anywhere (for the district user)
    id_picks = [p[4] for p in picks]
    bounds = Resident.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    anywhere = []
    while len(anywhere) < args.samples:
        row = (
            Resident.objects.filter(pk=rng.randint(bounds["lo"], bounds["hi"]))
            .values_list("id_number", flat=True)
            .first()
        )
        if row:
            anywhere.append(row)
    kinds = {
        "name_chars_full": [p[0] for p in picks],
        "name_surname_char": [p[0][0] for p in picks],
        "name_pinyin_full": [p[1] for p in picks],
        "name_pinyin_initials": [p[2] for p in picks],
        "id_exact": id_picks,
        "household_page": [p[3] for p in picks],
    }
    results = {
        "community": community.path,
        "community_residents": Resident.objects.filter(
            area_path__startswith=community.path + "."
        ).count(),
        "total_residents": Resident.objects.count(),
    }
    hits = {}
    for kind, queries in kinds.items():
        fn = household if kind == "household_page" else search
        for q in queries[:10]:
            fn(q)  # warm-up
        times = []
        for q in queries:
            t0 = time.perf_counter()
            r = fn(q)
            times.append((time.perf_counter() - t0) * 1000)
            if r is not None:
                hits.setdefault(kind, []).append(r[1])
        results[kind] = {
            "p50_ms": round(pct(times, 0.5), 2),
            "p95_ms": round(pct(times, 0.95), 2),
            "max_ms": round(max(times), 2),
            "samples": len(times),
            "median_hits": statistics.median(hits[kind]) if kind in hits else None,
        }
    # ID lookup by someone whose scope holds everyone (the match is found)
    city_user, _c = User.objects.get_or_create(
        username="bench_city", defaults={"full_name": "区级"}
    )
    for area in Area.objects.filter(level="district"):
        RoleAssignment.objects.get_or_create(
            user=city_user, role=Role.DISTRICT_STAFF, area=area, defaults={"area_path": area.path}
        )
    city_user = User.objects.get(pk=city_user.pk)
    times, found = [], 0
    for q in anywhere[:10]:
        list(resident_search(actor=city_user, filters=ResidentFilters(query=q))[:50])
    for q in anywhere:
        t0 = time.perf_counter()
        found += len(list(resident_search(actor=city_user, filters=ResidentFilters(query=q))[:50]))
        times.append((time.perf_counter() - t0) * 1000)
    results["id_exact_district_scope"] = {
        "p50_ms": round(pct(times, 0.5), 2),
        "p95_ms": round(pct(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "samples": len(times),
        "found": found,
    }
    results.update(full_requests(worker, picks, id_picks))
    results["plans"] = explain(worker, picks[0], id_picks[0])
    results["queries"] = {"name": picks[0][0], "pinyin": picks[0][1], "initials": picks[0][2]}
    return results


def full_requests(worker, picks, id_picks) -> dict:
    """The same lookups as whole HTTP requests through Django's stack
    (middleware, session, view, template), with the test client."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(worker)
    search = reverse("registry:resident_list")
    out = {}

    def timed(label, calls):
        for call in calls[:10]:
            call()
        times = []
        for call in calls:
            t0 = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code  # noqa: S101
        out[label] = {
            "p50_ms": round(pct(times, 0.5), 2),
            "p95_ms": round(pct(times, 0.95), 2),
            "max_ms": round(max(times), 2),
            "samples": len(times),
        }

    timed(
        "request_id_exact",
        [lambda q=q: client.post(search, {"q": q}) for q in id_picks],
    )
    timed(
        "request_name_pinyin",
        [lambda q=p[1]: client.post(search, {"q": q}) for p in picks],
    )
    timed(
        "request_household_page",
        [
            lambda pk=p[3]: client.get(reverse("registry:household_detail", args=[pk]))
            for p in picks
        ],
    )
    return out


def explain(worker, pick, id_number) -> dict:
    from django.db import connection

    from shequ.registry.selectors_search import ResidentFilters, resident_search

    plans = {}
    for label, query in (
        ("chars", pick[0]),
        ("pinyin", pick[1]),
        ("initials", pick[2]),
        ("id", id_number),
    ):
        qs = resident_search(actor=worker, filters=ResidentFilters(query=query)).all()[:50]
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans[label] = "\n".join(r[0] for r in cursor.fetchall())
    return plans


# --------------------------------------------------------------------------- main


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(int(mem.split()[1]) / 2**20, 1),
        "postgresql": pg,
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", default="shequ_bench")
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1, help="import processes (files split)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--latency-residents",
        type=int,
        default=6_000_000,
        help="residents in the ledger for the latency part (bulk-loaded beyond the import)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--phase", default="all", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--media", help=argparse.SUPPRESS)
    parser.add_argument("--db", dest="db_opt", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db_opt:
        args.db = args.db_opt
    if args.phase == "import":
        child_import(args)
        return
    if args.phase == "latency":  # again, on a database kept with --keep (index experiments)
        setup_django(args.db)
        found = latency(args)
        label = args.files or "rerun"
        out = ROOT / "bench" / "results" / f"latency-{label}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(found, ensure_ascii=False, indent=1, default=str))
        for k, v in found.items():
            if isinstance(v, dict) and "p50_ms" in v:
                print(f"  {k:34}{v['p50_ms']:>9}{v['p95_ms']:>9}{v['max_ms']:>9}")
        log(f"results in {out.relative_to(ROOT)}")
        return

    results: dict = {
        "residents_requested": args.residents,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    log(f"creating database {args.db}")
    create_database(args.db)
    setup_django(args.db)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    results["migrate_seconds"] = time.perf_counter() - t0
    results["machine"] = machine()
    imported_count = -(-args.residents // PER_COMMUNITY)
    communities = max(imported_count, -(-args.latency_residents // PER_COMMUNITY))
    t0 = time.perf_counter()
    community_ids = build_tree(communities)
    from shequ.core.models import Area

    results["areas"] = Area.objects.count()
    results["tree_seconds"] = time.perf_counter() - t0
    log(f"area tree: {results['areas']} areas in {results['tree_seconds']:.1f}s")

    with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmpdir:
        tmp = Path(tmpdir)
        args.tmp = tmpdir
        media = str(tmp / "media")
        t0 = time.perf_counter()
        files = write_ledgers(tmp, community_ids, args.residents, seed=11643)
        results["generate_seconds"] = time.perf_counter() - t0
        results["files"] = len(files)
        results["csv_bytes"] = sum(os.path.getsize(f["path"]) for f in files)
        results["csv_rows"] = sum(f["rows"] for f in files)
        log(
            f"{results['csv_rows']} rows in {len(files)} CSV files "
            f"({results['csv_bytes'] / 2**20:.0f} MiB) in {results['generate_seconds']:.1f}s"
        )

        results["cpu_stages_rows_per_s"] = cpu_stages(files, 5000)
        log(f"CPU stages (rows/s): {results['cpu_stages_rows_per_s']}")

        importer_user()  # once, before the children (they would race to create it)
        log(f"importing with {args.workers} process(es)")
        results["import"] = run_import(args, files, media, tmp)
        imp = results["import"]
        log(
            f"import: {imp['counts']} in {imp['wall_seconds']:.1f}s = {imp['rate']:.0f} residents/s, "
            f"peak RSS {imp['peak_rss_mb_per_process']:.0f} MB"
        )

        results["raw_copy"] = raw_copy(tmp)
        rc = results["raw_copy"]
        log(f"raw COPY: {rc['rows']} residents in {rc['seconds']:.1f}s = {rc['rate']:.0f} rows/s")

        if not args.skip_latency:
            args.imported_communities = community_ids[:imported_count]
            if args.latency_residents > args.residents:
                log(f"bulk-loading up to {args.latency_residents:,} residents for the latency part")
                results["bulk_load"] = replicate(
                    community_ids[:imported_count],
                    community_ids[imported_count:],
                    args.latency_residents,
                )
                log(f"bulk load: {results['bulk_load']}")
            results["latency"] = latency(args)
            log("latency done")

    summary(results)
    out = ROOT / "bench" / "results" / f"registry-{args.residents}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    log(f"results in {out.relative_to(ROOT)}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.db)
        log(f"dropped {args.db}")


def summary(r: dict) -> None:
    imp, rc = r["import"], r["raw_copy"]
    print()
    print(f"Machine: {r['machine']}")
    print(
        f"Residents imported: {imp['counts']['created']:,} of {r['csv_rows']:,} rows "
        f"({imp['counts']['rejected']} rejected, {imp['counts']['skipped']} skipped), "
        f"{r['files']} community files"
    )
    print(f"{'':38}{'rows/s':>12}{'seconds':>10}")
    print(
        f"{'import: upload + dry run + commit':38}{imp['rate']:>12,.0f}{imp['wall_seconds']:>10.1f}"
    )
    print(f"{'  dry run only (rows/s)':38}{imp['validate_only_rate']:>12,.0f}")
    print(f"{'  commit only (COPY path)':38}{imp['commit_only_rate']:>12,.0f}")
    print(f"{'raw COPY of the same rows':38}{rc['rate']:>12,.0f}{rc['seconds']:>10.1f}")
    print(f"{'ratio import / raw COPY':38}{imp['rate'] / rc['rate']:>12.2f}")
    print(
        f"peak RSS of an import process: {imp['peak_rss_mb_per_process']:.0f} MB (getrusage ru_maxrss)"
    )
    print("CPU-only stages, one process (rows/s):")
    for k, v in r["cpu_stages_rows_per_s"].items():
        print(f"  {k:36}{v:>12,}")
    if "latency" in r and "error" not in r["latency"]:
        lat = r["latency"]
        print(
            f"Latency ({lat['total_residents']:,} residents; community {lat['community']} "
            f"with {lat['community_residents']:,}):"
        )
        print(f"  {'':34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  hits")
        for k, v in lat.items():
            if isinstance(v, dict) and "p50_ms" in v:
                print(
                    f"  {k:34}{v['p50_ms']:>9}{v['p95_ms']:>9}{v['max_ms']:>9}  "
                    f"{v.get('median_hits', v.get('found', ''))}"
                )


if __name__ == "__main__":
    main()
