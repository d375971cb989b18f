"""Open311 GeoReport v2 at /open311/v2/: every endpoint in JSON and XML,
create then read back, every kind of bad input answered in the spec's error
format with nothing created, scoping by the api_key's account, and no
reporter's personal data in any answer.

A GeoReport v2 client is emulated with plain form-encoded POSTs and GETs
through Django's test client (the way client libraries call the server)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from shequ.core.models import AuditEntry, IdempotencyRecord
from shequ.core.services.tokens import token_create
from shequ.workorders.choices import Channel, EntryKind
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.tests.factories import closed, make_order

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def key(people) -> str:
    """The grid A1a worker's personal token, as an integration would hold it."""
    return token_create(user=people["grid_worker"], name="Open311 对接")[1]


@pytest.fixture
def key_b(people) -> str:
    return token_create(user=people["grid_worker_b"], name="Open311 对接")[1]


def new_request(city, key: str, **extra) -> dict:
    data = {
        "api_key": key,
        "service_code": "sanitation",
        "address_id": city.grids["A1a"].pk,
        "lat": "38.914",
        "long": "121.614",
        "address_string": "幸福路 3 号楼东侧",
        "description": "垃圾桶满溢两天。",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def xml_rows(response, root: str, item: str) -> list[dict]:
    assert response["Content-Type"].startswith("text/xml")
    top = ET.fromstring(response.content)
    assert top.tag == root
    return [{child.tag: child.text for child in element} for element in top.findall(item)]


def assert_open311_error(response, status: int, fmt: str = "json") -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    if fmt == "xml":
        rows = xml_rows(response, "errors", "error")
        assert len(rows) == 1 and set(rows[0]) == {"code", "description"}
        assert rows[0]["code"] == str(status)
        return rows[0]["description"]
    body = response.json()
    assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status and body[0]["description"]
    return body[0]["description"]


# --------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------


def test_service_list_in_json_and_xml(client):
    services = client.get(f"{BASE}/services.json")
    assert services.status_code == 200 and services["Content-Type"].startswith("application/json")
    rows = {row["service_code"]: row for row in services.json()}
    assert set(rows["sanitation"]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert rows["sanitation"]["service_name"] == "环境卫生"
    assert rows["sanitation"]["type"] == "realtime" and rows["sanitation"]["metadata"] is False
    assert rows["sanitation"]["group"] == "incident"
    assert rows["elderly_help"]["group"] == "service_order"
    assert "address_id" in rows["sanitation"]["description"]

    xml = xml_rows(client.get(f"{BASE}/services.xml"), "services", "service")
    assert {row["service_code"] for row in xml} == set(rows)
    assert next(r for r in xml if r["service_code"] == "sanitation")["metadata"] == "false"


def test_service_definition_in_json_and_xml(client):
    definition = client.get(f"{BASE}/services/sanitation.json")
    assert definition.status_code == 200
    assert definition.json() == {"service_code": "sanitation", "attributes": []}
    xml = client.get(f"{BASE}/services/sanitation.xml")
    top = ET.fromstring(xml.content)
    assert top.tag == "service_definition"
    assert top.findtext("service_code") == "sanitation"
    assert top.find("attributes") is not None and len(top.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_in_the_error_format(client, fmt):
    assert_open311_error(client.get(f"{BASE}/services/no_such.{fmt}"), 404, fmt)


@pytest.mark.parametrize(
    "path", ["services.html", "services/sanitation.yaml", "requests.csv", "tokens/x.txt"]
)
def test_unknown_format_is_404(client, path):
    assert_open311_error(client.get(f"{BASE}/{path}"), 404)


# --------------------------------------------------------------------------
# Create, then read back
# --------------------------------------------------------------------------


def test_create_then_read_back_in_json(client, city, people, key):
    created = client.post(f"{BASE}/requests.json", new_request(city, key))
    assert created.status_code == 201, created.content
    [row] = created.json()
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    assert row["account_id"] is None
    number = row["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.channel == Channel.API and order.kind == "incident"
    assert order.area == city.grids["A1a"] and order.owner == people["grid_worker"]
    assert str(order.latitude) == "38.914000" and order.address == "幸福路 3 号楼东侧"

    detail = client.get(f"{BASE}/requests/{number}.json", {"api_key": key})
    assert detail.status_code == 200
    [request] = detail.json()
    assert set(request) == REQUEST_FIELDS
    assert request["service_request_id"] == number and request["status"] == "open"
    assert request["service_code"] == "sanitation" and request["service_name"] == "环境卫生"
    assert (
        request["description"] == "垃圾桶满溢两天。"
        and request["address_id"] == city.grids["A1a"].pk
    )
    assert request["lat"] == 38.914 and request["long"] == 121.614
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"] > request["requested_datetime"]
    assert request["media_url"] is None

    listed = client.get(f"{BASE}/requests.json", {"api_key": key})
    assert [r["service_request_id"] for r in listed.json()] == [number]
    by_id = client.get(f"{BASE}/requests.json", {"api_key": key, "service_request_id": number})
    assert [r["service_request_id"] for r in by_id.json()] == [number]

    token = client.get(f"{BASE}/tokens/{number}.json", {"api_key": key})
    assert token.json() == [{"service_request_id": number, "token": number}]


def test_create_then_read_back_in_xml(client, city, key):
    created = client.post(
        f"{BASE}/requests.xml",
        new_request(city, key, media_url="https://img.example.cn/a.jpg", description="a < b & c"),
    )
    assert created.status_code == 201
    [row] = xml_rows(created, "service_requests", "request")
    number = row["service_request_id"]
    assert row["account_id"] is None

    [request] = xml_rows(
        client.get(f"{BASE}/requests/{number}.xml", {"api_key": key}),
        "service_requests",
        "request",
    )
    assert set(request) == REQUEST_FIELDS
    assert request["description"] == "a < b & c"  # escaped on the wire, intact when parsed
    assert request["media_url"] == "https://img.example.cn/a.jpg"
    assert request["status"] == "open" and request["address_id"] == str(city.grids["A1a"].pk)

    listed = xml_rows(
        client.get(f"{BASE}/requests.xml", {"api_key": key}), "service_requests", "request"
    )
    assert [r["service_request_id"] for r in listed] == [number]
    [token] = xml_rows(
        client.get(f"{BASE}/tokens/{number}.xml", {"api_key": key}), "service_requests", "request"
    )
    assert token == {"service_request_id": number, "token": number}


def test_xml_stays_well_formed_with_control_characters(client, city, key):
    created = client.post(f"{BASE}/requests.json", new_request(city, key, description="垃圾\x01桶"))
    number = created.json()[0]["service_request_id"]
    [request] = xml_rows(
        client.get(f"{BASE}/requests/{number}.xml", {"api_key": key}),
        "service_requests",
        "request",
    )
    assert request["description"] == "垃圾桶"  # XML 1.0 cannot carry \x01 even escaped


def test_creation_writes_the_usual_timeline_and_audit_rows(client, city, people, key):
    created = client.post(f"{BASE}/requests.json", new_request(city, key))
    order = WorkOrder.objects.get(number=created.json()[0]["service_request_id"])
    assert TimelineEntry.objects.filter(order=order, kind=EntryKind.CREATED).count() == 1
    audit = AuditEntry.objects.filter(
        event_type="create", object_type="workorders.workorder", object_id=str(order.pk)
    )
    assert audit.count() == 1 and audit.get().actor_id == people["grid_worker"].pk


def test_post_needs_no_csrf_token(city, key):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"{BASE}/requests.json", new_request(city, key)).status_code == 201


def test_idempotency_key_makes_a_retry_safe(client, city, key):
    data = new_request(city, key)
    first = client.post(f"{BASE}/requests.json", data, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post(f"{BASE}/requests.xml", data, HTTP_IDEMPOTENCY_KEY="retry-1")
    number = first.json()[0]["service_request_id"]
    assert xml_rows(again, "service_requests", "request")[0]["service_request_id"] == number
    assert WorkOrder.objects.count() == 1
    other = client.post(
        f"{BASE}/requests.json", {**data, "description": "另一件事"}, HTTP_IDEMPOTENCY_KEY="retry-1"
    )
    assert_open311_error(other, 400)
    assert WorkOrder.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    # Without the header every POST creates (the spec has no idempotency key).
    client.post(f"{BASE}/requests.json", data)
    assert WorkOrder.objects.count() == 2


# --------------------------------------------------------------------------
# Listing: filters, default window, status
# --------------------------------------------------------------------------


def test_list_filters_and_the_default_90_day_window(client, city, people, key):
    worker = people["grid_worker"]
    with time_machine.travel(timezone.now() - timedelta(days=120)):
        old = make_order(city.grids["A1a"], worker, title="旧的")
    fresh = make_order(city.grids["A1a"], worker, code="noise")
    done = closed(city.units["A1a"], worker, people["resident"])

    def numbers(**params) -> list[str]:
        response = client.get(f"{BASE}/requests.json", {"api_key": key, **params})
        assert response.status_code == 200, response.content
        return sorted(r["service_request_id"] for r in response.json())

    assert numbers() == sorted([fresh.number, done.number])
    assert numbers(status="open") == [fresh.number]
    assert numbers(status="closed") == [done.number]
    assert numbers(service_code="noise") == [fresh.number]
    start = (timezone.now() - timedelta(days=200)).isoformat()
    assert numbers(start_date=start) == sorted([old.number, fresh.number, done.number])
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert numbers(start_date=start, end_date=end) == [old.number]
    # With service_request_id the other parameters are ignored, as the spec says.
    assert numbers(service_request_id=f"{old.number},{done.number}", status="open") == sorted(
        [old.number, done.number]
    )
    rows = client.get(f"{BASE}/requests.json", {"api_key": key, "status": "closed"}).json()
    assert rows[0]["status"] == "closed" and rows[0]["status_notes"]


# --------------------------------------------------------------------------
# Bad input: the error format, never a 500, nothing created
# --------------------------------------------------------------------------

BAD_CREATES = [
    ("no api_key", {"api_key": None}, 403),
    ("wrong api_key", {"api_key": "shq_0123456789ab_wrong"}, 403),
    ("not a token", {"api_key": "letmein"}, 403),
    ("no service_code", {"service_code": None}, 400),
    ("unknown service_code", {"service_code": "no_such"}, 404),
    ("no location", {"address_id": None, "lat": None, "long": None, "address_string": None}, 400),
    ("point without area", {"address_id": None}, 400),
    ("address_string only", {"address_id": None, "lat": None, "long": None}, 400),
    ("address_id not a number", {"address_id": "A1a"}, 400),
    ("unknown address_id", {"address_id": "999999"}, 400),
    ("lat not a number", {"lat": "north"}, 400),
    ("long not a number", {"long": "1e999999"}, 400),
    ("lat out of range", {"lat": "91"}, 400),
    ("lat without long", {"long": None}, 400),
    ("NaN", {"lat": "NaN"}, 400),
    ("no description", {"description": None}, 400),
    ("overlong description", {"description": "长" * 3501}, 400),
    ("overlong address", {"address_string": "路" * 201}, 400),
    ("overlong phone", {"phone": "1" * 41}, 400),
    ("media_url not a URL", {"media_url": "javascript:alert(1)"}, 400),
    ("NUL character", {"description": "垃圾\x00桶"}, 400),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("why", "changes", "status"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES])
def test_bad_creates_answer_the_error_format_and_change_nothing(
    client, city, key, fmt, why, changes, status
):
    audit_before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(f"{BASE}/requests.{fmt}", new_request(city, key, **changes))
    assert_open311_error(response, status, fmt)
    assert WorkOrder.objects.count() == 0 and TimelineEntry.objects.count() == 0
    assert not AuditEntry.objects.filter(pk__gt=audit_before, event_type="create").exists()


def test_address_outside_the_token_scope_is_refused(client, city, key):
    response = client.post(
        f"{BASE}/requests.json", new_request(city, key, address_id=city.grids["A1b"].pk)
    )
    assert_open311_error(response, 400)
    assert WorkOrder.objects.count() == 0


def test_resident_tokens_and_sessions_are_not_integrations(client, city, people):
    resident_key = token_create(user=people["resident"], name="我的令牌")[1]
    data = new_request(city, resident_key, address_id=city.units["A1a"].pk)
    assert_open311_error(client.post(f"{BASE}/requests.json", data), 403)
    # A logged-in session is not an api_key: cookies are never used.
    from shequ.core.tests.factories import login

    login(client, people["grid_worker"])
    data = new_request(city, None)
    assert_open311_error(client.post(f"{BASE}/requests.json", data), 403)
    assert_open311_error(client.get(f"{BASE}/requests.json"), 403)
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "shq_0123456789ab_wrong"}, 403),
        ({"start_date": "yesterday"}, 400),
        ({"end_date": "2026-13-45T99:00:00"}, 400),
        ({"start_date": "2026-11-02", "end_date": "2026-11-01"}, 400),
        ({"status": "pending"}, 400),
        ({"service_code": "a\x00b"}, 400),
    ],
)
def test_bad_list_parameters(client, key, fmt, params, status):
    query = {k: v for k, v in {"api_key": key, **params}.items() if v is not None}
    assert_open311_error(client.get(f"{BASE}/requests.{fmt}", query), status, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(client, key, fmt):
    for path in ("requests/GD-20260101-9999", "tokens/GD-20260101-9999", "requests/<x>"):
        assert_open311_error(client.get(f"{BASE}/{path}.{fmt}", {"api_key": key}), 404, fmt)


# --------------------------------------------------------------------------
# Scoping and personal data
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_of_grid_a1b_cannot_read_grid_a1a(client, city, people, key_b, fmt):
    order = make_order(city.grids["A1a"], people["grid_worker"], title="欧阳家楼道堆物")
    for path in (f"requests/{order.number}", f"tokens/{order.number}"):
        refused = client.get(f"{BASE}/{path}.{fmt}", {"api_key": key_b})
        assert_open311_error(refused, 404, fmt)
        assert "欧阳" not in refused.content.decode()
    listed = client.get(
        f"{BASE}/requests.{fmt}", {"api_key": key_b, "service_request_id": order.number}
    )
    assert listed.status_code == 200 and order.number not in listed.content.decode()
    assert AuditEntry.objects.filter(event_type="access_denied", object_id=str(order.pk)).exists()


def test_no_personal_data_in_any_response(client, city, people, key):
    resident = people["resident"]
    reported = make_order(city.units["A1a"], resident, channel="portal")
    created = client.post(
        f"{BASE}/requests.json",
        new_request(
            city,
            key,
            first_name="欧阳",
            last_name="明珠",
            phone="13912345678",
            email="ouyang@example.cn",
            device_id="device-ouyang",
            account_id="acct-ouyang",
        ),
    )
    number = created.json()[0]["service_request_id"]
    secrets = {
        "欧阳",
        "明珠",
        "13912345678",
        "ouyang",
        resident.username,
        people["grid_worker"].username,
    }
    if resident.full_name:
        secrets.add(resident.full_name)
    if people["grid_worker"].full_name:
        secrets.add(people["grid_worker"].full_name)
    bodies = [created.content.decode()]
    for fmt in ("json", "xml"):
        for path in (
            f"requests/{number}",
            f"requests/{reported.number}",
            f"tokens/{number}",
            "requests",
        ):
            response = client.get(f"{BASE}/{path}.{fmt}", {"api_key": key})
            assert response.status_code == 200
            bodies.append(response.content.decode())
    for body in bodies:
        for secret in secrets:
            assert secret not in body, (secret, body[:300])
    # The contact fields are not stored with the case either.
    order = WorkOrder.objects.get(number=number)
    stored = " ".join(str(v) for v in WorkOrder.objects.filter(pk=order.pk).values().get().values())
    assert (
        "13912345678" not in stored
        and "ouyang" not in stored
        and order.reporter == people["grid_worker"]
    )
