"""Field encryption, blind index and masking (SECURITY.md row 22, 23)."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shequ.core import crypto

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def test_development_key_is_32_bytes(settings):
    version, keys = crypto._parse_keys(settings.FIELD_ENCRYPTION_KEYS)
    assert version == 1
    assert len(base64.b64decode(settings.FIELD_ENCRYPTION_KEYS.split(":", 1)[1])) == 32


def test_round_trip_and_layout():
    data = crypto.encrypt("210202199001011234")
    assert data[0] == 1  # key version
    assert len(data) == 1 + 12 + len("210202199001011234") + 16
    assert crypto.decrypt(data) == "210202199001011234"
    assert crypto.decrypt(memoryview(data)) == "210202199001011234"
    assert crypto.decrypt(crypto.encrypt("张三 ☺")) == "张三 ☺"


def test_equal_plaintexts_give_different_ciphertexts():
    assert crypto.encrypt("13800000000") != crypto.encrypt("13800000000")


@pytest.mark.parametrize("position", [0, 1, 12, 13, 20, -1])
def test_any_flipped_byte_raises_invalid_tag(position):
    data = bytearray(crypto.encrypt("210202199001011234"))
    data[position] ^= 0x01
    with pytest.raises(InvalidTag):
        crypto.decrypt(bytes(data))


def test_truncated_value_raises_invalid_tag():
    with pytest.raises(InvalidTag):
        crypto.decrypt(crypto.encrypt("x")[:20])


def test_first_key_encrypts_all_keys_decrypt():
    with override_settings(FIELD_ENCRYPTION_KEYS=f"1:{KEY_A}"):
        old = crypto.encrypt("secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=f"2:{KEY_B},1:{KEY_A}"):
        new = crypto.encrypt("secret")
        assert new[0] == 2 and crypto.current_key_version() == 2
        assert crypto.decrypt(old) == crypto.decrypt(new) == "secret"
    with override_settings(FIELD_ENCRYPTION_KEYS=f"2:{KEY_B}"), pytest.raises(InvalidTag):
        crypto.decrypt(old)  # the retired key is gone


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "1",
        "x:" + KEY_A,
        "1:" + base64.b64encode(b"short").decode(),
        f"1:{KEY_A},1:{KEY_B}",
        "0:" + KEY_A,
        "1:not base64!",
    ],
)
def test_bad_key_configuration_is_refused(spec):
    with override_settings(FIELD_ENCRYPTION_KEYS=spec), pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_blind_index_is_keyed_normalised_and_purpose_separated():
    index = crypto.blind_index("21020219900101123X", "id_number")
    assert len(index) == 64 and int(index, 16) >= 0
    assert crypto.blind_index(" ２１０２０２１９９００１０１１２３x ", "id_number") == index
    assert crypto.blind_index("21020219900101123X", "mobile") != index
    with override_settings(BLIND_INDEX_KEY="another-key"):
        assert crypto.blind_index("21020219900101123X", "id_number") != index


def test_masking():
    assert crypto.mask_id_number("210202199001011234") == "2102**********1234"
    assert crypto.mask_id_number("21020219900101123X") == "2102**********123X"
    assert crypto.mask_id_number("") == ""
    assert crypto.mask_id_number("1234") == "****"
    assert crypto.mask_mobile("13812345678") == "138****5678"
