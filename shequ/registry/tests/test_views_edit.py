"""The edit forms, life-event actions, household page and timeline in the web."""

from datetime import date

import pytest

from shequ.core.tests.factories import login
from shequ.registry.models import Household, LifeEvent, Rental, Resident
from shequ.registry.services import resident_update
from shequ.registry.services_events import resident_correct, resident_move_out
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(city):
    return make_household(city.units["A1a"])


@pytest.fixture
def mine(home):
    return make_resident(home, name="张三", relation_to_head="head", mobile="13800138000")


def _resident_form(**extra):
    base = {
        "how": "register",
        "name": "李四",
        "gender": "",
        "ethnicity": "汉族",
        "id_number": "",
        "mobile": "",
        "residence_type": "registered",
        "living_status": "living",
        "relation_to_head": "spouse",
    }
    return {**base, **extra}


def test_create_household_only_in_own_units(client, people, city):
    login(client, people["grid_worker"])
    page = client.get("/registry/households/new/")
    assert page.status_code == 200
    choices = dict(page.context["form"].fields["area"].choices)
    assert city.units["A1a"].pk in choices and city.units["A1b"].pk not in choices
    created = client.post(
        "/registry/households/new/", {"area": city.units["A1a"].pk, "room": "501"}
    )
    assert created.status_code == 302
    assert Household.objects.filter(room="501", area=city.units["A1a"]).exists()
    refused = client.post("/registry/households/new/", {"area": city.units["A1b"].pk, "room": "9"})
    assert refused.status_code == 400 and not Household.objects.filter(room="9").exists()


def test_add_resident_with_field_messages(client, people, home):
    login(client, people["grid_worker"])
    url = f"/registry/households/{home.pk}/residents/new/"
    bad_id = client.post(url, _resident_form(id_number="210202199001011235"))
    assert bad_id.status_code == 400
    assert bad_id.context["form"].errors.get("id_number")
    bad_mobile = client.post(url, _resident_form(gender="male", mobile="12345"))
    assert "手机号码格式不正确" in bad_mobile.context["form"].errors["mobile"][0]
    no_gender = client.post(url, _resident_form())
    assert no_gender.context["form"].errors.get("gender")
    good = client.post(
        url, _resident_form(id_number=new_id(male=False), mobile="+86 139-0000-1111")
    )
    assert good.status_code == 302
    added = Resident.objects.get(name="李四")
    assert added.gender == "female" and added.mobile == "13900001111" and added.id_last4_index
    born = client.post(
        url, _resident_form(how="birth", name="张小宝", gender="male", birth_date="2025-02-03")
    )
    assert born.status_code == 302
    assert LifeEvent.objects.filter(resident__name="张小宝", kind="birth").exists()


def test_edit_with_reason_and_stale_version(client, people, mine):
    login(client, people["grid_worker"])
    url = f"/registry/residents/{mine.pk}/edit/"
    page = client.get(url)
    html = page.content.decode()
    assert mine.id_number not in html and "13800138000" not in html
    form = dict(page.context["form"].initial)
    data = {k: ("" if v is None else v) for k, v in form.items()}
    data.update(name="张三丰", reason="户口本核对", birth_date="", gender="")
    # A colleague saves first: our form now carries an old version.
    resident_update(actor=None, resident=mine, notes="同事的修改")
    stale = client.post(url, data)
    assert stale.status_code == 412
    assert "已被他人修改" in stale.content.decode()
    mine.refresh_from_db()
    assert mine.name == "张三" and mine.notes == "同事的修改"
    data["version"] = mine.version
    saved = client.post(url, data)
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert (
        mine.name == "张三丰" and mine.mobile == "13800138000"
    )  # empty number fields leave numbers alone
    no_reason = client.post(url, {**data, "version": mine.version, "reason": ""})
    assert no_reason.status_code == 400 and no_reason.context["form"].errors.get("reason")


def test_actions_on_the_resident_page(client, people, city, home, mine):
    login(client, people["grid_worker"])
    base = f"/registry/residents/{mine.pk}"
    missing = client.post(f"{base}/move_out/", {"destination": "", "version": mine.version})
    assert missing.status_code == 400 and missing.context["action_forms"]["move_out"].errors
    moved = client.post(
        f"{base}/move_out/", {"destination": "北京市朝阳区", "version": mine.version}
    )
    assert moved.status_code == 302
    mine.refresh_from_db()
    assert mine.is_removed
    page = client.get(f"{base}/")
    assert "北京市朝阳区" in page.content.decode()  # on the timeline
    assert not page.context["can_restore"]
    assert client.post(f"{base}/restore/", {}).status_code == 403
    login(client, people["community_worker"])
    listed = client.post("/registry/residents/", {"removed": "on"})
    assert [r.pk for r in listed.context["page"]] == [mine.pk]
    assert client.post(f"{base}/restore/", {"reason": "误操作"}).status_code == 302
    mine.refresh_from_db()
    assert not mine.is_removed
    assert client.post(f"{base}/nonsense/", {}).status_code == 404
    tagged = client.post(f"{base}/tag_add/", {"tag": "veteran"})
    assert tagged.status_code == 302 and mine.tags.count() == 1
    assert client.post(f"{base}/tag_remove/", {"tag": "veteran"}).status_code == 302
    assert mine.tags.count() == 0


def test_household_page_actions_and_rental(client, people, home, mine):
    spouse = make_resident(home, name="李芳", gender="female", relation_to_head="spouse")
    tenant = make_resident(home, name="孙租客", relation_to_head="tenant")
    login(client, people["grid_worker"])
    url = f"/registry/households/{home.pk}"
    page = client.get(f"{url}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    home.refresh_from_db()
    changed = client.post(f"{url}/change_head/", {"new_head": spouse.pk, "version": home.version})
    assert changed.status_code == 302
    home.refresh_from_db()
    assert home.head_id == spouse.pk
    rental = client.post(
        f"{url}/rental/",
        {
            "landlord": spouse.pk,
            "tenants": [tenant.pk],
            "lease_start": "2025-01-01",
            "lease_end": "2024-01-01",
        },
    )
    assert rental.status_code == 400 and rental.context["action_forms"]["rental"].errors.get(
        "lease_end"
    )
    rental = client.post(
        f"{url}/rental/",
        {"landlord": spouse.pk, "tenants": [tenant.pk], "lease_start": "2025-01-01"},
    )
    assert rental.status_code == 302
    page = client.get(f"{url}/")
    assert "孙租客" in page.content.decode() and len(page.context["rentals"]) == 1
    ended = client.post(f"{url}/rental_end/", {"rental": Rental.objects.get().pk, "reason": "退租"})
    assert ended.status_code == 302 and Rental.objects.get().ended_at is not None
    stale = client.post(f"{url}/remove/", {"reason": "拆迁", "version": 1})
    assert stale.status_code == 412


def test_other_grid_gets_404_everywhere(client, people, home, mine):
    login(client, people["grid_worker_b"])
    before = (Resident.objects.get(pk=mine.pk).version, LifeEvent.objects.count())
    for url, data in (
        (f"/registry/residents/{mine.pk}/edit/", None),
        (f"/registry/residents/{mine.pk}/edit/", {"name": "x", "reason": "x"}),
        (f"/registry/residents/{mine.pk}/remove/", {"reason": "x"}),
        (f"/registry/residents/{mine.pk}/move_out/", {"destination": "x"}),
        (f"/registry/households/{home.pk}/residents/new/", None),
        (f"/registry/households/{home.pk}/remove/", {"reason": "x"}),
        (
            f"/registry/households/{home.pk}/rental/",
            {"landlord_name": "x", "lease_start": "2025-01-01"},
        ),
    ):
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, url
    assert (Resident.objects.get(pk=mine.pk).version, LifeEvent.objects.count()) == before


def test_view_only_roles_cannot_change(client, people, mine):
    login(client, people["building_team"])
    assert client.get(f"/registry/residents/{mine.pk}/").status_code == 200
    assert client.get(f"/registry/residents/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/registry/residents/{mine.pk}/remove/", {"reason": "x"}).status_code == 403


def test_timeline_is_newest_first_and_holds_no_numbers(client, people, home, mine):
    worker = people["grid_worker"]
    resident_correct(actor=worker, resident=mine, reason="更正民族", ethnicity="满族")
    resident_correct(actor=worker, resident=mine, reason="换号", mobile="13700007777")
    resident_move_out(actor=worker, resident=mine, destination="上海", occurred_on=date(2025, 5, 1))
    login(client, people["community_worker"])
    page = client.get(f"/registry/residents/{mine.pk}/")
    labels = [item.label for item in page.context["timeline"]]
    assert labels[:3] == ["迁出", "信息更正", "信息更正"]
    assert labels[-1] == "登记入册"
    ethnicity_fix = page.context["timeline"][2]
    assert ethnicity_fix.reason == "更正民族" and ethnicity_fix.changes == [("民族", "", "满族")]
    assert "满族" in page.content.decode()
    stamps = [item.at for item in page.context["timeline"]]
    assert stamps == sorted(stamps, reverse=True)
    html = page.content.decode()
    assert "13700007777" not in html and "13800138000" not in html and mine.id_number not in html


def test_move_to_another_household_by_its_number(client, people, city, home, mine):
    login(client, people["grid_worker"])
    far = make_household(city.units["A1b"])
    url = f"/registry/residents/{mine.pk}/move_household/"
    refused = client.post(
        url, {"household": far.pk, "relation_to_head": "other", "version": mine.version}
    )
    assert refused.status_code == 400
    assert refused.context["action_forms"]["move_household"].errors.get("household")
    near = make_household(city.units["A1a"])
    moved = client.post(
        url, {"household": near.pk, "relation_to_head": "head", "version": mine.version}
    )
    assert moved.status_code == 302
    mine.refresh_from_db()
    assert mine.household_id == near.pk
    assert Household.objects.get(pk=near.pk).head_id == mine.pk
