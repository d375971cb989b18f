"""Request-wide policies: who and where the request comes from (for the audit
log), session idle and absolute timeouts, forced password change, required
two-factor verification, and security headers."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import context
from shequ.core.choices import AuditEvent
from shequ.core.scoping import user_roles

SEEN_KEY = "_shequ_seen"
STARTED_KEY = "_shequ_started"
_TOUCH_SECONDS = 30


def client_ip(request: HttpRequest) -> str | None:
    """The peer address, or the client named by a trusted proxy's X-Forwarded-For.

    A forged header from anyone not in SHEQU_TRUSTED_PROXIES is ignored.
    """
    peer = _canonical_ip(request.META.get("REMOTE_ADDR"))
    trusted = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if peer and forwarded and peer in trusted:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer
    return peer


def _canonical_ip(value: str | None) -> str | None:
    """The address in the form the database stores (the audit hash covers it), or
    None when the peer is no IP address at all (a Unix socket, a broken proxy)."""
    try:
        address = ipaddress.ip_address(value) if value else None
    except ValueError:
        return None
    if address is None:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"  # as Django's GenericIPAddressField stores it
    return str(address)


def axes_client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/open311/")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(request_id=uuid.uuid4().hex, source_ip=client_ip(request))
        request.request_id = ctx.request_id
        token = context.begin(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.end(token)
        response["X-Request-ID"] = ctx.request_id
        return response


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("core:login"),
        reverse("core:logout"),
        reverse("core:otp"),
        reverse("core:password_change"),
        reverse("set_language"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
    )


def _deny(request: HttpRequest, code: str, message: str, status: int = 401) -> HttpResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


class SessionPolicyMiddleware:
    """Runs after authentication. For a logged-in web session it enforces:
    idle timeout, absolute lifetime, TOTP for the roles that need it, and a
    password change when one is due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        context.current().user = user if user.is_authenticated else None
        if user.is_authenticated and SEEN_KEY in request.session:
            response = self._enforce(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _enforce(self, request: HttpRequest) -> HttpResponse | None:
        now = timezone.now()
        session = request.session
        seen = datetime.fromisoformat(session[SEEN_KEY])
        started = datetime.fromisoformat(session.get(STARTED_KEY, session[SEEN_KEY]))
        if (
            now - seen > settings.SESSION_IDLE_TIMEOUT
            or now - started > settings.SESSION_ABSOLUTE_LIFETIME
        ):
            from shequ.core.services.audit import audit_record

            audit_record(event=AuditEvent.SESSION_EXPIRED, actor=request.user, obj=request.user)
            logout(request)
            context.current().user = None
            if is_api(request):
                return _deny(request, "session_expired", _("会话已超时，请重新登录。"))
            messages.info(request, _("您已长时间未操作，为保护居民信息已自动退出，请重新登录。"))
            return redirect(f"{reverse('core:login')}?next={request.path}")
        if self._superseded(request):
            from shequ.core.services.audit import audit_record

            audit_record(
                event=AuditEvent.SESSION_EXPIRED,
                actor=request.user,
                obj=request.user,
                detail={"reason": "superseded"},
            )
            logout(request)
            context.current().user = None
            if is_api(request):
                return _deny(
                    request, "session_superseded", _("您的账户已在其他地方登录，本会话已结束。")
                )
            messages.info(
                request, _("您的账户已在其他地方登录，本会话已结束。如非本人操作，请立即修改密码。")
            )
            return redirect(reverse("core:login"))
        if (now - seen).total_seconds() > _TOUCH_SECONDS:
            session[SEEN_KEY] = now.isoformat()
        if request.path.startswith(_exempt_paths()):
            return None
        user = request.user
        if needs_otp(user) and not user.is_verified():
            if is_api(request):
                return _deny(request, "otp_required", _("此账户须先完成双因素验证。"), status=403)
            return redirect(f"{reverse('core:otp')}?next={request.path}")
        if user.must_change_password or user.password_expired():
            if is_api(request):
                return _deny(request, "password_change_required", _("请先修改密码。"), status=403)
            return redirect("core:password_change")
        return None

    @staticmethod
    def _superseded(request: HttpRequest) -> bool:
        user = request.user
        if not (user_roles(user) & set(settings.SINGLE_SESSION_ROLES)):
            return False
        return (
            bool(user.current_session_key)
            and user.current_session_key != request.session.session_key
        )


def needs_otp(user) -> bool:
    return bool(user_roles(user) & set(settings.OTP_REQUIRED_ROLES))


def start_session_clock(request: HttpRequest) -> None:
    now = timezone.now().isoformat()
    request.session[SEEN_KEY] = now
    request.session[STARTED_KEY] = now


class SecurityHeadersMiddleware:
    """CSP with no outside origins (data stays in China, no CDN), and no caching
    of any page a logged-in user sees, since those show personal data."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.setdefault("Content-Security-Policy", self.CSP)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response
