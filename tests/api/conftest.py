"""Fixtures for the security sweep: the shared city, re-read for every test."""

import pytest

from tests.security.world import committed_world, reload_city, reload_people

__all__ = ["committed_world"]


@pytest.fixture
def city(committed_world, db):
    return reload_city(committed_world[0])


@pytest.fixture
def people(committed_world, db):
    """One user per role (keyed by role value) on street A / community A1 /
    grid A1a, plus grid_worker_b (grid A1b), community_worker_b (community A2),
    security_admin_a (street A), street_staff_b, security_admin_b, city_admin_b
    and auditor_b (street B)."""
    return reload_people(committed_world[1])
