"""The GeoReport v2 endpoints. Each parses the spec's parameters, calls a
work-order service or selector, and renders JSON or XML. Every failure answers
the spec's error format (400 bad input, 403 api_key, 404 unknown) and changes
nothing; descriptions are in English, for integrators.

Authentication is the ``api_key`` parameter only: a Shequ personal API token
(``shq_…``) of a staff account. Session cookies are never used, so the POST
needs no CSRF token.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shequ.core import context, idempotency
from shequ.core.choices import AccountKind
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area, User
from shequ.core.scoping import get_scoped_or_404
from shequ.core.services.audit import audit_access_denied
from shequ.core.services.tokens import token_authenticate
from shequ.workorders.choices import Action, Channel, State
from shequ.workorders.models import Category, WorkOrder
from shequ.workorders.open311 import representation as rep
from shequ.workorders.open311.formats import (
    FORMATS,
    Open311Error,
    render,
    render_error,
    render_object,
)
from shequ.workorders.selectors import category_list, visible
from shequ.workorders.services import workorder_create

DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
DESCRIPTION_LIMIT = 3500  # leaves room for the media_url line within the case's 4000
TEXT_LIMITS = {
    "address_string": 200,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 100,
    "last_name": 100,
    "phone": 40,
    "media_url": 400,
}
IDEMPOTENCY_ENDPOINT = "open311.create"


def open311(*methods: str):
    """Checks the format, answers every failure in the error format, never a 500
    for bad input."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, format: str, **kwargs) -> HttpResponse:
            if format not in FORMATS:
                return render_error("json", 404, "Unknown format: use json or xml.")
            try:
                _reject_nul(request)
                return view(request, *args, fmt=format, **kwargs)
            except Open311Error as error:
                return render_error(format, error.status, error.description)
            except Http404:
                return render_error(format, 404, "Not found.")
            except SuspiciousOperation:
                return render_error(format, 400, "The request could not be read.")
            except Forbidden:
                return render_error(format, 403, "The api_key may not do this.")
            except DomainError as error:
                field = f"{error.field}: " if error.field else ""
                return render_error(format, 400, f"Invalid input ({field}{error.code}).")

        return csrf_exempt(require_http_methods(list(methods))(wrapper))

    return decorate


def _reject_nul(request: HttpRequest) -> None:
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise Open311Error(400, "Parameters may not contain NUL characters.")


def _param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def _authenticate(request: HttpRequest) -> User:
    """The staff account behind ``api_key``; 403 without a usable one."""
    plain = _param(request, "api_key")
    if not plain:
        raise Open311Error(403, "api_key is required.")
    user = token_authenticate(plain)
    if user is None:
        raise Open311Error(403, "api_key is not valid.")
    if user.kind != AccountKind.STAFF:
        raise Open311Error(403, "api_key must belong to a staff or integration account.")
    context.current().user = user
    return user


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if category is None:
        raise Open311Error(404, f"Unknown service_code '{code[:40]}'.")
    return category


# --------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------


@open311("GET")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    rows = [rep.service(category) for category in category_list()]
    return render(fmt, rows, root="services", item="service")


@open311("GET")
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    category = _category(service_code)
    # Categories define no extra attributes (yet): the spec's shape, empty.
    row = {"service_code": category.code, "attributes": []}
    return render_object(fmt, row, root="service_definition")


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


@open311("GET", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


def _coordinate(raw: str, name: str, bound: int) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, f"{name} must be a decimal number.") from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise Open311Error(400, f"{name} is out of range.")
    return value


def _area(request: HttpRequest, actor: User) -> Area:
    raw = _param(request, "address_id")
    has_point = bool(_param(request, "lat") or _param(request, "long"))
    if not raw:
        if has_point or _param(request, "address_string"):
            raise Open311Error(
                400,
                "address_id is required: lat/long and address_string are not mapped to an area yet.",
            )
        raise Open311Error(400, "A location is required: address_id (a Shequ area id).")
    if not raw.isdigit() or len(raw) > 18:
        raise Open311Error(400, "address_id must be a Shequ area id.")
    try:
        return get_scoped_or_404(Area.objects.all(), actor, Action.REPORT, pk=int(raw))
    except Http404:
        # Unknown and out of scope answer alike.
        raise Open311Error(400, "address_id is not an area this api_key may report in.") from None


def _text(request: HttpRequest, name: str) -> str:
    value = _param(request, name)
    if len(value) > TEXT_LIMITS[name]:
        raise Open311Error(400, f"{name} is longer than {TEXT_LIMITS[name]} characters.")
    return value


def _media_url(request: HttpRequest) -> str:
    url = _text(request, "media_url")
    if url:
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in url)
        ):
            raise Open311Error(400, "media_url must be an http(s) URL.")
    return url


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _authenticate(request)
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, "service_code is required.")
    category = _category(code)
    latitude = _coordinate(_param(request, "lat"), "lat", 90)
    longitude = _coordinate(_param(request, "long"), "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat and long go together.")
    area = _area(request, actor)
    description = _param(request, "description")
    if not description:
        raise Open311Error(400, "description is required.")
    if len(description) > DESCRIPTION_LIMIT:
        raise Open311Error(400, f"description is longer than {DESCRIPTION_LIMIT} characters.")
    address = _text(request, "address_string")
    media_url = _media_url(request)
    # Contact fields are checked for the spec's sake but not stored: Shequ keeps
    # residents' personal data in the registry only, not in cases from integrations.
    for name in ("email", "device_id", "account_id", "first_name", "last_name", "phone"):
        _text(request, name)

    key = (request.headers.get(idempotency.HEADER) or "").strip()
    if len(key) > idempotency.MAX_KEY_LENGTH:
        raise Open311Error(400, "Idempotency-Key is longer than 100 characters.")
    body = sorted((k, v) for k, v in request.POST.lists() if k != "api_key")
    first_line = description.splitlines()[0].strip() if description.strip() else ""

    def create() -> tuple[int, str]:
        order = workorder_create(
            actor=actor,
            kind=rep.kind_for(category),
            category=category,
            area=area,
            title=(first_line or category.name)[:100],
            description=description + (rep.MEDIA_MARK + media_url if media_url else ""),
            channel=Channel.API,
            address=address,
            latitude=latitude,
            longitude=longitude,
        )
        return 201, order.number

    try:
        outcome = idempotency.run_once(
            user=actor, endpoint=IDEMPOTENCY_ENDPOINT, key=key, body=body, produce=create
        )
    except idempotency.IdempotencyKeyReused:
        raise Open311Error(
            400, "Idempotency-Key was already used with different parameters."
        ) from None
    return _created(outcome.body, fmt)


def _created(number: str, fmt: str) -> HttpResponse:
    row = {"service_request_id": number, "service_notice": "", "account_id": None}
    return render(fmt, [row], root="service_requests", item="request", status=201)


def _when(raw: str, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            value = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, f"{name} must be a W3C datetime, e.g. 2026-11-22T08:00:00+08:00.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _authenticate(request)
    orders = visible(actor)
    ids = [i.strip() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        # The spec: with service_request_id, the other parameters are ignored.
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, f"At most {MAX_RESULTS} service_request_id values.")
        orders = orders.filter(number__in=ids)
    else:
        codes = [c.strip() for c in _param(request, "service_code").split(",") if c.strip()]
        if codes:
            orders = orders.filter(category__code__in=codes)
        statuses = {s.strip() for s in _param(request, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed.")
        if statuses == {"open"}:
            orders = orders.exclude(state=State.CLOSED)
        elif statuses == {"closed"}:
            orders = orders.filter(state=State.CLOSED)
        start = _when(_param(request, "start_date"), "start_date")
        end = _when(_param(request, "end_date"), "end_date")
        if start is not None and end is not None and start > end:
            raise Open311Error(400, "start_date is after end_date.")
        if start is None and end is None:
            start = timezone.now() - DEFAULT_WINDOW
        if start is not None:
            orders = orders.filter(created_at__gte=start)
        if end is not None:
            orders = orders.filter(created_at__lte=end)
    orders = rep.with_status_notes(orders.order_by("-created_at", "-id"))[:MAX_RESULTS]
    rows = [rep.service_request(order) for order in orders]
    return render(fmt, rows, root="service_requests", item="request")


def _visible_order(actor: User, number: str) -> WorkOrder:
    order = rep.with_status_notes(visible(actor).filter(number=number)).first()
    if order is None:
        hidden = WorkOrder.objects.filter(number=number).first()
        if hidden is not None:
            audit_access_denied(user=actor, obj=hidden, action=Action.VIEW)
        raise Open311Error(404, "Unknown service_request_id.")
    return order


@open311("GET")
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    actor = _authenticate(request)
    order = _visible_order(actor, service_request_id)
    return render(fmt, [rep.service_request(order)], root="service_requests", item="request")


@open311("GET")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    """Creation is synchronous, so a request's token is its number."""
    actor = _authenticate(request)
    order = _visible_order(actor, token)
    row = {"service_request_id": order.number, "token": order.number}
    return render(fmt, [row], root="service_requests", item="request")
