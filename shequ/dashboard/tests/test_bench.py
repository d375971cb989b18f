"""The pure pieces of bench/workorders.py (the benchmark itself never runs in tests)."""

import importlib.util
import random
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "workorders.py"
spec = importlib.util.spec_from_file_location("bench_workorders", BENCH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_percentile_is_nearest_rank():
    values = [float(i) for i in range(1, 101)]
    assert bench.percentile(values, 0.5) == 51.0
    assert bench.percentile(values, 0.99) == 99.0
    assert bench.percentile([7.0], 0.99) == 7.0


def test_server_url_keeps_the_server_of_database_url():
    assert bench.server_url("postgres://u:p@db:5433/shequ") == "postgres://u:p@db:5433/"
    assert bench.server_url("sqlite:////tmp/x.sqlite3") == bench.DEFAULT_SERVER
    assert bench.server_url(None) == bench.DEFAULT_SERVER


def test_summary_counts_only_successes_as_throughput():
    result = bench.summarise(
        [[0.010, 0.020], [0.030]], [{201: 2}, {409: 1}], duration=2.0, reconnects=1
    )
    assert result["rps"] == 1.0 and result["requests"] == 3 and result["ok"] == 2
    assert result["statuses"] == {"201": 2, "409": 1}
    assert result["p99_ms"] == 30.0


def test_planned_cases_resolve_before_now_and_old_ones_are_mostly_closed():
    rng = random.Random(1)
    old = [bench.plan_cases(rng, 200) for _ in range(2000)]
    assert sum(state == "closed" for state, _h, _t in old) > 1600
    for age in (0.01, 1, 30):
        for state, hours, _in_time in (bench.plan_cases(rng, age) for _ in range(500)):
            assert (hours is not None) == (state in ("closed", "resolved"))
            assert hours is None or hours <= max(age * 24, 0.05)
