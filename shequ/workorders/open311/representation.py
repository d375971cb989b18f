"""What Open311 shows of the catalog and of a work order. Never the
reporter's name, phone or e-mail: a service request carries the case, its
place and its progress only."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from shequ.workorders.choices import Kind, State
from shequ.workorders.models import Category, TimelineEntry, WorkOrder

# media_url has no column of its own: it travels as the description's last line.
MEDIA_MARK = "\n\nmedia_url: "
_MEDIA_LINE = re.compile(r"\n\nmedia_url: (\S+)\Z")

LOCATION_RULE = (
    "Location: address_id is required and must be the id of a Shequ area "
    "(grid, estate, building or unit) within the api_key account's scope; "
    "lat/long and address_string are stored with it, never used alone."
)


def kind_for(category: Category) -> str:
    """The kind of work order an Open311 request in ``category`` becomes."""
    for kind in (Kind.INCIDENT, Kind.SERVICE_ORDER, Kind.HOTLINE):
        if category.applies_to(kind):
            return kind
    return Kind.INCIDENT


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name}. {LOCATION_RULE}",
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.kinds or Kind.values),
        "group": kind_for(category),
    }


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def status(order: WorkOrder) -> str:
    return "closed" if order.state == State.CLOSED else "open"


def split_media(description: str) -> tuple[str, str | None]:
    match = _MEDIA_LINE.search(description)
    if match is None:
        return description, None
    return description[: match.start()], match.group(1)


def with_status_notes(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Each order's latest public timeline note (what the public tracking page shows)."""
    latest = (
        TimelineEntry.objects.filter(order=OuterRef("pk"), public=True)
        .exclude(note="")
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return orders.annotate(open311_notes=Subquery(latest)).select_related(
        "category", "area", "department"
    )


def service_request(order: WorkOrder) -> dict[str, Any]:
    description, media_url = split_media(order.description)
    notes = getattr(order, "open311_notes", None) or str(State(order.state).label)
    return {
        "service_request_id": order.number,
        "status": status(order),
        "status_notes": notes,
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": description,
        "agency_responsible": order.department.name if order.department_id else order.area.name,
        "service_notice": "",
        "requested_datetime": w3c(order.created_at),
        "updated_datetime": w3c(order.updated_at),
        "expected_datetime": w3c(order.resolve_by),
        "address": order.address,
        "address_id": order.area_id,
        "zipcode": "",
        "lat": float(order.latitude) if order.latitude is not None else None,
        "long": float(order.longitude) if order.longitude is not None else None,
        "media_url": media_url,
    }
