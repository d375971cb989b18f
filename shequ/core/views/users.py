from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError, InvalidInput
from shequ.core.forms import (
    OtpResetForm,
    PasswordResetForm,
    RoleGrantForm,
    UserCreateForm,
    UserEditForm,
)
from shequ.core.models import ApprovalRequest, Area
from shequ.core.phones import mask_mobile
from shequ.core.roles import Action
from shequ.core.scoping import can, get_scoped_or_404, restrict
from shequ.core.selectors import approval_list, area_get, user_get, user_list
from shequ.core.services.approvals import approval_decide, role_grant_request
from shequ.core.services.users import (
    account_unlock,
    may_manage_account,
    otp_reset,
    password_reset,
    role_revoke,
    user_create,
    user_set_active,
    user_update,
)
from shequ.core.views.base import form_error, paginate, requires


def _grant_form(request, data=None):
    """Areas to grant on: the levels down to grid, or, after a search by name,
    any matching area in scope (buildings and units included)."""
    form = RoleGrantForm(data)
    query = (
        (request.GET.get("area_q") or request.POST.get("area_q") or "")
        .replace("\x00", "")
        .strip()[:50]
    )
    areas = restrict(Area.objects.all(), request.user, Action.ROLE_MANAGE)
    if query:
        areas = areas.filter(name__icontains=query).order_by("path")[:100]
    else:
        areas = areas.filter(depth__lte=4).order_by("path")[:1000]
    form.fields["area"].widget.choices = [
        (a.pk, f"{'　' * a.depth}{a.get_level_display()} · {a.name}") for a in areas
    ]
    return form


@requires(Action.USER_VIEW)
def user_list_view(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]  # PostgreSQL refuses NUL
    users = paginate(
        request, user_list(actor=request.user, query=query).prefetch_related("roles__area")
    )
    return render(
        request,
        "core/user_list.html",
        {"users": users, "query": query, "can_create": can(request.user, Action.USER_MANAGE)},
    )


@requires(Action.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("已创建账户“%(name)s”，首次登录时须修改密码。") % {"name": user.username}
            )
            return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/user_form.html", {"form": form})


@requires(Action.USER_VIEW)
def user_detail(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    return render(
        request,
        "core/user_detail.html",
        {
            "subject": subject,
            "assignments": subject.roles.select_related("area").order_by("role"),
            "grant_form": _grant_form(request) if can(request.user, Action.ROLE_MANAGE) else None,
            "area_q": request.GET.get("area_q", "")[:50],
            "edit_form": _edit_form(subject),
            "otp_form": OtpResetForm() if can(request.user, Action.ROLE_MANAGE) else None,
            "reset_form": PasswordResetForm(),
            "can_manage": may_manage_account(request.user, subject),
            "can_grant": can(request.user, Action.ROLE_MANAGE) and subject.pk != request.user.pk,
        },
    )


@requires(Action.ROLE_MANAGE)
@require_POST
def role_grant_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    form = _grant_form(request, request.POST)
    if form.is_valid():
        try:
            area = area_get(
                actor=request.user, pk=form.cleaned_data["area"], action=Action.ROLE_MANAGE
            )
            outcome = role_grant_request(
                actor=request.user, user=subject, role=form.cleaned_data["role"], area=area
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if outcome.approval is not None:
                messages.info(
                    request, _("这是敏感授权，已提交审批，须由另一位安全管理员批准后生效。")
                )
            else:
                messages.success(request, _("已授予角色。"))
    else:
        messages.error(request, _("请选择角色和区域。"))
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.ROLE_MANAGE)
@require_POST
def role_revoke_view(request, pk: int, role_pk: int):
    subject = user_get(actor=request.user, pk=pk)
    assignment = get_object_or_404(
        restrict(subject.roles.all(), request.user, Action.ROLE_MANAGE), pk=role_pk
    )
    try:
        role_revoke(actor=request.user, assignment=assignment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已撤销角色。"))
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.USER_VIEW)
@require_POST
def user_active_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(
            actor=request.user,
            user=subject,
            active=active,
            reason=request.POST.get("reason", "").replace("\x00", "")[:200],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("账户已启用。") if active else _("账户已停用，其会话和令牌已失效。")
        )
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.USER_VIEW)
@require_POST
def password_reset_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            password_reset(
                actor=request.user,
                user=subject,
                temporary_password=form.cleaned_data["temporary_password"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已设置临时密码，用户下次登录时须修改。"))
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.ROLE_MANAGE)
@require_POST
def user_unlock_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    account_unlock(actor=request.user, user=subject)
    messages.success(request, _("已解除登录锁定。"))
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.ROLE_MANAGE)
def approval_list_view(request):
    """Sensitive grants waiting for a second security administrator."""
    approvals = paginate(request, approval_list(actor=request.user))
    return render(request, "core/approval_list.html", {"approvals": approvals})


@requires(Action.ROLE_MANAGE)
@require_POST
def approval_decide_view(request, pk: int):
    approval = get_scoped_or_404(
        ApprovalRequest.objects.all(), request.user, Action.ROLE_MANAGE, pk=pk
    )
    approve = request.POST.get("decision") == "approve"
    try:
        approval_decide(actor=request.user, approval=approval, approve=approve)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已批准，角色已生效。") if approve else _("已驳回。"))
    return redirect("core:approval_list")


def _edit_form(subject, data=None) -> UserEditForm:
    """The mobile number is shown masked; leaving the field empty keeps it."""
    form = UserEditForm(data, initial={"full_name": subject.full_name})
    form.fields["mobile"].widget.attrs["placeholder"] = mask_mobile(subject.mobile) or _("未绑定")
    return form


@requires(Action.USER_VIEW)
@require_POST
def user_edit_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    form = _edit_form(subject, request.POST)
    if form.is_valid():
        try:
            user_update(
                actor=request.user,
                user=subject,
                full_name=form.cleaned_data["full_name"],
                mobile=form.cleaned_data["mobile"] or None,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存。"))
    else:
        messages.error(request, _("请检查姓名和手机号。"))
    return redirect("core:user_detail", pk=subject.pk)


@requires(Action.ROLE_MANAGE)
@require_POST
def otp_reset_view(request, pk: int):
    subject = user_get(actor=request.user, pk=pk)
    form = OtpResetForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("请填写重置原因。"))
        otp_reset(actor=request.user, user=subject, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重置动态口令，该用户下次登录时须重新绑定。"))
    return redirect("core:user_detail", pk=subject.pk)
