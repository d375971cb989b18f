"""Video metadata (SECURITY.md row 38): a phone clip's GPS and device boxes
are blanked before storage, every other byte stays where it was."""

import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.errors import InvalidInput
from shequ.workorders.media import prepare
from shequ.workorders.video_meta import XMP_UUID, Malformed, strip_metadata

GPS = b"+38.9140+121.6147/"


def box(kind: bytes, body: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def phone_clip() -> bytes:
    """ftyp, a moov with Android's ©xyz in udta, an iPhone-style meta in the
    track, XMP in a uuid box, and the media data."""
    udta = box(b"udta", box(b"\xa9xyz", GPS) + box(b"\xa9mod", b"Pixel 8"))
    meta = box(b"meta", b"\x00" * 4 + box(b"keys", b"com.apple.quicktime.location.ISO6709"))
    trak = box(b"trak", box(b"tkhd", b"\x00" * 84) + meta)
    moov = box(b"moov", box(b"mvhd", b"\x00" * 100) + trak + udta)
    xmp = box(b"uuid", XMP_UUID + b"<x:xmpmeta>" + GPS + b"</x:xmpmeta>")
    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + moov + xmp + box(b"mdat", b"\x01" * 64)
    )


def test_gps_and_device_boxes_are_blanked_in_place():
    data = phone_clip()
    clean, removed = strip_metadata(data)
    assert removed == 3 and len(clean) == len(data)
    assert GPS not in clean and b"Pixel 8" not in clean and b"ISO6709" not in clean
    assert clean.endswith(box(b"mdat", b"\x01" * 64))  # the samples did not move


def test_every_upload_path_stores_the_clean_video():
    prepared = prepare(SimpleUploadedFile("clip.mp4", phone_clip(), content_type="video/mp4"))
    assert prepared.detected.kind == "video" and GPS not in prepared.data


def test_a_broken_box_tree_is_a_clear_error():
    broken = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I4s", 9999, b"moov")
    with pytest.raises(Malformed):
        strip_metadata(broken)
    with pytest.raises(InvalidInput):
        prepare(SimpleUploadedFile("clip.mp4", broken + b"\x00" * 16))
