"""Log in, log out, two-factor verification and password change (web)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.auth.forms import LoginForm, OtpForm, PasswordChangeForm
from shequ.core.choices import AuditEvent
from shequ.core.errors import DomainError
from shequ.core.services.audit import audit_record
from shequ.core.services.users import password_change


def _next_url(request, default: str = "core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


@never_cache
@csrf_protect
def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend="shequ.core.auth.backends.UsernameOrMobileBackend")
        return redirect(_next_url(request))
    return render(
        request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def lockout_response(request, credentials=None, *args, **kwargs):
    """What a locked account or address sees: the login page with the same
    wording whether or not the account exists."""
    form = LoginForm(request)
    form.cleaned_data = {}
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试。",
        "登录失败次数过多，已暂时锁定，请 %(minutes)d 分钟后再试。",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429
        )
    return render(
        request, "registration/login.html", {"form": form, "locked_message": message}, status=429
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("您已安全退出。"))
    response = redirect("core:login")
    # Nothing personal stays on a shared phone (SECURITY.md row 27): the browser
    # drops this site's caches, IndexedDB and service workers (the field app's
    # offline queue and cached pages). Cookies are left alone so that the
    # "logged out" message, kept in the new session, still shows.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@login_required
def otp_view(request):
    """Verify a TOTP code; users without a confirmed device first bind one."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False
        ).first() or TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setup:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(event=AuditEvent.OTP_DEVICE_CONFIRMED, actor=user, obj=user)
            otp_login(request, device)
            audit_record(event=AuditEvent.OTP_VERIFIED, actor=user, obj=user)
            return redirect(_next_url(request))
        audit_record(event=AuditEvent.OTP_FAILED, actor=user, obj=user, outcome=False)
        form.add_error(
            "code", _("动态口令不正确或已使用。请等待几秒，待验证器显示下一个口令后再输入。")
        )
    context = {"form": form, "setup": setup, "next": request.GET.get("next", "")}
    if setup:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/otp.html", context)


@never_cache
@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        except DomainError as error:
            form.add_error("new_password1", str(error.message))
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("core:home")
    return render(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "forced": request.user.must_change_password or request.user.password_expired(),
        },
    )
