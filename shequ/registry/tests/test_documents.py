"""Residents without a mainland ID: a passport or permit, its type, one
document one resident, exact search, masked everywhere but the reveal and
the approved full export."""

import csv
import io
from datetime import date

import pytest

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, InvalidInput
from shequ.core.iddocuments import IdDocumentType
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.core.services.approvals import approval_decide
from shequ.core.tests.factories import login, make_user
from shequ.registry.full_export import full_export_download, full_export_request
from shequ.registry.models import Resident
from shequ.registry.retention import registry_retention
from shequ.registry.schemas_ledger import DocumentType
from shequ.registry.selectors import resident_list
from shequ.registry.services import resident_reveal
from shequ.registry.services_events import resident_correct, resident_move_out
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


def make_foreigner(household, *, name="金敏俊", kind="passport", number="m1234 5678", **data):
    return make_resident(
        household,
        name=name,
        id_number=None,
        gender=data.pop("gender", "male"),
        residence_type="foreign",
        id_document_type=kind,
        id_document_number=number,
        **data,
    )


@pytest.fixture
def foreigner(city):
    return make_foreigner(make_household(city.units["A1a"], room="301"))


def test_a_foreign_resident_is_entered_with_a_passport(foreigner):
    stored = Resident.objects.get(pk=foreigner.pk)
    assert (stored.id_document_type, stored.id_document_number) == ("passport", "M12345678")
    assert stored.id_number is None and stored.id_number_index is None
    assert stored.id_document_number_masked == "M******78"
    assert stored.get_id_document_type_display() == "护照"


def test_one_document_is_one_resident_across_the_installation(city, foreigner):
    elsewhere = make_household(city.units["B1a"])
    with pytest.raises(Conflict) as caught:
        make_foreigner(elsewhere, name="金敏俊", number="M12345678")
    assert caught.value.code == "duplicate_id_document"
    assert "该证件已在居民台账中登记" in str(caught.value.message)
    # The same characters as another type of document are another document.
    other = make_foreigner(elsewhere, name="陈大文", kind="other", number="M12345678")
    assert other.id_document_index != foreigner.id_document_index


def test_mainland_id_and_document_together_are_refused(city):
    with pytest.raises(InvalidInput) as caught:
        make_resident(
            make_household(city.units["A1a"]),
            id_number=new_id(),
            id_document_type="passport",
            id_document_number="E12345678",
        )
    assert caught.value.field == "id_document_number"
    assert "已填写公民身份号码" in str(caught.value.message)


@pytest.mark.parametrize(
    ("kind", "number", "field", "words"),
    [
        ("", "E12345678", "id_document_type", "请选择证件类型"),
        ("passport", "E1", "id_document_number", "护照号码"),
        ("hk_macao_permit", "X12345678", "id_document_number", "H或M"),
        ("visa", "E12345678", "id_document_type", "不是可选的证件类型"),
    ],
)
def test_wrong_documents_are_refused_in_chinese(city, kind, number, field, words):
    with pytest.raises(InvalidInput) as caught:
        make_foreigner(make_household(city.units["A1a"]), kind=kind, number=number)
    assert caught.value.field == field and words in str(caught.value.message)


def test_neither_id_nor_document_is_allowed(city):
    resident = make_resident(make_household(city.units["A1a"]), id_number=None, gender="female")
    assert resident.id_document_type == "" and resident.id_document_number is None


def test_search_by_full_document_number_is_exact_and_scoped(city, people, foreigner):
    worker = people["grid_worker"]
    for query in ("M12345678", "m 1234 5678"):
        assert list(resident_list(actor=worker, query=query)) == [foreigner]
    assert list(resident_list(actor=worker, query="M1234567")) == []
    assert list(resident_list(actor=people["grid_worker_b"], query="M12345678")) == []


def test_web_and_api_show_the_document_masked(client, people, foreigner):
    login(client, people["grid_worker"])
    page = client.get(f"/registry/residents/{foreigner.pk}/").content.decode()
    assert "护照" in page and "M******78" in page and "M12345678" not in page
    body = client.get(f"{API}/residents/{foreigner.pk}").json()
    assert body["id_document_type"] == "passport"
    assert body["id_document_number_masked"] == "M******78"
    assert "M12345678" not in str(body)
    found = client.post(
        f"{API}/residents/search", {"q": "M12345678"}, content_type="application/json"
    ).json()
    assert [r["id"] for r in found["items"]] == [foreigner.pk]
    assert client.get(f"{API}/residents", {"q": "M12345678"}).status_code == 400


def test_api_creates_and_corrects_a_document(client, people, city):
    household = make_household(city.units["A1a"])
    login(client, people["grid_worker"])
    url = f"{API}/households/{household.pk}/residents"
    payload = {
        "name": "陈大文",
        "gender": "male",
        "residence_type": "foreign",
        "id_document_type": "hk_macao_permit",
        "id_document_number": "h1234567890",
    }
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.id_document_number == "H1234567890"
    unknown = client.post(
        url, payload | {"id_document_type": "visa"}, content_type="application/json"
    )
    assert unknown.status_code in (400, 422)
    again = client.post(url, payload | {"name": "陈小文"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_id_document"
    fixed = client.patch(
        f"{API}/residents/{resident.pk}",
        {"reason": "证件换发", "id_document_number": "H9876543210", "version": resident.version},
        content_type="application/json",
    )
    assert fixed.status_code == 200 and fixed.json()["id_document_number_masked"] == "H********10"


def test_api_document_types_match_the_model_choices():
    assert set(DocumentType.__args__) == {"", *IdDocumentType.values}


def test_edit_form_keeps_the_document_when_left_empty(client, people, foreigner):
    login(client, people["grid_worker"])
    url = f"/registry/residents/{foreigner.pk}/edit/"
    page = client.get(url)
    assert "M12345678" not in page.content.decode()
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    assert data["id_document_number"] == "" and data["id_document_type"] == "passport"
    data.update(reason="核对", notes="韩国籍", birth_date="", gender="male")
    assert client.post(url, data).status_code == 302
    assert Resident.objects.get(pk=foreigner.pk).id_document_number == "M12345678"


def test_correction_timeline_names_the_document_without_its_number(client, people, foreigner):
    resident_correct(
        actor=people["grid_worker"],
        resident=foreigner,
        reason="证件更正",
        id_document_type="foreign_permanent",
        id_document_number="KOR110012345678",
    )
    login(client, people["grid_worker"])
    page = client.get(f"/registry/residents/{foreigner.pk}/").content.decode()
    assert "外国人永久居留身份证" in page and "更改了号码：" in page and "证件号码" in page
    assert "KOR110012345678" not in page and "M12345678" not in page
    for entry in AuditEntry.objects.filter(object_type="registry.resident"):
        assert "12345678" not in str(entry.changes) + str(entry.detail)


def test_reveal_includes_the_document_number(people, foreigner):
    revealed = resident_reveal(actor=people["community_worker"], resident=foreigner, reason="核对")
    assert revealed.id_document_number == "M12345678" and revealed.id_number == ""
    entry = AuditEntry.objects.get(event_type=AuditEvent.PII_REVEAL)
    assert "id_document_number" in entry.detail["fields"]


def test_exports_mask_it_and_the_approved_full_export_does_not(client, city, people, foreigner):
    login(client, people["grid_worker"])
    masked = client.post("/registry/residents/export/", {"format": "csv"})
    text = masked.content.decode("utf-8-sig")
    assert "M******78" in text and "M12345678" not in text and "护照" in text
    checker = make_user(Role.COMMUNITY_WORKER, city.communities["A1"], username="checker")
    approval = full_export_request(
        actor=people["community_worker"],
        area=city.communities["A1"],
        purpose="出入境管理核对",
        fmt="csv",
    )
    approval_decide(actor=checker, approval=approval, approve=True)
    approval.refresh_from_db()

    class Request:
        user = people["community_worker"]
        request_id = "req-1"
        META: dict = {}

    full = full_export_download(request=Request(), approval=approval)
    rows = list(csv.reader(io.StringIO(full.content.decode("utf-8-sig"))))
    header = rows[1]
    row = next(r for r in rows[2:] if r[0] == "金敏俊")
    assert row[header.index("证件号码")] == "M12345678"
    assert row[header.index("证件类型")] == "护照"


def test_retention_clears_the_document(city, settings, foreigner):
    settings.REGISTRY_RETENTION_YEARS = {"move_out": 3, "death": 5}
    resident_move_out(
        actor=None, resident=foreigner, destination="首尔", occurred_on=date(2020, 1, 1)
    )
    registry_retention(today=date(2025, 6, 15))
    gone = Resident.objects.get(pk=foreigner.pk)
    assert gone.id_document_number is None and gone.id_document_index is None
    assert gone.id_document_type == ""
