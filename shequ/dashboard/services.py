"""Keeping the statistics current.

:func:`record` runs inside every transition of a case (the engine's
``transitioned`` signal, intake included): it works out what the case adds
to the counters now (:func:`share`), compares it with what it added before
(its ``CaseCount`` row) and moves the difference with atomic increments
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` or ``UPDATE … SET
n = n + d``), so concurrent transitions never lose a count. Counter rows are
always touched in key order, so two transactions cannot deadlock on them.

:func:`rebuild` recomputes both tables from the cases (installation, repairs);
:func:`recount` is the reference the tests compare the counters with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shequ.core.choices import LEVEL_ORDER, Level
from shequ.core.models.area import PATH_SEPARATOR
from shequ.dashboard.models import (
    KEY_FIELDS,
    STATE_FIELDS,
    VALUE_FIELDS,
    CaseCount,
    CaseCounter,
    MonthCounter,
)
from shequ.workorders.choices import State
from shequ.workorders.models import WorkOrder

VIEW = "dashboard.view"
# Counters are kept per community: the deepest level the statistics drill to.
COMMUNITY_SEGMENTS = LEVEL_ORDER.index(Level.COMMUNITY) + 1
_RESOLVED_STATES = (State.RESOLVED, State.CLOSED)

Key = tuple[str, date, str, int, str]


def community_path(path: str) -> str:
    return PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[:COMMUNITY_SEGMENTS])


@dataclass(frozen=True)
class Share:
    """What one case adds to the counters: its row's key and its values."""

    key: Key
    state: str
    resolution: bool
    on_time: bool
    resolve_seconds: int
    rating: int | None

    def values(self) -> dict[str, int]:
        values = dict.fromkeys(VALUE_FIELDS, 0)
        values["received"] = 1
        values[self.state] = 1
        values["resolutions"] = int(self.resolution)
        values["on_time"] = int(self.on_time)
        values["resolve_seconds"] = self.resolve_seconds
        if self.rating is not None:
            values["rating_sum"] = self.rating
            values["rating_count"] = 1
        return values


def share(order: WorkOrder) -> Share:
    """A pure function of the case's row: recount and maintenance agree by construction."""
    resolution = order.state in _RESOLVED_STATES and order.resolved_at is not None
    seconds = (
        max(0, int((order.resolved_at - order.created_at).total_seconds())) if resolution else 0
    )
    return Share(
        key=(
            community_path(order.area_path),
            timezone.localtime(order.created_at).date(),
            order.kind,
            order.category_id,
            order.triage_class or "",
        ),
        state=order.state,
        resolution=resolution,
        on_time=resolution and (order.resolve_by is None or order.resolved_at <= order.resolve_by),
        resolve_seconds=seconds,
        rating=order.rating,
    )


def _share_of(row: CaseCount) -> Share:
    counter = row.counter
    return Share(
        key=(
            counter.area_path,
            counter.day,
            counter.kind,
            counter.category_id,
            counter.triage_class,
        ),
        state=row.state,
        resolution=row.resolution,
        on_time=row.on_time,
        resolve_seconds=row.resolve_seconds,
        rating=row.rating,
    )


def _table(model=CaseCounter) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def month_key(key: Key) -> Key:
    return (key[0], key[1].replace(day=1), *key[2:])


def _upsert(key: Key, values: dict[str, int], model=CaseCounter) -> int:
    """Add ``values`` to the row of ``key`` (creating it), atomically; its id."""
    table = _table(model)
    columns = [*KEY_FIELDS, *VALUE_FIELDS]
    quoted = [connection.ops.quote_name(c) for c in columns]
    updates = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)}"
        f" + excluded.{connection.ops.quote_name(c)}"
        for c in VALUE_FIELDS
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - names from the model, values bound
        f" ON CONFLICT ({', '.join(quoted[: len(KEY_FIELDS)])}) DO UPDATE SET {updates}"
        " RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key, *(values[c] for c in VALUE_FIELDS)])
        return cursor.fetchone()[0]


def _add(counter_id: int, delta: dict[str, int]) -> None:
    changes = {c: d for c, d in delta.items() if d}
    if not changes:
        return
    table = _table()
    sets = ", ".join(
        f"{connection.ops.quote_name(c)} = {connection.ops.quote_name(c)} + %s" for c in changes
    )
    with connection.cursor() as cursor:
        sql = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608 - names from the model
        cursor.execute(sql, [*changes.values(), counter_id])


def _save(order_id: int, counter_id: int, new: Share, *, create: bool) -> None:
    fields = {
        "counter_id": counter_id,
        "state": new.state,
        "resolution": new.resolution,
        "on_time": new.on_time,
        "resolve_seconds": new.resolve_seconds,
        "rating": new.rating,
    }
    if create:
        CaseCount.objects.create(order_id=order_id, **fields)
    else:
        CaseCount.objects.filter(pk=order_id).update(**fields)


def record(order: WorkOrder, *, created: bool = False) -> None:
    """Move the case's contribution to what its row says now. Runs in the
    caller's transaction; transitions of one case are serialised by the
    engine's conditional UPDATE on its row, so its ``CaseCount`` is ours.
    Day rows first, then month rows, each in key order (no deadlocks)."""
    new = share(order)
    row = None
    if not created:  # a new case has no contribution yet: one query less at intake
        row = CaseCount.objects.select_related("counter").filter(pk=order.pk).first()
    if row is None:
        _save(order.pk, _upsert(new.key, new.values()), new, create=True)
        _upsert(month_key(new.key), new.values(), MonthCounter)
        return
    old = _share_of(row)
    if old == new:
        return
    now, before = new.values(), old.values()
    negative = {c: -v for c, v in before.items()}
    if old.key == new.key:
        delta = {c: now[c] - before[c] for c in VALUE_FIELDS}
        _add(row.counter_id, delta)
        _save(order.pk, row.counter_id, new, create=False)
        _upsert(month_key(new.key), delta, MonthCounter)
        return
    if old.key < new.key:
        _add(row.counter_id, negative)
        counter_id = _upsert(new.key, now)
    else:
        counter_id = _upsert(new.key, now)
        _add(row.counter_id, negative)
    _save(order.pk, counter_id, new, create=False)
    months = sorted([(month_key(old.key), negative), (month_key(new.key), now)])
    if months[0][0] == months[1][0]:
        _upsert(months[0][0], {c: now[c] - before[c] for c in VALUE_FIELDS}, MonthCounter)
    else:
        for key, values in months:
            _upsert(key, values, MonthCounter)


def on_transitioned(sender, order: WorkOrder, transition: str = "", **kwargs) -> None:
    record(order, created=transition == "create")


def connect() -> None:
    from shequ.workorders.signals import transitioned

    transitioned.connect(on_transitioned, dispatch_uid="dashboard.record")


# --------------------------------------------------------------------------- recount, rebuild


def _shares(orders=None):
    orders = WorkOrder.objects.all() if orders is None else orders
    fields = (
        "pk",
        "area_path",
        "created_at",
        "kind",
        "category_id",
        "triage_class",
        "state",
        "resolved_at",
        "resolve_by",
        "rating",
    )
    for values in orders.values_list(*fields).iterator(chunk_size=5000):
        order = WorkOrder(**dict(zip(fields, values, strict=True)))
        yield order.pk, share(order)


def recount(*, months: bool = False) -> dict[Key, dict[str, int]]:
    """The counters recounted from the cases (rows that are all zero left out)."""
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VALUE_FIELDS, 0))
    for _pk, item in _shares():
        row = totals[month_key(item.key) if months else item.key]
        for column, value in item.values().items():
            row[column] += value
    return dict(totals)


def counters(*, months: bool = False) -> dict[Key, dict[str, int]]:
    """The maintained counters, in the same shape as :func:`recount`."""
    out = {}
    model = MonthCounter if months else CaseCounter
    for row in model.objects.values(*KEY_FIELDS, *VALUE_FIELDS):
        values = {c: row[c] for c in VALUE_FIELDS}
        if any(values.values()):
            out[tuple(row[k] for k in KEY_FIELDS)] = values
    return out


def _sum(rows: list[tuple[int, Share]]) -> dict[str, int]:
    totals = dict.fromkeys(VALUE_FIELDS, 0)
    for _pk, item in rows:
        for column, value in item.values().items():
            totals[column] += value
    return totals


@transaction.atomic
def rebuild() -> int:
    """Recompute both tables from the cases; the number of counter rows.
    Blocks transitions (PostgreSQL: a SHARE lock on the cases) while it runs."""
    if connection.vendor == "postgresql":
        return _rebuild_postgresql()
    CaseCount.objects.all().delete()
    CaseCounter.objects.all().delete()
    MonthCounter.objects.all().delete()
    members: dict[Key, list[tuple[int, Share]]] = defaultdict(list)
    for pk, item in _shares():
        members[item.key].append((pk, item))
    keys = list(members)
    made = CaseCounter.objects.bulk_create(
        [
            CaseCounter(**dict(zip(KEY_FIELDS, key, strict=True)), **_sum(members[key]))
            for key in keys
        ],
        batch_size=500,
    )
    CaseCount.objects.bulk_create(
        [
            CaseCount(
                order_id=pk,
                counter_id=counter.pk,
                state=item.state,
                resolution=item.resolution,
                on_time=item.on_time,
                resolve_seconds=item.resolve_seconds,
                rating=item.rating,
            )
            for key, counter in zip(keys, made, strict=True)
            for pk, item in members[key]
        ],
        batch_size=2000,
    )
    months: dict[Key, list[tuple[int, Share]]] = defaultdict(list)
    for key, rows in members.items():
        months[month_key(key)].extend(rows)
    MonthCounter.objects.bulk_create(
        [
            MonthCounter(**dict(zip(KEY_FIELDS, key, strict=True)), **_sum(rows))
            for key, rows in months.items()
        ],
        batch_size=500,
    )
    return len(members)


# The same rules as ``share``, in SQL, for a million cases in seconds.
_PG_SHARE = """
CREATE TEMPORARY TABLE dashboard_share ON COMMIT DROP AS
SELECT w.id AS order_id,
       array_to_string((string_to_array(w.area_path, '.'))[1:%(segments)s], '.') AS area_path,
       (w.created_at AT TIME ZONE %(tz)s)::date AS day,
       w.kind, w.category_id, w.triage_class, w.state,
       (w.state IN ('resolved', 'closed') AND w.resolved_at IS NOT NULL) AS resolution,
       (w.state IN ('resolved', 'closed') AND w.resolved_at IS NOT NULL
        AND (w.resolve_by IS NULL OR w.resolved_at <= w.resolve_by)) AS on_time,
       CASE WHEN w.state IN ('resolved', 'closed') AND w.resolved_at IS NOT NULL
            THEN GREATEST(0, floor(extract(epoch FROM w.resolved_at - w.created_at)))::bigint
            ELSE 0 END AS resolve_seconds,
       w.rating
FROM workorders_workorder w
"""


def _rebuild_postgresql() -> int:
    states = ", ".join(f"count(*) FILTER (WHERE state = '{s}')" for s in STATE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE workorders_workorder IN SHARE MODE")
        cursor.execute("DELETE FROM dashboard_casecount")
        cursor.execute("DELETE FROM dashboard_casecounter")
        cursor.execute("DELETE FROM dashboard_monthcounter")
        cursor.execute(_PG_SHARE, {"segments": COMMUNITY_SEGMENTS, "tz": settings.TIME_ZONE})
        columns = f"{', '.join(KEY_FIELDS)}, {', '.join(VALUE_FIELDS)}"
        sums = (
            f"count(*), {states}, count(*) FILTER (WHERE resolution),"
            " count(*) FILTER (WHERE on_time), coalesce(sum(resolve_seconds), 0),"
            " coalesce(sum(rating), 0), count(rating)"
        )
        key = "area_path, day, kind, category_id, triage_class"
        sql = f"INSERT INTO dashboard_casecounter ({columns}) SELECT {key}, {sums} FROM dashboard_share GROUP BY {key}"  # noqa: S608, E501 - the model's column names
        cursor.execute(sql)
        made = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO dashboard_casecount
                (order_id, counter_id, state, resolution, on_time,
                 resolve_seconds, rating)
            SELECT s.order_id, c.id, s.state, s.resolution, s.on_time,
                   s.resolve_seconds, s.rating
            FROM dashboard_share s JOIN dashboard_casecounter c
              ON c.area_path = s.area_path AND c.day = s.day AND c.kind = s.kind
             AND c.category_id = s.category_id AND c.triage_class = s.triage_class
            """
        )
        sums = ", ".join(f"sum({c})" for c in VALUE_FIELDS)
        sql = (
            f"INSERT INTO dashboard_monthcounter ({columns})"  # noqa: S608 - model's columns
            " SELECT area_path, date_trunc('month', day)::date, kind, category_id,"
            f" triage_class, {sums} FROM dashboard_casecounter"
            " GROUP BY 1, 2, 3, 4, 5"
        )
        cursor.execute(sql)
        cursor.execute("ANALYZE dashboard_casecounter")
        cursor.execute("ANALYZE dashboard_monthcounter")
    return made
