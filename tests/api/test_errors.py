"""Bad input to the API (SECURITY.md row 30): every failure is a 4xx in the
one error format ``{"error": {"code", "message", "fields"}}``, never a 500;
page sizes are capped; the OpenAPI document describes every route; the docs
page loads nothing from outside."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from shequ.core.models import ApiToken, Area
from shequ.core.tests.factories import PASSWORD
from tests.security.helpers import assert_error_format, client_for, state
from tests.security.test_route_matrix import DISCOVERED

HUGE = 10**30


@pytest.fixture
def staff(city, people) -> Client:
    return client_for(people["street_staff"], raise_request_exception=False)


def _valid_create(city) -> dict:
    return {"parent_id": city.grids["A1a"].pk, "level": "estate", "code": "E9", "name": "新小区"}


def _post(client: Client, path: str, body, content_type: str = "application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.generic("POST", path, data, content_type=content_type)


def _bad(
    response, status: int | tuple[int, ...] = 400, code: str | None = None, field: str | None = None
) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:400])
    error = assert_error_format(response, code=code)
    if field is not None:
        assert field in error["fields"], error
    return error


# --------------------------------------------------------------------------
# POST /api/v1/areas
# --------------------------------------------------------------------------

MALFORMED = [
    '{"parent_id": 1,',
    "{'parent_id': 1}",
    "not json",
    '{"parent_id": 1} trailing',
    "\xff\xfe",
    "",
]


@pytest.mark.parametrize(
    "raw", MALFORMED, ids=["truncated", "single-quotes", "text", "trailing", "binary", "empty"]
)
def test_malformed_json_is_a_400(staff, raw):
    before = state()
    error = _bad(_post(staff, "/api/v1/areas", raw.encode("latin-1")), 400)
    assert error["code"] in ("malformed_json", "invalid")
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parent_id": "abc"}, "parent_id"),
        ({"parent_id": 1.5}, "parent_id"),
        ({"parent_id": None}, "parent_id"),
        ({"parent_id": [1]}, "parent_id"),
        ({"parent_id": {"id": 1}}, "parent_id"),
        ({"level": "planet"}, "level"),
        ({"level": 3}, "level"),
        ({"code": 17}, "code"),
        ({"name": ["a"]}, "name"),
        ({"name": True}, "name"),
    ],
    ids=lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v,
)
def test_wrong_types_name_the_field(city, staff, change, field):
    before = state()
    error = _bad(
        _post(staff, "/api/v1/areas", {**_valid_create(city), **change}), 400, "invalid", field
    )
    assert all(error["fields"][field]), "each field error has a message"
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "长" * 101}, "name"),
        ({"code": "C" * 21}, "code"),
        ({"name": ""}, "name"),
        ({"code": ""}, "code"),
    ],
    ids=["name-101", "code-21", "name-empty", "code-empty"],
)
def test_overlong_and_empty_strings_are_refused(city, staff, change, field):
    before = state()
    _bad(_post(staff, "/api/v1/areas", {**_valid_create(city), **change}), 400, "invalid", field)
    assert state() == before


@pytest.mark.parametrize(
    "change",
    [{"name": "a\x00b"}, {"code": "E\x009"}, {"name": "\x00"}],
    ids=["nul-in-name", "nul-in-code", "only-nul"],
)
def test_nul_characters_are_refused_not_a_server_error(city, staff, change):
    """PostgreSQL cannot store NUL in text; the API must say 400, not fail."""
    before = state()
    _bad(_post(staff, "/api/v1/areas", {**_valid_create(city), **change}), 400)
    assert state() == before


def test_missing_fields_are_all_named(staff):
    error = _bad(_post(staff, "/api/v1/areas", {}), 400, "invalid")
    assert {"parent_id", "level", "code", "name"} <= set(error["fields"])


@pytest.mark.parametrize(
    "body", [[], [1, 2], "a string", 42, None], ids=["list", "list2", "str", "int", "null"]
)
def test_a_body_that_is_not_an_object_is_a_400(staff, body):
    _bad(_post(staff, "/api/v1/areas", body), 400)


@pytest.mark.parametrize("parent_id", [999_999_999, -1, 0, HUGE, -HUGE])
def test_unknown_or_impossible_parent_ids_are_4xx(staff, parent_id):
    before = state()
    body = {"parent_id": parent_id, "level": "estate", "code": "E9", "name": "x"}
    _bad(_post(staff, "/api/v1/areas", body), (400, 404))
    assert state() == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", lambda c: json.dumps(_valid_create(c))),
        (
            "application/x-www-form-urlencoded",
            lambda c: "parent_id={parent_id}&level=estate&code=E9&name=x".format(
                **_valid_create(c)
            ),
        ),
        (
            "multipart/form-data; boundary=xyz",
            lambda c: (
                '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--\r\n'
            ),
        ),
        ("application/xml", lambda c: "<area><name>x</name></area>"),
    ],
    ids=["text-plain", "form", "multipart", "xml"],
)
def test_wrong_content_type_is_4xx_not_500(city, staff, content_type, body):
    response = _post(staff, "/api/v1/areas", body(city), content_type=content_type)
    if response.status_code in (200, 201):
        # Accepting a JSON body labelled text/plain is tolerable; it must still be scoped and valid.
        assert content_type == "text/plain"
        assert Area.objects.filter(code="E9", parent=city.grids["A1a"]).exists()
        return
    _bad(response, (400, 415, 422))


def test_huge_body_is_refused_cleanly(city, staff):
    body = {**_valid_create(city), "name": "x" * (6 * 1024 * 1024)}
    _bad(_post(staff, "/api/v1/areas", body), (400, 413))


def test_a_valid_request_still_works(city, staff):
    response = _post(staff, "/api/v1/areas", _valid_create(city))
    assert response.status_code == 201, response.content
    assert response.json()["path"] == city.grids["A1a"].path + ".E9"


def test_domain_errors_use_the_same_format(city, staff):
    # A unit cannot hang under a grid; the service says so, with the field.
    _bad(
        _post(staff, "/api/v1/areas", {**_valid_create(city), "level": "unit"}),
        400,
        "invalid",
        "parent",
    )
    # The same code twice under one parent.
    _bad(
        _post(staff, "/api/v1/areas", {**_valid_create(city), "code": "E1"}), 400, "invalid", "code"
    )


# --------------------------------------------------------------------------
# POST /api/v1/areas/{id}/move and PATCH /api/v1/areas/{id}
# --------------------------------------------------------------------------


@pytest.fixture
def movable(city) -> Area:
    from shequ.core.services.areas import area_create

    return area_create(
        actor=None, parent=city.communities["A1"], level="grid", code="Gm", name="A1临时网格"
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ('{"parent_id": ', 400, None),
        ({}, 400, "parent_id"),
        ({"parent_id": "two"}, 400, "parent_id"),
        ({"parent_id": None}, 400, "parent_id"),
        ({"parent_id": 999_999_999}, 404, None),
        ({"parent_id": HUGE}, (400, 404), None),
        ([], 400, None),
    ],
    ids=["malformed", "missing", "wrong-type", "null", "unknown-id", "huge-id", "list"],
)
def test_move_rejects_bad_bodies(movable, staff, body, status, field):
    before = state()
    _bad(_post(staff, f"/api/v1/areas/{movable.pk}/move", body), status, field=field)
    assert state() == before


def test_move_refuses_wrong_content_type(city, movable, staff):
    before = state()
    response = _post(
        staff,
        f"/api/v1/areas/{movable.pk}/move",
        f"parent_id={city.communities['A2'].pk}",
        content_type="application/x-www-form-urlencoded",
    )
    _bad(response, (400, 415, 422))
    assert state() == before


@pytest.mark.parametrize(
    ("target", "status"),
    [("self", 400), ("child", 400), ("wrong-level", 400), ("clash", 409)],
)
def test_move_domain_errors_are_4xx(city, movable, staff, target, status):
    from shequ.core.services.areas import area_create

    child = area_create(actor=None, parent=movable, level="estate", code="E1", name="子小区")
    parent_id = {
        "self": movable.pk,
        "child": child.pk,
        "wrong-level": city.streets["A"].pk,
        "clash": None,
    }[target]
    if target == "clash":
        area_create(
            actor=None, parent=city.communities["A2"], level="grid", code="Gm", name="同码网格"
        )
        parent_id = city.communities["A2"].pk
    before = state()
    _bad(_post(staff, f"/api/v1/areas/{movable.pk}/move", {"parent_id": parent_id}), status)
    assert state() == before


@pytest.mark.parametrize("area_id", ["999999999", "abc", "-1", "0", str(HUGE), "1.5"])
def test_unknown_or_malformed_ids_in_the_path_are_4xx(staff, area_id):
    for method, path, body in (
        ("GET", f"/api/v1/areas/{area_id}", None),
        ("GET", f"/api/v1/areas/{area_id}/counts", None),
        ("PATCH", f"/api/v1/areas/{area_id}", {"name": "x"}),
        ("POST", f"/api/v1/areas/{area_id}/move", {"parent_id": 1}),
    ):
        response = staff.generic(
            method, path, json.dumps(body) if body else "", content_type="application/json"
        )
        _bad(response, (400, 404))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "长" * 101}, "name"),
        ({"code": "x" * 21}, "code"),
        ({"name": 5}, "name"),
        ({"code": "含 空格"}, "code"),
    ],
)
def test_patch_rejects_bad_values(city, staff, body, field):
    before = state()
    _bad(
        staff.patch(f"/api/v1/areas/{city.grids['A1a'].pk}", body, content_type="application/json"),
        400,
        field=field,
    )
    assert state() == before


# --------------------------------------------------------------------------
# Other inputs: query parameters, tokens, methods
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 100000},
        {"page_size": 0},
        {"page_size": -5},
        {"page_size": "many"},
        {"page": 0},
        {"page": "x"},
        {"page": HUGE},
        {"parent_id": "abc"},
        {"parent_id": HUGE},
        {"q": "x" * 51},
        {"level": "x" * 17},
    ],
    ids=lambda p: "&".join(f"{k}={str(v)[:12]}" for k, v in p.items()),
)
def test_bad_list_parameters_are_400_or_capped(staff, params):
    response = staff.get("/api/v1/areas", params)
    if response.status_code == 200:
        body = response.json()
        assert body["page_size"] <= 200
        assert len(body["items"]) <= 200
        return
    _bad(response, (400, 404))


def test_page_size_is_capped(city, people):
    response = client_for(people["district_staff"]).get("/api/v1/areas", {"page_size": 100000})
    if response.status_code == 200:
        assert len(response.json()["items"]) <= 200
    else:
        _bad(response, 400, field="page_size")


def test_a_large_page_number_is_an_empty_page(staff):
    response = staff.get("/api/v1/areas", {"page": 99999})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "grid_worker"},
        {"username": "grid_worker", "password": PASSWORD, "name": ""},
        {"username": "grid_worker", "password": PASSWORD, "name": "x", "days": 0},
        {"username": "grid_worker", "password": PASSWORD, "name": "x", "days": "ten"},
        {"username": "g" * 151, "password": PASSWORD, "name": "x"},
        {"username": "grid_worker", "password": "p" * 257, "name": "x"},
        {"username": "grid_worker", "password": PASSWORD, "name": "x", "otp": "1234567"},
        {"username": "grid\x00worker", "password": PASSWORD, "name": "x"},
        {"username": "grid_worker", "password": PASSWORD, "name": "热线\x00"},
    ],
    ids=[
        "empty",
        "no-password",
        "empty-name",
        "zero-days",
        "days-text",
        "long-user",
        "long-password",
        "long-otp",
        "nul-user",
        "nul-name",
    ],
)
def test_token_endpoint_rejects_bad_bodies(people, body):
    client = Client(raise_request_exception=False)
    response = client.post("/api/v1/auth/tokens", body, content_type="application/json")
    _bad(response, (400, 401))
    assert not ApiToken.objects.exists()


def test_token_endpoint_rejects_malformed_json(people):
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/tokens", "{username: grid_worker}", content_type="application/json"
    )
    _bad(response, 400, "malformed_json")


@pytest.mark.parametrize("params", [{"actor": "a\x00b"}, {"event_type": "x" * 33}, {"page": "x"}])
def test_audit_list_rejects_bad_parameters(people, params):
    client = client_for(people["auditor"], raise_request_exception=False)
    _bad(client.get("/api/v1/audit", params), 400)


def test_unsupported_methods_answer_405_in_the_error_format(city, staff):
    response = staff.put(
        f"/api/v1/areas/{city.grids['A1a'].pk}", {}, content_type="application/json"
    )
    assert response.status_code == 405
    response = staff.delete("/api/v1/areas")
    assert response.status_code == 405


def test_bad_bearer_tokens_are_401_not_500(db):
    for header in (
        "Bearer",
        "Bearer ",
        "Bearer shq_",
        "Bearer shq__",
        "Bearer shq_x_y",
        "Basic abc",
        "Bearer " + "a" * 5000,
        "Bearer shq_\x00_x",
    ):
        response = Client(HTTP_AUTHORIZATION=header, raise_request_exception=False).get(
            "/api/v1/me"
        )
        _bad(response, 401, "unauthenticated")


# --------------------------------------------------------------------------
# The OpenAPI document and the docs page
# --------------------------------------------------------------------------


def _openapi_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


@pytest.fixture
def reader(people) -> Client:
    """The schema and docs are open in development and need a login in
    production; a logged-in reader sees them either way."""
    return client_for(people["grid_worker"])


def test_openapi_document_lists_every_api_route(reader):
    response = reader.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    api_routes = [
        r
        for r in DISCOVERED.values()
        if r.api
        and r.pattern.startswith("api/v1/")
        and r.name not in ("api:openapi-json", "api:openapi-view", "api:api-root")
    ]
    assert api_routes
    for route in api_routes:
        path = _openapi_path(route.pattern)
        assert path in paths, f"{route.name} ({path}) missing from the OpenAPI document"
        for method in route.methods:
            operation = paths[path].get(method.lower())
            assert operation is not None, f"{method} {path} missing"
            assert operation.get("summary"), f"{method} {path} has no summary"
            statuses = set(operation["responses"])
            assert statuses & {"200", "201"}, f"{method} {path} documents no success"
    documented = {
        (p, m.upper())
        for p, ops in paths.items()
        for m in ops
        if m in ("get", "post", "put", "patch", "delete")
    }
    served = {(_openapi_path(r.pattern), m) for r in api_routes for m in r.methods}
    assert documented == served, "the document and the served routes differ"


def test_openapi_documents_the_error_shape(reader):
    document = reader.get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/areas"]["post"]
    assert {"400", "401", "403", "404"} <= set(post["responses"])
    schemas = document["components"]["schemas"]
    assert "ErrorOut" in schemas


def test_docs_page_loads_nothing_from_outside(reader):
    response = reader.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I), (
        "external asset on the docs page"
    )
    assert not re.search(r"@import\s+url\(\s*['\"]?https?://", html, re.I)
    local = re.findall(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)""", html)
    assert local, "the docs page uses local assets"
    for url in local:
        found = finders.find(url.removeprefix("/static/"))
        assert found, f"{url} is not shipped with the application"
        if url.endswith((".js", ".css")):
            text = open(found, encoding="utf-8", errors="replace").read()
            assert not re.search(r"""(?:import|url\(|src=)\s*["']?https?://""", text), (
                f"{url} loads from outside"
            )
