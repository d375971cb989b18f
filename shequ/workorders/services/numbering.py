"""Case numbers: "GD-20261122-0037", the day in the city's time zone, then
the day's sequence.

On PostgreSQL each day has its own sequence (``workorders_number_20261122``),
made ahead of time by the clock tick (``prepare_days``: today and tomorrow;
old days dropped). ``nextval`` holds no lock, so intakes running at the same
moment never wait for each other's commit; the price is a gap in the day's
numbers when an intake rolls back after drawing one. With a row counter
(``DailyNumber``, an atomic upsert-increment) every intake in the city held
that one row locked until it committed, which capped creation throughput
(docs/performance.md).

``DailyNumber`` remains for SQLite (which serialises writers anyway) and for
a day whose sequence does not exist yet (no worker running the tick): the
upsert-increment, gapless, locked to commit.

A number issued without the counter knowing (cases loaded in bulk, a restored
backup) collides once; ``catch_up`` then moves the day's sequence and counter
past the day's highest number.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import connection
from django.db.models.functions import Length
from django.utils import timezone

from shequ.workorders.models import DailyNumber, WorkOrder
from shequ.workorders.services._common import NUMBER_PREFIX

SEQUENCE_PREFIX = "workorders_number_"
KEEP_DAYS = 3  # sequences of older days are dropped by the tick
_RECHECK_SECONDS = 60.0  # how long "no sequence for that day" is believed
_known: dict[str, float] = {}  # day → 0 when its sequence exists, else when it was last missing
made: set[str] = set()  # sequences this process created (the test suite drops them)


def _day(when: datetime | None) -> str:
    return timezone.localtime(when or timezone.now()).strftime("%Y%m%d")


def _sequence(day: str) -> str:
    return SEQUENCE_PREFIX + day  # day is eight digits: safe as an identifier


def _has_sequence(day: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    missing_since = _known.get(day)
    if missing_since == 0:
        return True
    if missing_since is not None and time.monotonic() - missing_since < _RECHECK_SECONDS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [_sequence(day)])
        exists = cursor.fetchone()[0]
    _known[day] = 0 if exists else time.monotonic()
    return exists


def next_number(when: datetime | None = None) -> str:
    """The next case number of the day of ``when`` (now by default)."""
    day = _day(when)
    with connection.cursor() as cursor:
        if _has_sequence(day):
            cursor.execute("SELECT nextval(%s::regclass)", [_sequence(day)])
        else:
            table = connection.ops.quote_name(DailyNumber._meta.db_table)
            cursor.execute(
                f"INSERT INTO {table} (day, counter) VALUES (%s, 1) "  # noqa: S608 (names are ours)
                f"ON CONFLICT (day) DO UPDATE SET counter = {table}.counter + 1 RETURNING counter",
                [day],
            )
        (sequence,) = cursor.fetchone()
    return f"{NUMBER_PREFIX}-{day}-{sequence:04d}"


def catch_up(number: str) -> None:
    """Move the day of ``number`` past the highest number issued that day."""
    prefix = number.rsplit("-", 1)[0] + "-"
    day = prefix.split("-")[1]
    # Longest first: after 9999 the numbers grow a digit, and as text
    # "…-10000" sorts before "…-9999".
    last = (
        WorkOrder.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    if not last:
        return
    highest = int(last.rsplit("-", 1)[1])
    DailyNumber.objects.filter(day=day, counter__lt=highest).update(counter=highest)
    if _has_sequence(day):
        name = connection.ops.quote_name(_sequence(day))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(%s::regclass, GREATEST(%s, (SELECT last_value FROM {name})))",  # noqa: S608
                [_sequence(day), highest],
            )


def prepare_days(now: datetime | None = None) -> list[str]:
    """Make the sequences of today and tomorrow (continuing any numbers the
    day's counter already issued) and drop those older than ``KEEP_DAYS``.
    PostgreSQL only; returns the days prepared. Run by the clock tick."""
    if connection.vendor != "postgresql":
        return []
    today = timezone.localtime(now or timezone.now())
    days = [today.strftime("%Y%m%d"), (today + timedelta(days=1)).strftime("%Y%m%d")]
    with connection.cursor() as cursor:
        for day in days:
            start = (
                DailyNumber.objects.filter(day=day).values_list("counter", flat=True).first() or 0
            )
            name = connection.ops.quote_name(_sequence(day))
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} MINVALUE 1 START {start + 1}")
            made.add(_sequence(day))
            _known[day] = 0
        oldest = (today - timedelta(days=KEEP_DAYS)).strftime("%Y%m%d")
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
            [SEQUENCE_PREFIX + "%"],
        )
        for (name,) in cursor.fetchall():
            suffix = name.removeprefix(SEQUENCE_PREFIX)
            if suffix.isdigit() and len(suffix) == 8 and suffix < oldest:
                cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(name)}")
                _known.pop(suffix, None)
    return days
