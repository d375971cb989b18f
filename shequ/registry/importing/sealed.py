"""Import files at rest: the uploaded ledger and the rejected rows hold full ID
numbers, so they are only ever stored encrypted (AES-256-GCM under the field
key, in chunks: :func:`shequ.core.crypto.encrypt_stream`; SECURITY.md rows 22, 26).

* :func:`save_encrypted` encrypts a file object into private storage through a
  temporary file of ciphertext, so memory stays flat whatever the file's size.
* :func:`open_decrypted` gives the readers (openpyxl needs to seek) a temporary
  file of plaintext, removed when the ``with`` block ends, whatever happens.
* :func:`decrypted_chunks` streams the plaintext for a download.

A stored file that is not our ciphertext (or was altered) raises ``InvalidTag``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from shequ.core.crypto import (
    FILE_CHUNK,
    decrypt_stream,
    encrypt_stream,
    iter_decrypt_stream,
)

TEMP_PREFIX = "shequ-import-"
_OVERHEAD_HEADER = 12  # magic, key version, nonce prefix
_OVERHEAD_CHUNK = 16  # the GCM tag of each chunk


def save_encrypted(name: str, source: IO[bytes]) -> str:
    """Encrypt ``source`` (read from where it stands to its end) into storage
    under ``name``; returns the name storage chose."""
    with tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX, suffix=".enc") as sealed:
        encrypt_stream(source, sealed)
        sealed.flush()
        sealed.seek(0)
        return default_storage.save(name, File(sealed, name=name))


@contextmanager
def open_decrypted(name: str) -> Iterator[IO[bytes]]:
    """The plaintext of stored file ``name`` as a seekable temporary file."""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    with (
        default_storage.open(name, "rb") as stored,
        tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX, suffix=suffix) as plain,
    ):
        decrypt_stream(stored, plain)
        plain.flush()
        plain.seek(0)
        yield plain


def plain_size(name: str) -> int:
    """The plaintext size of a stored encrypted file, from its ciphertext size."""
    body = default_storage.size(name) - _OVERHEAD_HEADER
    chunks = max(1, -(-body // (FILE_CHUNK + _OVERHEAD_CHUNK)))
    return max(0, body - chunks * _OVERHEAD_CHUNK)


def decrypted_chunks(name: str) -> Iterator[bytes]:
    """The plaintext of ``name`` chunk by chunk, for a streaming response.

    The first chunk is decrypted before this returns, so a missing key or a
    damaged file raises here (before any byte is sent); the stored file is
    closed when the iterator ends or is closed."""
    stored = default_storage.open(name, "rb")
    try:
        chunks = iter_decrypt_stream(stored)
        first = next(chunks)
    except BaseException:
        stored.close()
        raise

    def body() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            stored.close()

    return body()
