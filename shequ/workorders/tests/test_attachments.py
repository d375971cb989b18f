"""Work-order attachments: content-based type checks, EXIF removal through
every ingestion path, size and quota limits, storage names, scoped serving,
header safety, and the photo rule for closing on-site work. Files are made in
the test (no binary fixtures); MEDIA_ROOT is the session's temp dir."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.core.errors import InvalidInput
from shequ.core.tests.factories import login
from shequ.workorders.attachments import content_disposition
from shequ.workorders.choices import State
from shequ.workorders.models import Attachment, TimelineEntry, WorkOrder
from shequ.workorders.services import (
    workorder_add_note,
    workorder_resolve,
    workorder_start,
)
from shequ.workorders.tests.factories import category, dispatched, make_order, photo

pytestmark = pytest.mark.django_db
API = "/api/v1/workorders"

# --------------------------------------------------------------------------
# Files made on the spot
# --------------------------------------------------------------------------

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112


def jpeg_with_exif(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    """A 40×20 JPEG with GPS, make, model and a 90° orientation."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "EOS R5"
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    check = Image.open(io.BytesIO(data)).getexif()
    assert check.get_ifd(GPS_IFD) and check.get(MAKE) == "Canon"  # the fixture carries them
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 20_000) -> bytes:
    """A PNG that claims side×side pixels in a few hundred bytes."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side // 8 + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def mp4_bytes(extra: int = 200) -> bytes:
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return ftyp + struct.pack(">I", 8 + extra) + b"mdat" + b"\x00" * extra


def stored_bytes(attachment: Attachment) -> bytes:
    with default_storage.open(attachment.storage_name, "rb") as handle:
        return handle.read()


# --------------------------------------------------------------------------
# The ingestion paths: every way a file reaches a work order. A new path
# (the field app, imports…) is added here and gets every test below.
# --------------------------------------------------------------------------


@dataclass
class Path_:
    name: str
    send: Callable  # (client, city, people, files) -> response
    refused_status: int  # what a bad file answers on this path


def _order_in_progress(city, people) -> WorkOrder:
    worker = people["grid_worker"]
    order = dispatched(city.units["A1a"], worker, title="楼道堆物")
    return workorder_start(order=order, actor=worker)


def _web_create(client, city, people, files):
    login(client, people["grid_worker"])
    return client.post(
        reverse("workorders:report"),
        {
            "kind": "incident",
            "category": category("sanitation").pk,
            "area": city.units["A1a"].pk,
            "title": "垃圾堆积",
            "description": "3号楼下。",
            "channel": "grid_report",
            "files": files,
        },
    )


def _web_act(transition: str):
    def send(client, city, people, files):
        order = _order_in_progress(city, people)
        login(client, people["grid_worker"])
        return client.post(
            reverse("workorders:order_act", args=[order.pk, transition]),
            {"note": "已到现场", "public": "1", "files": files},
        )

    return send


def _api_create(client, city, people, files):
    login(client, people["grid_worker"])
    return client.post(
        f"{API}/multipart",
        {
            "kind": "incident",
            "category": "sanitation",
            "area_id": city.units["A1a"].pk,
            "title": "垃圾堆积",
            "description": "3号楼下。",
            "channel": "grid_report",
            "files": files,
        },
    )


def _api_note(client, city, people, files):
    order = _order_in_progress(city, people)
    login(client, people["grid_worker"])
    return client.post(
        f"{API}/{order.pk}/attachments", {"note": "已到现场", "public": "true", "files": files}
    )


INGESTION_PATHS = [
    Path_("web_create", _web_create, 400),
    Path_("web_note", _web_act("note"), 302),
    Path_("web_resolve", _web_act("resolve"), 302),
    Path_("api_create", _api_create, 400),
    Path_("api_note", _api_note, 400),
]
paths = pytest.mark.parametrize("path", INGESTION_PATHS, ids=lambda p: p.name)


# Which route each registry entry drives; a route taking files that is not
# here fails the test below.
ROUTE_OF_PATH = {
    "web_create": "report",
    "web_note": "order_act",
    "web_resolve": "order_act",
    "api_create": "order_create_multipart",
    "api_note": "order_attachments",
}


def test_every_ingestion_route_is_in_the_registry():
    import inspect

    from shequ.workorders import api, views

    assert {p.name for p in INGESTION_PATHS} == set(ROUTE_OF_PATH)
    api_with_files = {
        name
        for name, fn in vars(api).items()
        if inspect.isfunction(fn) and "File" in str(inspect.signature(fn))
    }
    web_with_files = {
        name
        for name, fn in vars(views).items()
        if inspect.isfunction(fn) and "FILES" in inspect.getsource(fn)
    }
    assert api_with_files | web_with_files <= {*ROUTE_OF_PATH.values(), "_fire"}
    assert api_with_files == {"order_create_multipart", "order_attachments"}


def _accepted(response):
    assert response.status_code in (200, 201, 302), response.content[:400]
    if response.status_code == 302:
        assert "/login" not in response["Location"]


@paths
def test_exif_and_gps_are_gone_through_every_path(client, city, people, path):
    response = path.send(client, city, people, [jpeg_with_exif()])
    _accepted(response)
    attachment = Attachment.objects.get()
    data = stored_bytes(attachment)
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif and MODEL not in exif
    assert b"Canon" not in data and b"EOS R5" not in data
    # exif_transpose applied the rotation before the tag was dropped
    assert (image.width, image.height) == (20, 40) == (attachment.width, attachment.height)
    assert attachment.kind == "photo" and attachment.content_type == "image/jpeg"
    assert attachment.area_path == attachment.order.area_path
    assert attachment.uploaded_by == people["grid_worker"]
    assert attachment.entry is not None and attachment.entry.order_id == attachment.order_id


def _refused(path, response):
    assert response.status_code == path.refused_status, response.content[:400]
    assert not Attachment.objects.exists()


@paths
def test_a_script_renamed_jpg_is_refused(client, city, people, path):
    php = SimpleUploadedFile("shell.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg")
    _refused(path, path.send(client, city, people, [php]))


@paths
def test_svg_with_script_is_refused(client, city, people, path):
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    )
    _refused(path, path.send(client, city, people, [svg]))


@paths
def test_html_is_refused(client, city, people, path):
    html = SimpleUploadedFile("a.png", b"<html><script>alert(1)</script></html>", "image/png")
    _refused(path, path.send(client, city, people, [html]))


@paths
def test_a_png_html_polyglot_is_stored_re_encoded(client, city, people, path):
    polyglot = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    upload = SimpleUploadedFile("p.png", polyglot, "image/png")
    _accepted(path.send(client, city, people, [upload]))
    data = stored_bytes(Attachment.objects.get())
    assert b"<html" not in data and b"<script" not in data
    assert Image.open(io.BytesIO(data)).format == "PNG"


@paths
def test_a_decompression_bomb_is_a_400_not_a_500(client, city, people, path):
    bomb = SimpleUploadedFile("big.png", png_bomb(), "image/png")
    assert bomb.size < 10_000
    _refused(path, path.send(client, city, people, [bomb]))


@paths
def test_an_oversized_photo_is_refused(client, city, people, path, settings):
    settings.SHEQU_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (1024 * 1024 + 10))
    _refused(path, path.send(client, city, people, [big]))


@pytest.mark.parametrize("path", INGESTION_PATHS[:1] + INGESTION_PATHS[3:4], ids=lambda p: p.name)
def test_the_daily_quota_answers_a_clear_message(client, city, people, path, settings):
    settings.SHEQU_UPLOAD_DAILY_MB = 1
    order = make_order(city.units["A1a"], people["grid_worker"])
    Attachment.objects.create(
        order=order,
        kind="photo",
        storage_name="workorders/earlier.jpg",
        content_type="image/jpeg",
        size=1024 * 1024,
        sha256="0" * 64,
        uploaded_by=people["grid_worker"],
        area_path=order.area_path,
    )
    response = path.send(client, city, people, [photo()])
    assert response.status_code == 400
    text = (
        response.json()["error"]["message"]
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )
    assert "今日上传已达上限" in text
    assert Attachment.objects.count() == 1


def test_a_short_video_is_stored_as_is_and_a_long_one_refused(client, city, people, settings):
    response = _api_note(client, city, people, [SimpleUploadedFile("clip.mov", mp4_bytes())])
    assert response.status_code == 200, response.content
    video = Attachment.objects.get()
    assert video.kind == "video" and video.content_type == "video/mp4" and video.width is None
    assert stored_bytes(video) == mp4_bytes() and video.storage_name.endswith(".mp4")
    settings.SHEQU_VIDEO_MAX_MB = 1
    long = SimpleUploadedFile("long.mp4", mp4_bytes(1024 * 1024))
    response = _api_note(client, city, people, [long])
    assert response.status_code == 400 and response.json()["error"]["fields"]
    assert Attachment.objects.count() == 1


def test_the_user_file_name_never_reaches_the_storage_path(client, city, people):
    upload = photo(name="../../x.py")
    _accepted(_api_note(client, city, people, [upload]))
    attachment = Attachment.objects.get()
    assert re.fullmatch(r"workorders/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", attachment.storage_name)
    assert attachment.original_name == "x.jpg"
    stored = Path(default_storage.path(attachment.storage_name)).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not (Path(settings.MEDIA_ROOT).parent / "x.py").exists()


# --------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------


def _photo_on_report(city, people) -> Attachment:
    make_order(city.units["A1a"], people["grid_worker"], files=[photo()])
    return Attachment.objects.get()


def test_download_in_scope_with_safe_headers(client, city, people):
    attachment = _photo_on_report(city, people)
    login(client, people["grid_worker"])
    response = client.get(reverse("workorders:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(attachment)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_download_out_of_scope_is_404_and_anonymous_goes_to_login(client, city, people):
    attachment = _photo_on_report(city, people)
    url = reverse("workorders:attachment_download", args=[attachment.pk])
    login(client, people["grid_worker_b"])
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("workorders:attachment_download", args=[999999])).status_code == 302


def test_a_file_name_cannot_inject_headers(client, city, people):
    attachment = _photo_on_report(city, people)
    Attachment.objects.filter(pk=attachment.pk).update(
        original_name='a"\r\nSet-Cookie: pwned=1\r\n\r\n<html>.jpg'
    )
    login(client, people["grid_worker"])
    response = client.get(reverse("workorders:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2  # only the fallback's own quotes
    assert "pwned" not in response.cookies
    header = content_disposition('名"字\r\n.jpg')
    assert header.startswith('inline; filename="') and "%E5%90%8D" in header


def test_ingestion_sanitises_the_display_name(client, city, people):
    upload = photo(name='evil"\r\nX-Injected: 1.jpg')
    _accepted(_api_note(client, city, people, [upload]))
    name = Attachment.objects.get().original_name
    assert "\r" not in name and "\n" not in name and '"' not in name


def test_residents_see_files_of_public_entries_only(client, city, people):
    resident, worker = people["resident"], people["grid_worker"]
    order = dispatched(city.units["A1a"], worker, resident)
    order = workorder_start(order=order, actor=worker)
    workorder_add_note(order=order, actor=worker, note="公开", files=[photo("a.jpg")])
    workorder_add_note(order=order, actor=worker, note="内部", public=False, files=[photo("b.jpg")])
    public, internal = Attachment.objects.order_by("id")
    login(client, resident)
    url = reverse("workorders:attachment_download", args=[public.pk])
    assert client.get(url).status_code == 200
    url = reverse("workorders:attachment_download", args=[internal.pk])
    assert client.get(url).status_code == 404
    detail = client.get(f"{API}/{order.pk}").json()
    assert [a["id"] for a in detail["attachments"]] == [public.pk]
    assert detail["attachments"][0]["url"] == reverse(
        "workorders:attachment_download", args=[public.pk]
    )
    assert "storage_name" not in detail["attachments"][0]
    assert public.storage_name not in str(detail)
    page = client.get(reverse("workorders:order_detail", args=[order.pk])).content.decode()
    assert f"/workorders/attachments/{public.pk}/" in page
    assert f"/workorders/attachments/{internal.pk}/" not in page
    login(client, worker)
    assert len(client.get(f"{API}/{order.pk}").json()["attachments"]) == 2


def test_the_api_attachments_route_is_scoped(client, city, people):
    order = _order_in_progress(city, people)
    login(client, people["grid_worker_b"])
    response = client.post(f"{API}/{order.pk}/attachments", {"note": "x", "files": [photo()]})
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_forms_offer_the_phone_camera(client, city, people):
    order = _order_in_progress(city, people)
    login(client, people["grid_worker"])
    page = client.get(reverse("workorders:order_detail", args=[order.pk])).content.decode()
    assert page.count('capture="environment"') == 2 and 'enctype="multipart/form-data"' in page
    page = client.get(reverse("workorders:report")).content.decode()
    assert 'accept="image/*,video/*"' in page and 'enctype="multipart/form-data"' in page


# --------------------------------------------------------------------------
# Closing on-site work needs a photo
# --------------------------------------------------------------------------


def test_default_catalog_marks_on_site_categories():
    assert category("sanitation").requires_photo_on_resolve
    assert category("fire_risk").requires_photo_on_resolve
    assert category("repairs").requires_photo_on_resolve
    assert not category("consultation").requires_photo_on_resolve


def test_resolving_on_site_work_needs_a_photo(city, people):
    worker = people["grid_worker"]
    order = _order_in_progress(city, people)
    with pytest.raises(InvalidInput) as refused:
        workorder_resolve(order=order, actor=worker, note="已清理")
    assert refused.value.code == "photo_required" and "现场照片" in str(refused.value.message)
    assert WorkOrder.objects.get(pk=order.pk).state == State.IN_PROGRESS
    video = SimpleUploadedFile("v.mp4", mp4_bytes())
    with pytest.raises(InvalidInput):
        workorder_resolve(order=order, actor=worker, note="已清理", files=[video])
    order = workorder_resolve(order=order, actor=worker, note="已清理", files=[photo()])
    assert order.state == State.RESOLVED
    entry = TimelineEntry.objects.get(order=order, kind="resolved")
    assert entry.attachments.count() == 1


def test_a_photo_on_a_note_since_the_start_counts(client, city, people):
    worker = people["grid_worker"]
    order = _order_in_progress(city, people)
    workorder_add_note(order=order, actor=worker, note="现场", files=[photo()])
    login(client, worker)
    response = client.post(
        f"{API}/{order.pk}/resolve", '{"note": "已清理"}', content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == State.RESOLVED


def test_web_resolve_without_a_photo_is_refused_with_a_message(client, city, people):
    order = _order_in_progress(city, people)
    login(client, people["grid_worker"])
    response = client.post(
        reverse("workorders:order_act", args=[order.pk, "resolve"]), {"note": "已清理"}, follow=True
    )
    assert "现场照片" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).state == State.IN_PROGRESS


def test_a_consultation_resolves_without_a_photo(city, people):
    worker = people["grid_worker"]
    order = dispatched(city.units["A1a"], worker, kind="service_order", code="consultation")
    order = workorder_start(order=order, actor=worker)
    assert workorder_resolve(order=order, actor=worker, note="已答复").state == State.RESOLVED
