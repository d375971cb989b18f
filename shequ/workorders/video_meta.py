"""Removing metadata from MP4/MOV videos without transcoding (no ffmpeg).

An ISO base media file is a tree of boxes. A phone writes where and with
what a clip was shot into metadata boxes: ``udta`` (Android's ``©xyz`` GPS,
``©mak``/``©mod`` device), ``meta`` (the iPhone's
``com.apple.quicktime.location.ISO6709``, make, model, software) and XMP in a
``uuid`` box. Each of those is turned, in place, into a ``free`` box of the
same size with zeroed content: no other byte moves, so the sample offsets
(``stco``/``co64``) stay valid and the video plays as before.
"""

from __future__ import annotations

import struct

# Boxes whose children are boxes (where metadata may sit).
CONTAINERS = {
    b"moov",
    b"trak",
    b"mdia",
    b"minf",
    b"dinf",
    b"stbl",
    b"edts",
    b"mvex",
    b"moof",
    b"traf",
}
METADATA = {b"udta", b"meta", b"Xtra"}
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")


class Malformed(ValueError):
    """The box structure does not add up."""


def _boxes(data: bytearray, start: int, end: int):
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if offset + 16 > end:
                raise Malformed("truncated large box")
            size = struct.unpack_from(">Q", data, offset + 8)[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise Malformed(f"bad box size at {offset}")
        yield offset, header, size, bytes(kind)
        offset += size
    if offset != end and end - offset >= 8:
        raise Malformed("trailing bytes")


def _blank(data: bytearray, offset: int, header: int, size: int) -> None:
    """Make the box a ``free`` box of the same size, content zeroed (the type
    sits at bytes 4–8 of the header, also for a 64-bit ``largesize`` box)."""
    data[offset + 4 : offset + 8] = b"free"
    data[offset + header : offset + size] = bytes(size - header)


def _walk(data: bytearray, start: int, end: int, depth: int) -> int:
    if depth > 16:
        raise Malformed("boxes nested too deep")
    removed = 0
    for offset, header, size, kind in _boxes(data, start, end):
        body = offset + header
        if kind in METADATA or (kind == b"uuid" and bytes(data[body : body + 16]) == XMP_UUID):
            _blank(data, offset, header, size)
            removed += 1
        elif kind in CONTAINERS:
            removed += _walk(data, body, offset + size, depth + 1)
    return removed


def strip_metadata(data: bytes) -> tuple[bytes, int]:
    """The video with its metadata boxes blanked, and how many were; raises
    ``Malformed`` when the file is not a sound box tree."""
    buffer = bytearray(data)
    removed = _walk(buffer, 0, len(buffer), 0)
    return bytes(buffer), removed
