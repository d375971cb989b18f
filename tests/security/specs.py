"""The kinds of row in the route table (``test_route_matrix.ROUTES``) and the
audit table (``test_audit.ACTIONS``), shared so that each app can keep its own
rows in ``tests/security/routes_<app>.py`` (``ROUTES``) and
``tests/security/audit_<app>.py`` (``ACTIONS`` and ``AUDITED_ROUTES``), which
the two tests merge into theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from tests.security.helpers import client_for, send


@dataclass(frozen=True)
class Public:
    """Reachable without logging in (``login_in_production``: only while DEBUG is on)."""

    why: str
    login_in_production: bool = False


@dataclass(frozen=True)
class LoggedIn:
    """Any logged-in user; shows or changes only the caller's own things."""

    why: str


@dataclass(frozen=True)
class Own:
    """An object that belongs to one user (API tokens): the owner reaches it,
    anybody else gets 404."""

    kwarg: str


@dataclass(frozen=True)
class Staff:
    """Needs a role's action; no object id in the URL. ``actor`` is a person
    who may use it; ``mutates`` when a POST with ``data`` changes data."""

    actor: str
    data: Callable[[SimpleNamespace], dict] | None = None
    mutates: bool = False


@dataclass
class Target:
    kwargs: dict
    data: dict = field(default_factory=dict)
    # Text that would show the object's data (must never reach an intruder).
    secret: str = ""


@dataclass(frozen=True)
class Scoped:
    """An object inside the area tree, named by the URL (or the body).

    ``pairs`` are (actor with the right role on the object's area, the same
    kind of actor in the other grid or street). ``target`` builds the object
    (in grid A1a / community A1 / street A) and the request data.
    ``changes`` lists the methods after which the object must have changed
    when the in-scope actor calls them.
    """

    pairs: tuple[tuple[str, str], ...]
    target: Callable[[SimpleNamespace], Target]
    changes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Open311:
    """GeoReport v2 at /open311/v2/: no session, no cookies; callers name
    themselves with an ``api_key`` parameter (a personal token of a staff
    account). ``public``: the service catalog, open to anyone. Otherwise
    ``target`` builds a case in grid A1a and the request (URL kwargs and
    parameters; the api_key is added per caller), and the generated cases are:
    no api_key (anonymous, or a logged-in session) → 403 in the Open311 error
    format; a token of the same kind of actor in grid A1b → ``refused`` (404 on
    object routes; a list answers 200 without the case) without the case's
    data; the in-scope token succeeds."""

    target: Callable[[SimpleNamespace], Target] | None = None
    public: bool = False
    pairs: tuple[tuple[str, str], ...] = (("grid_worker", "grid_worker_b"),)
    refused: int = 404
    # POST (creation): its own request, and the intruder's answer (an area
    # outside the token's scope is bad input, like an unknown one: 400).
    post_target: Callable[[SimpleNamespace], Target] | None = None
    post_refused: int = 400


@dataclass
class Act:
    """An action driven through the web or the API, and the line it must leave."""

    event: str
    run: Callable
    object_type: str | None = None
    outcome: bool = True


def act_as(who, method, url_fn, data_fn=None, *, api=False):
    """An ``Act.run`` that sends one request as ``who`` and expects success."""

    def run(city, people):
        client = client_for(people[who])
        data = data_fn(city, people) if data_fn else {}
        response = send(client, method, url_fn(city, people), data, api=api)
        assert response.status_code < 400, (response.status_code, response.content[:300])
        return response, who

    return run


def app_tables(prefix: str, name: str) -> dict:
    """Merge the ``name`` dicts of every ``tests/security/<prefix>_*.py``."""
    import importlib
    import pkgutil

    import tests.security as package

    merged: dict = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith(prefix + "_"):
            module = importlib.import_module(f"tests.security.{info.name}")
            table = getattr(module, name, {})
            clash = set(table) & set(merged)
            assert not clash, f"{info.name}.{name} repeats rows: {sorted(clash)}"
            merged.update(table)
    return merged
