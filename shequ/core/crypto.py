"""Personal-data protection at rest (DESIGN decision 3, SECURITY.md row 22).

* **Field encryption.** AES-256-GCM with a random 12-byte nonce. The stored
  value is ``version (1 byte) | nonce (12 bytes) | ciphertext + tag``. Keys
  come from ``settings.FIELD_ENCRYPTION_KEYS`` ("version:base64key,…", each key
  32 bytes): the first encrypts, every listed key decrypts. The version byte
  says which key wrote a value, so a new key can be put first and old rows
  re-encrypted at leisure with ``manage.py rotate_field_keys``.
* **Blind index.** A keyed HMAC-SHA256 of the normalised value, separated by
  purpose ("id_number", "mobile"), so exact lookup and de-duplication work
  without decrypting anything. Changing ``BLIND_INDEX_KEY`` means recomputing
  every index (not needed for a field-key rotation).
* **Masking.** What screens, exports and API responses show by default.

Any tampering (one flipped byte, an unknown key version, a truncated value)
raises ``cryptography.exceptions.InvalidTag``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from shequ.core.phones import mask_mobile

__all__ = [
    "EncryptedTextField",
    "InvalidTag",
    "blind_index",
    "current_key_version",
    "decrypt",
    "encrypt",
    "encrypted_fields",
    "key_version_of",
    "mask_id_number",
    "mask_mobile",
    "normalize_for_index",
]

NONCE_BYTES = 12
KEY_BYTES = 32
_HEADER = 1 + NONCE_BYTES
_TAG_BYTES = 16
_NOISE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]")


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[int, dict[int, AESGCM]]:
    """``"2:base64,1:base64"`` → (2, {2: AESGCM, 1: AESGCM}); cached per setting value,
    so tests that override the setting get fresh keys."""
    keys: dict[int, AESGCM] = {}
    first: int | None = None
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        version_text, sep, key_text = item.partition(":")
        try:
            version = int(version_text)
            key = base64.b64decode(key_text, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS: expected 'version:base64key'."
            ) from exc
        if not sep or not 1 <= version <= 255:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS: key versions are 1..255.")
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {version} is not {KEY_BYTES} bytes."
            )
        if version in keys:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key version {version} listed twice."
            )
        keys[version] = AESGCM(key)
        first = version if first is None else first
    if first is None:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return first, keys


def _keys() -> tuple[int, dict[int, AESGCM]]:
    return _parse_keys(settings.FIELD_ENCRYPTION_KEYS)


def current_key_version() -> int:
    return _keys()[0]


def encrypt(text: str) -> bytes:
    """Encrypt ``text`` under the current key; equal inputs give different bytes."""
    version, keys = _keys()
    nonce = os.urandom(NONCE_BYTES)
    return bytes([version]) + nonce + keys[version].encrypt(nonce, text.encode("utf-8"), None)


def key_version_of(data: bytes) -> int:
    return data[0] if data else 0


def decrypt(data: bytes | memoryview) -> str:
    """The plaintext of a value written by :func:`encrypt`; ``InvalidTag`` if it was altered."""
    data = bytes(data)
    if len(data) < _HEADER + _TAG_BYTES:
        raise InvalidTag()
    key = _keys()[1].get(data[0])
    if key is None:  # an unknown version is as untrustworthy as a bad tag
        raise InvalidTag()
    return key.decrypt(data[1:_HEADER], data[_HEADER:], None).decode("utf-8")


def normalize_for_index(text: str) -> str:
    """Full-width to half-width, no whitespace, upper case: "２１０…x " → "210…X"."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).upper()


@lru_cache(maxsize=32)
def _purpose_key(secret: str, purpose: str) -> bytes:
    return hmac.new(
        secret.encode("utf-8"), b"shequ-blind-index:" + purpose.encode(), hashlib.sha256
    ).digest()


def blind_index(text: str, purpose: str) -> str:
    """Keyed hash (hex, 64 chars) of the normalised ``text``. Callers normalise
    the value to its canonical form first (a validated ID, a normalised mobile);
    ``purpose`` keeps an ID and a phone with the same digits apart."""
    key = _purpose_key(settings.BLIND_INDEX_KEY, purpose)
    return hmac.new(key, normalize_for_index(text).encode("utf-8"), hashlib.sha256).hexdigest()


def mask_id_number(value: str | None) -> str:
    """'210202199001011234' → '2102**********1234': region prefix and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


class EncryptedTextField(models.BinaryField):
    """A text value stored encrypted (AES-256-GCM) in a binary column.

    Python code sees ``str``; the database sees only ciphertext. The column
    cannot be searched or ordered: pair it with a blind-index field for exact
    lookup. Only ``isnull`` lookups are allowed.
    """

    description = "Text encrypted at rest with AES-256-GCM"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("editable") is True:
            del kwargs["editable"]
        return name, path, args, kwargs

    def get_default(self):
        default = super().get_default()
        return None if default == b"" else default

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bytes | memoryview):
            return decrypt(value)
        return str(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, bytes | memoryview):  # already ciphertext (key rotation)
            return bytes(value)
        return encrypt(str(value))

    def value_to_string(self, obj):
        # Serialisers (dumpdata) never get the plaintext.
        return "<encrypted>"

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # Django then raises FieldError: search through the blind index
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted field of every installed model: the registry that key
    rotation walks. A model is registered by declaring the field."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


def reencrypt_model_field(
    model: type[models.Model], field: EncryptedTextField, *, batch: int = 1000
) -> int:
    """Re-encrypt every value of ``field`` not yet under the current key version.

    Reads and writes raw column bytes in primary-key order, a batch at a time,
    so rows already rotated are skipped (the command is idempotent and may be
    interrupted and run again). Returns the number of rows rewritten.
    """
    from django.db import connections, router, transaction

    alias = router.db_for_write(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    version = current_key_version()
    last_pk: Any = None
    changed = 0
    while True:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            where = f"{column} IS NOT NULL" + (f" AND {pk} > %s" if last_pk is not None else "")
            params = [last_pk] if last_pk is not None else []
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s",  # noqa: S608  (quoted identifiers only)
                [*params, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            for row_pk, raw in rows:
                raw = bytes(raw)
                if key_version_of(raw) != version:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [encrypt(decrypt(raw)), row_pk],
                    )
                    changed += 1
            last_pk = rows[-1][0]


# --- Files at rest (SECURITY.md rows 22, 26) -------------------------------
#
# Files such as an uploaded ledger are encrypted in chunks so neither writing
# nor reading holds the whole file in memory. The layout follows the STREAM
# construction (Hoang et al., 2015) over AES-256-GCM:
#
#   header  = b"SQF1" | key version (1 byte) | nonce prefix (7 random bytes)
#   chunk i = AESGCM(prefix | i as 4 bytes | last flag (1 byte), plaintext_i, aad=header)
#
# Every chunk but the last holds exactly FILE_CHUNK bytes of plaintext; the
# last holds 0..FILE_CHUNK bytes and carries the last flag. A flipped byte,
# reordered or dropped chunks, a truncated file or an unknown key version all
# raise ``InvalidTag``; a file that does not start with the magic raises it too.

FILE_MAGIC = b"SQF1"
FILE_CHUNK = 64 * 1024
_FILE_PREFIX = 7
_FILE_HEADER = len(FILE_MAGIC) + 1 + _FILE_PREFIX


def _chunk_nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 2**32:
        raise ValueError("file too large to encrypt")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _read_exactly(source, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        part = source.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def is_encrypted_file(head: bytes) -> bool:
    """Does ``head`` (the first bytes of a file) start like :func:`encrypt_stream` output?"""
    return head[: len(FILE_MAGIC)] == FILE_MAGIC


def encrypt_stream(source, target) -> None:
    """Read ``source`` (binary file object) to its end and write its encryption
    under the current key to ``target``, one chunk at a time."""
    version, keys = _keys()
    key = keys[version]
    prefix = os.urandom(_FILE_PREFIX)
    header = FILE_MAGIC + bytes([version]) + prefix
    target.write(header)
    index = 0
    pending = _read_exactly(source, FILE_CHUNK)
    while True:
        following = _read_exactly(source, FILE_CHUNK) if len(pending) == FILE_CHUNK else b""
        last = not following
        target.write(key.encrypt(_chunk_nonce(prefix, index, last), pending, header))
        if last:
            return
        pending, index = following, index + 1


def iter_decrypt_stream(source):
    """Yield the plaintext of a file written by :func:`encrypt_stream`, chunk by
    chunk, each one authenticated before it is yielded."""
    header = _read_exactly(source, _FILE_HEADER)
    if len(header) < _FILE_HEADER or not is_encrypted_file(header):
        raise InvalidTag()
    key = _keys()[1].get(header[len(FILE_MAGIC)])
    if key is None:
        raise InvalidTag()
    prefix = header[len(FILE_MAGIC) + 1 :]
    size = FILE_CHUNK + _TAG_BYTES
    index = 0
    current = _read_exactly(source, size)
    while True:
        if len(current) < _TAG_BYTES:
            raise InvalidTag()  # truncated
        following = _read_exactly(source, size) if len(current) == size else b""
        last = not following
        yield key.decrypt(_chunk_nonce(prefix, index, last), current, header)
        if last:
            return
        current, index = following, index + 1


def decrypt_stream(source, target) -> None:
    """Write the plaintext of ``source`` (see :func:`encrypt_stream`) to ``target``."""
    for chunk in iter_decrypt_stream(source):
        target.write(chunk)


def encrypt_bytes(data: bytes) -> bytes:
    """:func:`encrypt_stream` for a small value held in memory."""
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out)
    return out.getvalue()


def decrypt_bytes(data: bytes) -> bytes:
    """:func:`decrypt_stream` for a small value held in memory."""
    return b"".join(iter_decrypt_stream(io.BytesIO(data)))
