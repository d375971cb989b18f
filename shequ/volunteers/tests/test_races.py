"""Two people at the same instant: the last reward goes to exactly one, the
last place of an activity to exactly one, and one person's two redemptions
never take the balance below zero. Needs PostgreSQL, where each thread has
its own connection and the conditional UPDATEs and row locks really race."""

import threading

import pytest
from django.db import connection, connections

from shequ.core.errors import DomainError
from shequ.core.tests.factories import build_city, make_user
from shequ.volunteers.models import Redemption, Reward, SignUp, Volunteer
from shequ.volunteers.services import redemption_create, signup_create
from shequ.volunteers.tests.factories import make_activity, make_reward, make_volunteer

THREADS = 6


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    results, lock = [], threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
            outcome = "won"
        except DomainError as error:
            outcome = error.code
        except Exception as error:  # noqa: BLE001 - reported in the assertion
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _people(community, n):
    people = []
    for i in range(n):
        user = make_user("volunteer", community)
        volunteer = make_volunteer(community, user, f"志愿者{i}")
        Volunteer.objects.filter(pk=volunteer.pk).update(points=100)
        people.append(Volunteer.objects.get(pk=volunteer.pk))
    return people


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; run with DATABASE_URL=postgres://…")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_last_reward_goes_to_exactly_one_of_many():
    _skip_unless_postgres()
    community = build_city().communities["A1"]
    reward = make_reward(community, cost=30, stock=1, limit=1)
    people = _people(community, THREADS)
    results = _race(
        [lambda v=v: redemption_create(actor=v.user, reward=reward, volunteer=v) for v in people]
    )
    assert sorted(results) == ["out_of_stock"] * (THREADS - 1) + ["won"], results
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert Redemption.objects.count() == 1
    assert sorted(Volunteer.objects.values_list("points", flat=True)) == [70] + [100] * (
        THREADS - 1
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_persons_simultaneous_redemptions_never_overdraw():
    _skip_unless_postgres()
    community = build_city().communities["A1"]
    rewards = [make_reward(community, cost=60, stock=5, name=f"礼品{i}") for i in range(THREADS)]
    (person,) = _people(community, 1)
    results = _race(
        [
            lambda r=r: redemption_create(actor=person.user, reward=r, volunteer=person)
            for r in rewards
        ]
    )
    assert results.count("won") == 1, results
    assert Volunteer.objects.get(pk=person.pk).points == 40


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_last_place_of_an_activity_goes_to_exactly_one():
    _skip_unless_postgres()
    community = build_city().communities["A1"]
    activity = make_activity(community, capacity=1)
    people = _people(community, THREADS)
    results = _race(
        [lambda v=v: signup_create(actor=v.user, activity=activity, volunteer=v) for v in people]
    )
    assert results == ["won"] * THREADS, results
    statuses = sorted(SignUp.objects.values_list("status", flat=True))
    assert statuses == ["confirmed"] + ["waiting"] * (THREADS - 1)
