"""Entering and correcting residents: validation, uniqueness, scope and audit."""

from datetime import date

import pytest

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import AuditEntry
from shequ.registry.choices import Relation
from shequ.registry.models import KeyPopulationTag, Resident
from shequ.registry.services import (
    household_create,
    resident_create,
    resident_reveal,
    resident_tag_add,
    resident_update,
)
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db


def test_grid_worker_enters_a_household_and_its_head(city, people):
    worker = people["grid_worker"]
    household = make_household(city.units["A1a"], actor=worker, room="301")
    assert household.area_path == city.units["A1a"].path
    id_number = new_id(date(1985, 3, 4), male=False)
    resident = resident_create(
        actor=worker,
        household=household,
        name=" 李  娜 ",
        id_number=id_number.lower(),
        mobile="+86 138-0013-8000",
        relation_to_head=Relation.HEAD,
    )
    resident.refresh_from_db()
    household.refresh_from_db()
    assert resident.name == "李 娜"
    assert (resident.id_number, resident.mobile) == (id_number, "13800138000")
    assert resident.birth_date == date(1985, 3, 4) and resident.gender == "female"
    assert (resident.name_pinyin, resident.name_initials) == ("lina", "ln")
    assert resident.area_path == household.area_path
    assert household.head == resident


def test_audit_rows_never_copy_personal_numbers(city, people):
    household = make_household(city.units["A1a"], actor=people["grid_worker"])
    id_number = new_id()
    resident = make_resident(
        household, actor=people["grid_worker"], id_number=id_number, mobile="13800138000"
    )
    resident_update(
        actor=people["grid_worker"], resident=resident, mobile="13900139000", notes="新手机"
    )
    entries = AuditEntry.objects.filter(object_type="registry.resident", object_id=str(resident.pk))
    assert [e.event_type for e in entries.order_by("id")] == [AuditEvent.CREATE, AuditEvent.UPDATE]
    text = " ".join(str(e.changes) + str(e.detail) for e in entries)
    assert id_number not in text and "13800138000" not in text and "13900139000" not in text
    assert resident.id_number_index not in text
    update = entries.get(event_type=AuditEvent.UPDATE)
    assert update.detail["changed_personal_numbers"] == ["mobile"]
    assert update.changes["after"]["notes"] == "新手机"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"id_number": "21020219900101123"}, "id_number", "18位"),
        ({"id_number": "210202199001011230"}, "id_number", "校验位"),
        ({"birth_date": date(1991, 1, 1)}, "birth_date", "不一致"),
        ({"gender": "female"}, "gender", "性别"),
        ({"mobile": "1234567"}, "mobile", "手机号码"),
        ({"residence_type": "alien"}, "residence_type", "可选"),
        ({"name": "  "}, "name", "姓名"),
    ],
)
def test_what_people_type_is_checked(city, people, data, field, words):
    household = make_household(city.units["A1a"])
    values = {"name": "王五", "id_number": new_id(date(1990, 1, 1), male=True), **data}
    with pytest.raises(InvalidInput) as caught:
        resident_create(actor=people["grid_worker"], household=household, **values)
    assert caught.value.field == field
    assert words in str(caught.value.message)
    assert not Resident.objects.exists()


def test_gender_is_required_without_an_id_number(city):
    household = make_household(city.units["A1a"])
    with pytest.raises(InvalidInput) as caught:
        resident_create(actor=None, household=household, name="约翰")
    assert caught.value.field == "gender"
    assert (
        resident_create(actor=None, household=household, name="约翰", gender="male").id_number
        is None
    )


def test_one_id_number_one_resident_across_the_installation(city, people):
    id_number = new_id()
    make_resident(make_household(city.units["A1a"]), id_number=id_number)
    other = make_household(city.units["B1a"])
    with pytest.raises(Conflict) as caught:
        resident_create(
            actor=None, household=other, name="重复", id_number=f" {id_number.lower()} "
        )
    assert "已在居民台账中登记" in str(caught.value.message)
    assert Resident.objects.count() == 1


def test_duplicate_refused_on_update_too(city):
    household = make_household(city.units["A1a"])
    first = make_resident(household)
    second = make_resident(household, name="李四")
    with pytest.raises(Conflict):
        resident_update(actor=None, resident=second, id_number=first.id_number)


def test_update_cross_checks_against_the_existing_id(city, people):
    resident = make_resident(make_household(city.units["A1a"]), birth=date(1970, 6, 1))
    with pytest.raises(InvalidInput):
        resident_update(
            actor=people["community_worker"], resident=resident, birth_date=date(1971, 6, 1)
        )
    new = new_id(date(1980, 2, 2), male=False)
    resident = resident_update(actor=people["community_worker"], resident=resident, id_number=new)
    assert (resident.birth_date, resident.gender) == (date(1980, 2, 2), "female")


def test_out_of_scope_or_read_only_actors_cannot_write(city, people):
    with pytest.raises(Forbidden):
        household_create(actor=people["grid_worker_b"], area=city.units["A1a"])
    with pytest.raises(Forbidden):
        household_create(actor=people["street_staff"], area=city.units["A1a"])  # view only
    household = make_household(city.units["A1a"])
    with pytest.raises(Forbidden):
        make_resident(household, actor=people["grid_worker_b"])
    with pytest.raises(InvalidInput):
        household_create(actor=None, area=city.grids["A1a"])  # not a unit or building


def test_one_head_per_household(city):
    household = make_household(city.units["A1a"])
    make_resident(household, relation_to_head=Relation.HEAD)
    with pytest.raises(InvalidInput):
        make_resident(household, name="李四", relation_to_head=Relation.HEAD)


def test_default_tags_are_seeded_and_attachable(city, people):
    codes = set(KeyPopulationTag.objects.values_list("code", flat=True))
    assert {
        "elderly_alone",
        "empty_nest",
        "left_behind_child",
        "disability",
        "minimum_allowance",
        "veteran",
        "party_member",
    } <= codes
    assert KeyPopulationTag.objects.get(code="elderly_alone").name == "独居老人"
    resident = make_resident(make_household(city.units["A1a"]))
    tag = resident_tag_add(
        actor=people["grid_worker"],
        resident=resident,
        tag=KeyPopulationTag.objects.get(code="disability"),
        attributes={"level": 2},
    )
    assert tag.attributes == {"level": 2}


def test_reveal_needs_permission_and_reason_and_is_audited(city, people):
    resident = make_resident(make_household(city.units["A1a"]), mobile="13800138000")
    with pytest.raises(Forbidden):
        resident_reveal(actor=people["grid_worker"], resident=resident, reason="核对")
    with pytest.raises(InvalidInput):
        resident_reveal(actor=people["community_worker"], resident=resident, reason="   ")
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PII_REVEAL).exists()
    revealed = resident_reveal(
        actor=people["community_worker"], resident=resident, reason="低保复核"
    )
    assert (revealed.id_number, revealed.mobile) == (resident.id_number, "13800138000")
    entry = AuditEntry.objects.get(event_type=AuditEvent.PII_REVEAL)
    assert entry.detail["reason"] == "低保复核"
    assert entry.actor == people["community_worker"]
    assert entry.object_id == str(resident.pk) and entry.area_path == resident.area_path


def test_scattered_house_registered_on_its_building(city, people):
    household = household_create(
        actor=people["grid_worker"], area=city.buildings["A1a"], room="平房"
    )
    assert household.area_path == city.buildings["A1a"].path
