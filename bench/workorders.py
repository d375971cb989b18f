"""The work-order benchmark (issue 4, section 14), against PostgreSQL.

    .venv/bin/python bench/workorders.py [--residents 1000000] [--cases 1000000] [--keep]
    .venv/bin/python bench/workorders.py --small          # a one-minute run
    make bench-workorders BENCH_ARGS="--small"

1. Creates a fresh database (``shequ_bench_wo`` on the server of DATABASE_URL,
   default ``postgres://postgres@127.0.0.1:5432/``), migrates it and builds a
   Dalian-like area tree (bench/registry.py's ``build_tree``: one community
   per 10,000 residents, 4 grids, 32 buildings, 96 units each).
2. Bulk-loads with PostgreSQL COPY: the residents and their households
   (registry rows, names only: they give the tables their size, the
   work-order paths never read them), staff and resident accounts with
   their roles, and N existing cases spread over the past year in every
   state (closed cases resolved, most in time, and rated), each with its
   "created" timeline entry. Then ``manage.py dashboard_rebuild`` computes the
   maintained statistics, and ``ANALYZE``.
3. Latency, in process through Django's test client (middleware, view,
   template, as a browser gets it): a community worker's work queues (the
   community's, my cases, overdue) and the district statistics page (all
   time and the last 30 days); p50/p95 over ``--samples`` after warm-up.
   ``EXPLAIN ANALYZE`` of the queue's queries goes into the JSON.
4. Throughput, over loopback: starts gunicorn (``--workers`` gthread workers,
   keep-alive) and drives it with the load generator below (``--concurrency``
   threads, each one keep-alive connection, ``--warmup`` seconds discarded,
   then ``--duration`` seconds measured): first GET /api/v1/areas/{id} (one
   row read by primary key, with the same token authentication), then POST
   /api/v1/workorders/ (a grid worker's report: validation, Idempotency-Key,
   numbering, timeline, audit and statistics rows, all real).
5. Prints a table and writes ``bench/results/workorders-<cases>.json``.

Not part of ``make test`` or ``.ci/run``.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
RESIDENTS_PER_COMMUNITY = 10_000
PASSWORD = "Bench-Workorders-2026!"


REPORTERS = 50  # grid workers whose reports the creation load sends


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def _registry_bench():
    spec = importlib.util.spec_from_file_location("bench_registry", ROOT / "bench" / "registry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- pure pieces


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def server_url(database_url: str | None) -> str:
    """The server part of DATABASE_URL ("postgres://u@h:p/"), the default without one."""
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        return DEFAULT_SERVER
    return database_url.rsplit("/", 1)[0] + "/"


def plan_cases(rng: random.Random, age_days: float) -> tuple[str, float | None, bool]:
    """(final state, hours to resolve or None, resolved in time) for a case
    received ``age_days`` ago: old cases are mostly closed, recent ones still moving."""
    if age_days > 14:
        weights = {
            "closed": 90,
            "resolved": 3,
            "in_progress": 3,
            "dispatched": 2,
            "pooled": 1,
            "triaged": 1,
        }
    elif age_days > 2:
        weights = {
            "closed": 55,
            "resolved": 10,
            "in_progress": 15,
            "dispatched": 10,
            "pooled": 4,
            "triaged": 4,
            "reported": 2,
        }
    else:
        weights = {
            "closed": 10,
            "resolved": 10,
            "in_progress": 20,
            "dispatched": 20,
            "pooled": 10,
            "triaged": 15,
            "reported": 15,
        }
    state = rng.choices(list(weights), weights=list(weights.values()))[0]
    if state in ("closed", "resolved"):
        hours = rng.expovariate(1 / 30)
        return state, min(hours, max(age_days * 24 - 0.1, 0.05)), hours <= 72
    return state, None, False


class Load:
    """A closed-loop load generator: ``concurrency`` threads, each with one
    keep-alive HTTP/1.1 connection, sending ``make()`` requests back to back.
    Requests finishing during the warm-up are discarded."""

    def __init__(self, host: str, port: int, concurrency: int, warmup: float, duration: float):
        self.host, self.port = host, port
        self.concurrency, self.warmup, self.duration = concurrency, warmup, duration

    def run(self, make) -> dict:
        start = time.perf_counter()
        measure_from, stop_at = start + self.warmup, start + self.warmup + self.duration
        latencies: list[list[float]] = [[] for _ in range(self.concurrency)]
        statuses: list[dict[int, int]] = [{} for _ in range(self.concurrency)]
        reconnects = [0] * self.concurrency

        def worker(i: int) -> None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            while True:
                method, path, body, headers = make()
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    break
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    if response.getheader("Connection", "").lower() == "close":
                        conn.close()
                        reconnects[i] += 1
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                    reconnects[i] += 1
                    status = 599
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= stop_at:
                    latencies[i].append(t1 - t0)
                    statuses[i][status] = statuses[i].get(status, 0) + 1
            conn.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(self.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return summarise(latencies, statuses, self.duration, sum(reconnects))


def summarise(latencies, statuses, duration: float, reconnects: int = 0) -> dict:
    merged: dict[int, int] = {}
    for per_thread in statuses:
        for status, n in per_thread.items():
            merged[status] = merged.get(status, 0) + n
    ok_latencies = [x for per_thread in latencies for x in per_thread]
    ok = sum(n for status, n in merged.items() if 200 <= status < 300)
    return {
        "requests": sum(merged.values()),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(merged.items())},
        "rps": round(ok / duration, 1),
        "p50_ms": round(percentile(ok_latencies, 0.5) * 1000, 1) if ok_latencies else None,
        "p99_ms": round(percentile(ok_latencies, 0.99) * 1000, 1) if ok_latencies else None,
        "reconnects": reconnects,
    }


# --------------------------------------------------------------------------- database


def create_database(server: str, db: str) -> None:
    import psycopg

    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def drop_database(server: str, db: str) -> None:
    import psycopg

    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    import django

    django.setup()


def copy_rows(model, rows) -> int:
    """COPY ``rows`` (dicts by attname; the rest from the fields' defaults) into
    ``model``'s table. Columns come from the model, so new fields with a
    default need no change here."""
    from django.db import connection
    from django.db.models import DateTimeField, JSONField
    from django.utils import timezone

    if not rows:
        return 0
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (
            f.primary_key
            and f.attname not in rows[0]
            and f.get_internal_type().endswith("AutoField")
        )
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    defaults = {}
    for f in fields:
        if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
            defaults[f.attname] = now
        elif f.has_default() and not callable(f.default):
            defaults[f.attname] = f.get_default()
    # psycopg adapts the Python values itself; only JSON needs encoding.
    # (Django's get_db_prep_save per cell costs more than the COPY.)
    convert = {
        f.attname: (
            (lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
            if isinstance(f, JSONField)
            else (lambda v: v)
        )
        for f in fields
    }
    n = 0
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for f in fields:
                    if f.attname in row:
                        value = row[f.attname]
                    elif f.attname in defaults:
                        value = defaults[f.attname]
                    else:
                        value = f.get_default()
                    values.append(convert[f.attname](value))
                copy.write_row(values)
                n += 1
    return n


def reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - model table
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )


# --------------------------------------------------------------------------- the demo city


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建华文辉建国志强海燕俊峰晓东丹丹"
)


def load_residents(units: list, total: int, rng: random.Random) -> int:
    """Households and residents, ``total`` residents spread over the units."""
    from shequ.registry.models import Household, Resident
    from shequ.registry.pinyin import name_keys

    names = [
        rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]) for _ in range(3000)
    ]
    keys = {name: name_keys(name) for name in names}
    households, residents = [], []
    hid, made = 0, 0
    while made < total:
        unit = units[hid % len(units)]
        hid += 1
        households.append(
            {
                "id": hid,
                "area_id": unit[0],
                "area_path": unit[1],
                "room": f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                "number": f"H{hid:08d}",
            }
        )
        for _m in range(min(rng.choice((1, 2, 2, 3, 3, 3, 4, 5)), total - made)):
            name = rng.choice(names)
            pinyin, initials = keys[name]
            residents.append(
                {
                    "household_id": hid,
                    "name": name,
                    "name_pinyin": pinyin,
                    "name_initials": initials,
                    "gender": rng.choice(("male", "female")),
                    "area_path": unit[1],
                }
            )
            made += 1
    copy_rows(Household, households)
    reset_sequence(Household)
    copy_rows(Resident, residents)
    return made


def load_people(communities: list, grids: list, units: list, reporters: int) -> dict:
    """Staff on every level, one grid worker per grid, ``reporters`` resident
    accounts; all with roles. Staff are returned by role for the latency part."""
    from django.contrib.auth.hashers import make_password

    from shequ.core.models import Area, RoleAssignment, User

    password = make_password(PASSWORD)
    users, roles = [], []

    def person(username: str, kind: str, role: str, area) -> None:
        users.append(User(username=username, kind=kind, password=password, full_name=username))
        roles.append((username, role, area))

    for district in Area.objects.filter(level="district"):
        person(f"district_{district.code}", "staff", "district_staff", district)
    for street in Area.objects.filter(level="street"):
        person(f"street_{street.pk}", "staff", "street_staff", street)
    for community in communities:
        person(f"community_{community.pk}", "staff", "community_worker", community)
        person(f"party_{community.pk}", "resident", "party_member", community)
    for grid in grids:
        person(f"grid_{grid.pk}", "staff", "grid_worker", grid)
    for i in range(reporters):
        unit = units[i % len(units)]
        person(f"resident_{i}", "resident", "resident", Area(pk=unit[0], path=unit[1]))
    User.objects.bulk_create(users, batch_size=5000)
    ids = dict(User.objects.values_list("username", "pk"))
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user_id=ids[u], role=role, area_id=area.pk, area_path=area.path)
            for u, role, area in roles
        ],
        batch_size=5000,
    )
    return ids


def load_cases(total: int, communities: list, grid_units: dict, ids: dict, reporters: int, rng):
    """``total`` cases over the past 365 days, each with its "created" entry."""
    from django.utils import timezone

    from shequ.workorders.models import Category, TimelineEntry, WorkOrder

    categories = list(Category.objects.filter(is_active=True))
    by_kind = {
        k: [c for c in categories if c.applies_to(k)]
        for k in ("incident", "service_order", "hotline")
    }
    now = timezone.now()
    ages = sorted((rng.random() * 365 for _ in range(total)), reverse=True)
    sequence: dict[str, int] = {}
    orders, entries = [], []
    weights = [1 + (i % 7) for i in range(len(communities))]  # some communities busier
    for pk, age in enumerate(ages, start=1):
        created = now - timedelta(days=age)
        day = timezone.localtime(created).strftime("%Y%m%d")
        sequence[day] = sequence.get(day, 0) + 1
        community = rng.choices(communities, weights=weights)[0]
        grid_id, unit = rng.choice(grid_units[community.pk])
        kind = rng.choices(("incident", "service_order", "hotline"), weights=(70, 20, 10))[0]
        category = rng.choice(by_kind[kind])
        state, hours, _in_time = plan_cases(rng, age)
        resolved = created + timedelta(hours=hours) if hours is not None else None
        triage = "" if state == "reported" else category.default_triage
        if state == "closed" and triage == "private":
            resolved = None
        reporter = ids[f"resident_{rng.randrange(reporters)}"] if kind != "hotline" else None
        handler = (
            ids[f"grid_{grid_id}"]
            if state in ("dispatched", "in_progress", "resolved", "closed")
            else None
        )
        rating = None
        if state == "closed" and reporter and rng.random() < 0.6:
            rating = rng.choices((1, 2, 3, 4, 5), weights=(2, 3, 10, 35, 50))[0]
        orders.append(
            {
                "id": pk,
                "number": f"GD-{day}-{sequence[day]:04d}",
                "kind": kind,
                "category_id": category.pk,
                "title": f"{category.name}问题",
                "description": f"{category.name}：请社区尽快处理。",
                "area_id": unit[0],
                "area_path": unit[1],
                "reporter_id": reporter,
                "channel": {
                    "incident": "grid_report",
                    "service_order": "portal",
                    "hotline": "hotline",
                }[kind],
                "triage_class": triage,
                "state": state,
                "handler_id": handler,
                "respond_by": created + timedelta(hours=category.response_hours),
                "resolve_by": created + timedelta(hours=category.resolution_hours),
                "responded_at": created + timedelta(hours=1) if state != "reported" else None,
                "resolved_at": resolved,
                "closed_at": resolved + timedelta(hours=2)
                if state == "closed" and resolved
                else (created + timedelta(hours=3) if state == "closed" else None),
                "rating": rating,
                "created_at": created,
                "updated_at": resolved or created,
            }
        )
        entries.append(
            {
                "order_id": pk,
                "kind": "created",
                "actor_id": reporter,
                "at": created,
                "data": {"kind": kind},
            }
        )
        if len(orders) == 50_000:
            copy_rows(WorkOrder, orders)
            copy_rows(TimelineEntry, entries)
            orders, entries = [], []
    copy_rows(WorkOrder, orders)
    copy_rows(TimelineEntry, entries)
    reset_sequence(WorkOrder)
    reset_sequence(TimelineEntry)


def build(args, reg) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from shequ.core.models import Area

    rng = random.Random(args.seed)
    timings = {}
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with transaction.atomic():
        reg.build_tree(max(2, args.residents // RESIDENTS_PER_COMMUNITY))
    timings["tree_s"] = round(time.perf_counter() - t, 1)
    communities = list(Area.objects.filter(level="community").order_by("path"))
    grids = list(Area.objects.filter(level="grid").order_by("path"))
    units = list(Area.objects.filter(level="unit").order_by("path").values_list("pk", "path"))
    grid_of = {g.path: g.pk for g in grids}
    grid_units: dict[int, list] = {}
    community_of = {c.path: c.pk for c in communities}
    for unit in units:
        parts = unit[1].split(".")
        grid_units.setdefault(community_of[".".join(parts[:4])], []).append(
            (grid_of[".".join(parts[:5])], unit)
        )
    log(f"area tree: {Area.objects.count():,} areas, {len(communities)} communities")
    t = time.perf_counter()
    with transaction.atomic():
        made = load_residents(units, args.residents, rng)
    timings["residents_s"] = round(time.perf_counter() - t, 1)
    log(f"residents: {made:,} in {timings['residents_s']} s")
    t = time.perf_counter()
    reporters = max(100, args.cases // 50)
    with transaction.atomic():
        ids = load_people(communities, grids, units, reporters)
    timings["people_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with transaction.atomic():
        load_cases(args.cases, communities, grid_units, ids, reporters, rng)
    timings["cases_s"] = round(time.perf_counter() - t, 1)
    log(f"cases: {args.cases:,} in {timings['cases_s']} s")
    t = time.perf_counter()
    call_command("dashboard_rebuild", verbosity=0)
    timings["dashboard_rebuild_s"] = round(time.perf_counter() - t, 1)
    log(f"dashboard_rebuild: {timings['dashboard_rebuild_s']} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM dashboard_casecounter")
        timings["counter_rows"] = cursor.fetchone()[0]
    return timings


# --------------------------------------------------------------------------- latency


def _client_for(user):
    from django.test import Client

    from shequ.core.tests.factories import login

    client = Client()
    login(client, user)
    return client


def time_page(client, url: str, samples: int, warmup: int = 10) -> dict:
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {
        "url": url,
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def time_call(fn, samples: int, warmup: int = 10) -> dict:
    """p50/p95 of a selector call alone (its SQL and ORM work, no HTTP, no template)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def _first_page(queryset) -> int:
    from django.core.paginator import Paginator

    page = Paginator(queryset, 50).get_page(1)
    return len(list(page.object_list)) + page.paginator.count


def explain(queryset) -> str:
    return queryset.explain(analyze=True, buffers=True)


def latency(args) -> dict:
    from django.core.paginator import Paginator
    from django.db.models import Sum
    from django.utils import timezone

    from shequ.core.models import Area, User
    from shequ.dashboard.models import MonthCounter
    from shequ.workorders.models import WorkOrder
    from shequ.workorders.selectors import workorder_list

    # The community that received the most cases (from the maintained counters),
    # so every run on the same database measures the same community.
    busiest = (
        MonthCounter.objects.values("area_path")
        .annotate(n=Sum("received"))
        .order_by("-n", "area_path")
        .values_list("area_path", flat=True)
        .first()
    )
    community = Area.objects.get(path=".".join(busiest.split(".")[:4]))
    district = Area.objects.get(path=".".join(busiest.split(".")[:2]))
    worker = User.objects.get(username=f"community_{community.pk}")
    grid = Area.objects.filter(parent=community).order_by("path").first()
    grid_worker = User.objects.get(username=f"grid_{grid.pk}")
    district_user = User.objects.get(username=f"district_{district.code}")
    in_community = WorkOrder.objects.filter(area_path__startswith=community.path + ".").count()
    in_district = WorkOrder.objects.filter(area_path__startswith=district.path + ".").count()
    worker_client = _client_for(worker)
    district_client = _client_for(district_user)
    today = timezone.localdate()
    month = f"start={today - timedelta(days=29)}&end={today}"
    result = {
        "community": {"path": community.path, "cases": in_community},
        "district": {"path": district.path, "cases": in_district},
        # The community's work queue: its open cases, page 1 with the count (API).
        "queue_community": time_page(worker_client, "/api/v1/workorders/?state=open", args.samples),
        # The full case list, every state since the start (the web list page).
        "list_community_all": time_page(worker_client, "/workorders/", args.samples),
        "queue_community_in_progress": time_page(
            worker_client, "/workorders/?state=in_progress", args.samples
        ),
        "queue_waiting_for_me": time_page(
            _client_for(grid_worker), "/workorders/waiting/", args.samples
        ),
        "queue_overdue": time_page(worker_client, "/workorders/?overdue=on", args.samples),
        "queue_mine": time_page(worker_client, "/workorders/mine/", args.samples),
        "stats_district_all_time": time_page(
            district_client, f"/dashboard/?area={district.pk}", args.samples
        ),
        "stats_district_30_days": time_page(
            district_client, f"/dashboard/?area={district.pk}&{month}", args.samples
        ),
        "stats_community_all_time": time_page(worker_client, "/dashboard/", args.samples),
    }
    from shequ.dashboard.selectors import statistics as dashboard_statistics

    result["selectors"] = {
        "queue_community_open": time_call(
            lambda: _first_page(workorder_list(actor=worker, state="open")), args.samples
        ),
        "list_community_all": time_call(
            lambda: _first_page(workorder_list(actor=worker)), args.samples
        ),
        "queue_overdue": time_call(
            lambda: _first_page(workorder_list(actor=worker, overdue=True)), args.samples
        ),
        "stats_district_all_time": time_call(
            lambda: dashboard_statistics(actor=district_user, area_id=district.pk), args.samples
        ),
    }
    orders = workorder_list(actor=worker)
    page = Paginator(orders, 50).get_page(1)
    result["explain"] = {
        "list_page": explain(page.object_list),
        "list_count": explain(orders.values("pk").order_by()),
        "queue_open_count": explain(
            workorder_list(actor=worker, state="open").values("pk").order_by()
        ),
        "overdue_page": explain(workorder_list(actor=worker, overdue=True)[:50]),
    }
    return result


# --------------------------------------------------------------------------- throughput


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHEQU_DEBUG": "0",
        "SHEQU_SSL_REDIRECT": "0",
        "SHEQU_SECRET_KEY": uuid.uuid4().hex * 2,
        "SHEQU_LOG_LEVEL": "WARNING",
        "SHEQU_DB_CONN_MAX_AGE": "600",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "shequ.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def throughput(args, url: str) -> dict:
    from django.db.models import Count

    from shequ.core.models import Area, User
    from shequ.core.services.tokens import token_create

    # A city's intake: grid workers of many grids report, each in a unit of
    # their grid, in the categories an incident can have. (All creations in one
    # unit and one category would also make every request wait for the same
    # statistics rows, which no city does.)
    from shequ.workorders.models import Category, WorkOrder
    from shequ.workorders.services.numbering import prepare_days

    prepare_days()  # what the running clock tick does every five minutes
    grids = list(
        Area.objects.filter(level="grid").annotate(n=Count("children")).order_by("path")[:REPORTERS]
    )
    codes = [
        c.code
        for c in Category.objects.filter(is_active=True).order_by("code")
        if c.applies_to("incident")
    ]
    reporters = []
    for i, grid in enumerate(grids):
        unit = (
            Area.objects.filter(level="unit", path__startswith=grid.path + ".")
            .order_by("path")
            .first()
        )
        user = User.objects.get(username=f"grid_{grid.pk}")
        _token, secret = token_create(user=user, name="bench", days=1)
        auth = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
        body = json.dumps(
            {
                "kind": "incident",
                "category": codes[i % len(codes)],
                "area_id": unit.pk,
                "title": "夜间施工噪音",
                "description": "晚上十点后仍有施工噪音，影响休息。",
                "channel": "grid_report",
            },
            ensure_ascii=False,
        ).encode()
        reporters.append((unit, auth, body))
    pick = itertools.cycle(reporters)
    unit, auth, body = reporters[0]

    def minimal():
        unit, auth, _body = next(pick)
        return "GET", f"/api/v1/areas/{unit.pk}", None, auth

    def create():
        _unit, auth, body = next(pick)
        headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        return "POST", "/api/v1/workorders/", body, headers

    # One request at a time in this process (no server, no concurrency): what
    # each request costs on its own, to tell CPU cost from contention.
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=auth["Authorization"])
    serial = {
        "minimal": time_call(lambda: client.get(f"/api/v1/areas/{unit.pk}"), args.samples // 2),
        "create": time_call(
            lambda: client.post(
                "/api/v1/workorders/",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
            ),
            args.samples // 2,
        ),
    }
    before = WorkOrder.objects.count()
    server, port = start_server(url, args.workers, args.threads)
    try:
        load = Load("127.0.0.1", port, args.concurrency, args.warmup, args.duration)
        log(
            f"gunicorn on :{port}, {args.workers} workers × {args.threads} threads; minimal endpoint …"
        )
        small = load.run(minimal)
        log(f"minimal: {small['rps']} req/s, p99 {small['p99_ms']} ms; case creation …")
        created = load.run(create)
        log(f"create: {created['rps']} req/s, p99 {created['p99_ms']} ms")
    finally:
        stop_server(server)
    return {
        "minimal_endpoint": "GET /api/v1/areas/{id} (token auth, one area row by primary key)",
        "create_endpoint": "POST /api/v1/workorders/ (token auth, JSON, Idempotency-Key)",
        "reporters": f"{len(reporters)} grid workers, each in a unit of their grid, "
        f"{len(codes)} incident categories in turn",
        "workers": args.workers,
        "threads": args.threads,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "serial_in_process": serial,
        "minimal": small,
        "create": created,
        "ratio": round(created["rps"] / small["rps"], 3) if small["rps"] else None,
        "cases_created": WorkOrder.objects.count() - before,
    }


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=None, help="shequ_bench_wo (--small: shequ_bench_wo_small)")
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=8, help="load generator connections")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument(
        "--small", action="store_true", help="20,000 residents and cases, short runs"
    )
    parser.add_argument(
        "--only",
        choices=["latency", "throughput"],
        help="measure only the page latencies or only the throughput (with --reuse)",
    )
    args = parser.parse_args()
    if args.small:
        args.residents, args.cases = 20_000, 20_000
        args.warmup, args.duration, args.samples = 2, 8, 50
    # A quick run never touches a kept full-size database.
    args.db = args.db or ("shequ_bench_wo_small" if args.small else "shequ_bench_wo")
    server = server_url(os.environ.get("DATABASE_URL"))
    url = server + args.db
    reg = _registry_bench()
    out = ROOT / "bench" / "results" / f"workorders-{args.cases}.json"
    started = datetime.now().astimezone()
    if not args.reuse:
        create_database(server, args.db)
    setup_django(url)
    result: dict = {"started": started.isoformat(timespec="seconds"), "args": vars(args)}
    try:
        result["machine"] = reg.machine()
        if not args.reuse:
            result["build"] = build(args, reg)
        previous = json.loads(out.read_text()) if args.only and out.exists() else {}
        if args.only != "throughput":
            log("latency …")
            result["latency"] = latency(args)
        else:
            result["latency"] = previous.get("latency", {})
        if args.only != "latency":
            result["throughput"] = throughput(args, url)
        else:
            result["throughput"] = previous.get("throughput", {})
        result["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(server, args.db)
    if args.reuse and out.exists():  # keep how the database was built
        result.setdefault("build", json.loads(out.read_text()).get("build"))
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    report(result)
    print(f"\nwritten to {out.relative_to(ROOT)}")


def report(r: dict) -> None:
    lat, thr = r["latency"], r["throughput"]
    print("\n=== work-order benchmark ===")
    m = r["machine"]
    print(
        f"machine: {m['nproc']} cpu, {m['ram_gib']} GiB, PostgreSQL {m['postgresql']}, load {m['loadavg_at_start']}"
    )
    if "build" in r:
        print(f"build: {json.dumps(r['build'])}")
    print(
        f"community {lat['community']['path']} ({lat['community']['cases']:,} cases), district {lat['district']['path']} ({lat['district']['cases']:,} cases)"
    )
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8}")
    for key in (
        "queue_community",
        "list_community_all",
        "queue_community_in_progress",
        "queue_waiting_for_me",
        "queue_overdue",
        "queue_mine",
        "stats_community_all_time",
        "stats_district_all_time",
        "stats_district_30_days",
    ):
        print(f"{key:32} {lat[key]['p50_ms']:>8} {lat[key]['p95_ms']:>8}")
    print("selectors alone (SQL + ORM, no HTTP or template):")
    for key, x in lat["selectors"].items():
        print(f"  {key:30} {x['p50_ms']:>8} {x['p95_ms']:>8}")
    print(f"\n{'endpoint':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for key in ("minimal", "create"):
        x = thr[key]
        print(f"{key:32} {x['rps']:>8} {x['p50_ms']!s:>8} {x['p99_ms']!s:>8}  {x['statuses']}")
    serial = thr.get("serial_in_process")
    if serial:
        print(
            f"one at a time, in process: minimal p50 {serial['minimal']['p50_ms']} ms, "
            f"create p50 {serial['create']['p50_ms']} ms"
        )
    print(f"creation / minimal throughput: {thr['ratio']} (target ≥ 0.40)")
    print(
        f"queue p95 {lat['queue_community']['p95_ms']} ms (target < 50); district statistics p95 {lat['stats_district_all_time']['p95_ms']} ms (target < 300)"
    )


if __name__ == "__main__":
    main()
