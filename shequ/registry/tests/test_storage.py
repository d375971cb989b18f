"""What the database holds: ciphertext only, and key rotation (SECURITY.md row 22)."""

import base64
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import IntegrityError
from django.test import override_settings

from shequ.core import crypto
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
ID18 = re.compile(rb"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
NEW_KEY = base64.b64encode(b"k" * 32).decode()


def raw_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, mobile FROM registry_resident ORDER BY id")
        return [
            (
                pk,
                bytes(id_number) if id_number is not None else None,
                bytes(mobile) if mobile else None,
            )
            for pk, id_number, mobile in cursor.fetchall()
        ]


def test_database_holds_no_plaintext_and_equal_values_encrypt_differently(city):
    household = make_household(city.units["A1a"])
    same_mobile = "13800138000"
    first = make_resident(household, mobile=same_mobile)
    make_resident(household, name="李四", mobile=same_mobile)
    rows = raw_rows()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_resident")
        dump = repr(cursor.fetchall()).encode()
    assert not ID18.search(dump)
    assert first.id_number.encode() not in dump and same_mobile.encode() not in dump
    assert rows[0][2] != rows[1][2]  # random nonce
    assert crypto.decrypt(rows[0][2]) == crypto.decrypt(rows[1][2]) == same_mobile
    assert rows[0][1][0] == crypto.current_key_version()


def test_encrypted_columns_cannot_be_queried_directly(city):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Resident.objects.filter(id_number="x"))
    assert list(Resident.objects.filter(mobile__isnull=True)) == []


def test_blind_index_is_unique_in_the_database(city):
    household = make_household(city.units["A1a"])
    resident = make_resident(household)
    clone = Resident(
        household=household,
        name="x",
        gender="male",
        id_number=resident.id_number,
        id_number_index=resident.id_number_index,
        area_path=household.area_path,
    )
    with pytest.raises(IntegrityError):
        clone.save()


def test_rotate_field_keys_reencrypts_every_row_once(city, settings):
    household = make_household(city.units["A1a"])
    residents = [
        make_resident(household, name=f"居民{i}", mobile=f"1380013800{i}") for i in range(3)
    ]
    make_resident(household, name="无号码", id_number=None, gender="female")
    old_key = settings.FIELD_ENCRYPTION_KEYS
    with override_settings(FIELD_ENCRYPTION_KEYS=f"7:{NEW_KEY},{old_key}"):
        call_command("rotate_field_keys", batch=2, stdout=open("/dev/null", "w"))
        rows = raw_rows()
        assert {row[1][0] for row in rows if row[1]} == {7}
        assert {row[2][0] for row in rows if row[2]} == {7}
        before = rows
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
        assert raw_rows() == before  # idempotent: nothing rewritten the second time
    with override_settings(FIELD_ENCRYPTION_KEYS=f"7:{NEW_KEY}"):  # old key retired
        for resident in residents:
            fresh = Resident.objects.get(pk=resident.pk)
            assert (fresh.id_number, fresh.mobile) == (resident.id_number, resident.mobile)
        assert Resident.objects.get(name="无号码").id_number is None


def test_new_ids_still_searchable_after_rotation(city, people):
    from shequ.registry.selectors import resident_list

    resident = make_resident(make_household(city.units["A1a"]), id_number=new_id())
    with override_settings(
        FIELD_ENCRYPTION_KEYS=f"7:{NEW_KEY},{crypto.settings.FIELD_ENCRYPTION_KEYS}"
    ):
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
        assert list(resident_list(actor=people["grid_worker"], query=resident.id_number)) == [
            resident
        ]


def test_rotation_covers_other_phones_and_documents(city, people, settings):
    from shequ.registry.selectors import resident_list

    household = make_household(city.units["A1a"])
    landline = make_resident(household, name="王五", other_phone="0411-84567890")
    foreigner = make_resident(
        household,
        name="金敏俊",
        id_number=None,
        gender="male",
        residence_type="foreign",
        id_document_type="passport",
        id_document_number="M12345678",
    )

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT other_phone, id_document_number FROM registry_resident"
                " WHERE other_phone IS NOT NULL OR id_document_number IS NOT NULL"
            )
            return [bytes(v) for row in cursor.fetchall() for v in row if v is not None]

    assert len(raw()) == 2 and b"84567890" not in b"".join(raw())
    old_key = settings.FIELD_ENCRYPTION_KEYS
    with override_settings(FIELD_ENCRYPTION_KEYS=f"7:{NEW_KEY},{old_key}"):
        out = io.StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "registry.resident.other_phone: 1 rows" in out.getvalue()
        assert "registry.resident.id_document_number: 1 rows" in out.getvalue()
        assert {value[0] for value in raw()} == {7}
    with override_settings(FIELD_ENCRYPTION_KEYS=f"7:{NEW_KEY}"):  # old key retired
        assert Resident.objects.get(pk=landline.pk).other_phone == "0411-84567890"
        assert Resident.objects.get(pk=foreigner.pk).id_document_number == "M12345678"
        # Blind indexes do not depend on the field key: search still finds both.
        worker = people["grid_worker"]
        assert list(resident_list(actor=worker, query="0411-84567890")) == [landline]
        assert list(resident_list(actor=worker, query="M12345678")) == [foreigner]
