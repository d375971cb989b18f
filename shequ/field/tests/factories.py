"""Field test data, built through the real services (importable by other apps' tests)."""

from __future__ import annotations

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.field.services import visit_record
from shequ.registry.models import KeyPopulationTag
from shequ.registry.services import resident_tag_add
from shequ.registry.tests.factories import make_household, make_resident


def household_with(unit, *, name: str = "王大爷", tag: str | None = None, room: str | None = None):
    """A household in ``unit`` whose head may carry a key-population tag."""
    household = make_household(unit, room=room)
    head = make_resident(household, name=name, relation_to_head="head")
    if tag:
        resident_tag_add(actor=None, resident=head, tag=KeyPopulationTag.objects.get(code=tag))
    household.refresh_from_db()
    return household


def gps_photo(name: str = "门口.jpg") -> SimpleUploadedFile:
    """A JPEG carrying GPS coordinates and a phone model in its EXIF."""
    image = Image.new("RGB", (40, 30), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x8825] = {1: "N", 2: (38.0, 55.0, 0.0), 3: "E", 4: (121.0, 37.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def visit(actor, household, *, payload: dict | None = None, photos=None, client_id=None):
    return visit_record(
        actor=actor,
        household_id=household.pk,
        client_id=client_id or uuid.uuid4(),
        payload={"outcome": "met", "met": "户主本人", **(payload or {})},
        photos=photos,
    ).visit


def ensure_defaults() -> None:
    """Transactional tests flush the tables, and the default data of the
    migrations with them (key-population tags, categories, visit rules)."""
    import importlib

    from django.apps import apps

    from shequ.workorders.tests.factories import ensure_default_categories

    importlib.import_module("shequ.registry.migrations.0002_default_tags").add_tags(apps, None)
    ensure_default_categories()
    importlib.import_module("shequ.field.migrations.0002_default_visit_rules").add_defaults(
        apps, None
    )
