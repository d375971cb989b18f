"""Ingesting photos and short videos for work orders: the one function every
path calls (the web forms, the API, later the field app and imports).

What it guarantees, whatever the file claims to be:

* the type comes from the content (magic bytes), never from the name or the
  declared content type: JPEG, PNG and WebP photos; MP4/MOV videos (an ISO
  base media ``ftyp`` box with a known brand). Everything else (HTML, SVG, a
  script renamed ``.jpg``) is refused;
* photos are decoded and re-encoded with Pillow after ``exif_transpose``, so
  the stored bytes are a clean image without EXIF (GPS, make and model gone)
  and without anything appended to the original (a PNG followed by HTML);
  ``Image.MAX_IMAGE_PIXELS`` is lowered and a decompression bomb is a clear
  400, not a 500;
* sizes are checked on ``UploadedFile.size`` before the file is read:
  ``SHEQU_PHOTO_MAX_MB`` (10) and ``SHEQU_VIDEO_MAX_MB`` (50), and a per-user
  daily quota ``SHEQU_UPLOAD_DAILY_MB`` (200);
* the file is stored through ``default_storage`` under
  ``workorders/<yyyy>/<mm>/<uuid>.<ext>``; the user's file name is kept,
  sanitised, only for display.

Videos are not transcoded (no ffmpeg here), but their metadata boxes (a
phone's GPS and device in ``udta``/``meta``/XMP) are blanked in place by
``video_meta.strip_metadata`` before storage, so the stored bytes carry no
location while every sample offset stays valid. Staff-only or public visibility
follows the timeline entry they come with.

Storage: local files under MEDIA_ROOT by default; an S3-compatible bucket is
configured through Django's ``STORAGES["default"]`` (e.g. django-storages'
``S3Storage`` with a private ACL) without a change here. Files are never
served from MEDIA_URL: ``views.attachment_download`` checks scope first.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shequ.core.errors import InvalidInput
from shequ.core.models import User
from shequ.workorders.models import Attachment, AttachmentKind, TimelineEntry, WorkOrder

MB = 1024 * 1024
STORAGE_PREFIX = "workorders"
MAX_FILES = 9
# A phone photo is 12-50 megapixels; anything above this is refused before
# it is decoded (Pillow raises DecompressionBombError at twice the limit and
# warns above it; both are refused here).
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
    b"qt  ", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"MSNV", b"XAVC",
}  # fmt: skip


def photo_max_bytes() -> int:
    return int(getattr(settings, "SHEQU_PHOTO_MAX_MB", 10)) * MB


def video_max_bytes() -> int:
    return int(getattr(settings, "SHEQU_VIDEO_MAX_MB", 50)) * MB


def daily_quota_bytes() -> int:
    return int(getattr(settings, "SHEQU_UPLOAD_DAILY_MB", 200)) * MB


@dataclass
class Detected:
    kind: str
    content_type: str
    ext: str


def sniff(head: bytes) -> Detected | None:
    """The type from the first bytes of the file, or None when not allowed."""
    if head.startswith(b"\xff\xd8\xff"):
        return Detected(AttachmentKind.PHOTO, "image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(AttachmentKind.PHOTO, "image/png", "png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected(AttachmentKind.PHOTO, "image/webp", "webp")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return Detected(AttachmentKind.VIDEO, "video/quicktime", "mov")
        if brand in VIDEO_BRANDS:
            return Detected(AttachmentKind.VIDEO, "video/mp4", "mp4")
    return None


_UNSAFE = re.compile(r"[^\w.\- ()（）]+", re.UNICODE)


def clean_filename(name: str | None, ext: str) -> str:
    """The user's file name for display: no path, no control characters, no
    quotes, at most 100 characters; the extension is the detected one."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:100] or "file"
    return f"{stem}.{ext}"


def _too_large(limit: int) -> InvalidInput:
    return InvalidInput(
        _("文件过大，不能超过 %(mb)s MB。") % {"mb": limit // MB}, field="files", code="too_large"
    )


def _reencode(data: bytes, detected: Detected) -> tuple[bytes, str, str, int, int]:
    """Decode and re-encode a photo: rotation applied, no metadata kept."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(
                    _("图片像素过多（上限 %(mp)s 百万像素）。") % {"mp": MAX_PIXELS // 1_000_000},
                    field="files",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if detected.content_type == "image/png":
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, format="PNG", optimize=True)
                content_type, ext = "image/png", "png"
            else:
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, format="JPEG", quality=85, optimize=True)
                content_type, ext = "image/jpeg", "jpg"
            return out.getvalue(), content_type, ext, image.width, image.height
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(
            _("图片像素过多（上限 %(mp)s 百万像素）。") % {"mp": MAX_PIXELS // 1_000_000},
            field="files",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(_("图片已损坏或格式不受支持。"), field="files") from exc


@dataclass
class Prepared:
    """A file checked and ready to store (before any database write)."""

    detected: Detected
    data: bytes
    original_name: str
    content_type: str
    width: int | None
    height: int | None


def _strip_video(data: bytes) -> bytes:
    """GPS and device metadata blanked in place (``video_meta``); a box tree
    that does not add up is refused as a damaged file."""
    from shequ.workorders.video_meta import Malformed, strip_metadata

    try:
        return strip_metadata(data)[0]
    except Malformed as exc:
        raise InvalidInput(
            _("视频文件已损坏，无法读取。"), field="files", code="file_type"
        ) from exc


def prepare(upload) -> Prepared:
    """Check one uploaded file (a Django ``UploadedFile``) and return the bytes
    to store. Raises InvalidInput with a clear message otherwise."""
    size = getattr(upload, "size", None) or 0
    if size > max(photo_max_bytes(), video_max_bytes()):
        raise _too_large(max(photo_max_bytes(), video_max_bytes()))
    upload.seek(0)
    head = upload.read(32)
    detected = sniff(head)
    if detected is None:
        raise InvalidInput(
            _("只能上传 JPEG、PNG、WebP 照片或 MP4、MOV 视频。"), field="files", code="file_type"
        )
    limit = photo_max_bytes() if detected.kind == AttachmentKind.PHOTO else video_max_bytes()
    if size > limit:
        raise _too_large(limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    width = height = None
    content_type = detected.content_type
    if detected.kind == AttachmentKind.PHOTO:
        data, content_type, ext, width, height = _reencode(data, detected)
        detected = Detected(detected.kind, content_type, ext)
    else:
        data = _strip_video(data)
    return Prepared(
        detected=detected,
        data=data,
        original_name=clean_filename(getattr(upload, "name", ""), detected.ext),
        content_type=content_type,
        width=width,
        height=height,
    )


def used_today(user: User | None) -> int:
    if user is None:
        return 0
    since = timezone.now() - timedelta(days=1)
    return (
        Attachment.objects.filter(uploaded_by=user, created_at__gte=since).aggregate(
            total=Sum("size")
        )["total"]
        or 0
    )


def prepare_all(files, user: User | None) -> list[Prepared]:
    """Check every file of one submission, and the uploader's daily quota, before
    anything is written."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_FILES:
        raise InvalidInput(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES}, field="files")
    prepared = [prepare(f) for f in files]
    incoming = sum(len(p.data) for p in prepared)
    if prepared and used_today(user) + incoming > daily_quota_bytes():
        raise InvalidInput(
            _("今日上传已达上限（%(mb)s MB），请明天再传。") % {"mb": daily_quota_bytes() // MB},
            field="files",
            code="quota",
        )
    return prepared


def store(
    prepared: list[Prepared], *, order: WorkOrder, entry: TimelineEntry | None, user: User | None
) -> list[Attachment]:
    """Write checked files to storage and record them. Call inside the
    transition's transaction; a file written for a rolled-back transaction is
    an orphan in storage (harmless: nothing points to it)."""
    rows = []
    now = timezone.now()
    for item in prepared:
        name = f"{STORAGE_PREFIX}/{now:%Y/%m}/{uuid.uuid4().hex}.{item.detected.ext}"
        saved = default_storage.save(name, ContentFile(item.data))
        rows.append(
            Attachment.objects.create(
                order=order,
                entry=entry,
                kind=item.detected.kind,
                storage_name=saved,
                original_name=item.original_name,
                content_type=item.content_type,
                size=len(item.data),
                width=item.width,
                height=item.height,
                sha256=hashlib.sha256(item.data).hexdigest(),
                uploaded_by=user,
                created_at=now,
                area_path=order.area_path,
            )
        )
    return rows


def ingest(
    files, *, order: WorkOrder, entry: TimelineEntry | None, user: User | None
) -> list[Attachment]:
    """Check and store the files of one submission: the one entry point."""
    return store(prepare_all(files, user), order=order, entry=entry, user=user)
