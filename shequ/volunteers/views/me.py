"""The volunteer's and party member's own pages, made for a phone: my hours,
star and points, what I can redeem, upcoming activities, my monthly duty,
sign-up, QR check-in, the volunteer card, and the public card check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.choices import Level
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.views.base import form_error
from shequ.volunteers import services
from shequ.volunteers.forms import JoinForm, ProfileForm
from shequ.volunteers.models import PartyMember, Reward, SignUp, Volunteer
from shequ.volunteers.selectors import (
    hours_board,
    mask_name,
    my_page,
    parse_month,
    public_activity_get,
    star_for,
)
from shequ.volunteers.views._common import perform, qr_data_uri

CARD_SALT = "shequ.volunteers.card"
CARD_MAX_AGE = 24 * 3600


def _volunteer_or_join(request) -> Volunteer | None:
    return services.volunteer_for(request.user)


@login_required
@require_http_methods(["GET"])
def me(request):
    """我的志愿服务: the phone page."""
    volunteer = _volunteer_or_join(request)
    if volunteer is None:
        return redirect("volunteers:join")
    from shequ.workorders.selectors import workorder_pool

    page = my_page(volunteer=volunteer)
    member = PartyMember.objects.filter(volunteer=volunteer).select_related("work_unit").first()
    pool = workorder_pool(actor=request.user)
    return render(
        request,
        "volunteers/me.html",
        {"page": page, "member": member, "claimable": pool.count(), "nearby": pool[:3]},
    )


def _home_community(user) -> Area | None:
    path = user.roles.order_by("pk").values_list("area_path", flat=True).first()
    if not path:
        return None
    return (
        Area.objects.filter(level=Level.COMMUNITY)
        .filter(Q(path=path) | Q(path__in=Area(path=path).ancestor_paths()))
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Register as a volunteer; party members name their work unit too (双报到)."""
    if services.volunteer_for(request.user) is not None:
        return redirect("volunteers:me")
    home = _home_community(request.user)
    form = JoinForm(request.POST or None, initial={"community": home.pk if home else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            from django.db import transaction

            with transaction.atomic():
                volunteer = services.volunteer_register(
                    actor=request.user,
                    user=request.user,
                    community=data["community"],
                    name=request.user.display_name,
                    skills=data["skills"],
                    availability=data["availability"],
                    emergency_ready=data["emergency_ready"],
                    board_anonymous=data["board_anonymous"],
                )
                if data["work_unit"]:
                    services.party_member_register(
                        actor=request.user,
                        volunteer=volunteer,
                        work_unit=data["work_unit"],
                        community=data["community"],
                    )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("登记成功。"))
            return redirect("volunteers:me")
    return render(
        request, "volunteers/join.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    volunteer = services.volunteer_for(request.user)
    if volunteer is None:
        return redirect("volunteers:join")
    initial = {
        "skills": volunteer.skills,
        "availability": volunteer.availability,
        "emergency_ready": volunteer.emergency_ready,
        "board_anonymous": volunteer.board_anonymous,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:me")
    return render(
        request, "volunteers/profile.html", {"form": form}, status=400 if form.errors else 200
    )


def _mine(request) -> Volunteer:
    volunteer = services.volunteer_for(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@require_http_methods(["GET"])
def activity(request, pk: int):
    """An activity of my community, with my sign-up."""
    volunteer = _mine(request)
    item = public_activity_get(volunteer=volunteer, pk=pk)
    signup = SignUp.objects.filter(activity=item, volunteer=volunteer).first()
    taken = item.signups.filter(status="confirmed").count()
    return render(
        request,
        "volunteers/activity.html",
        {"activity": item, "signup": signup, "taken": taken},
    )


@login_required
@require_POST
def signup(request, pk: int):
    volunteer = _mine(request)
    item = public_activity_get(volunteer=volunteer, pk=pk)
    return perform(
        request,
        lambda: services.signup_create(actor=request.user, activity=item, volunteer=volunteer),
        _("报名已提交。"),
        "volunteers:activity",
        pk=item.pk,
    )


@login_required
@require_POST
def signup_cancel(request, pk: int):
    volunteer = _mine(request)
    item = public_activity_get(volunteer=volunteer, pk=pk)
    row = SignUp.objects.filter(activity=item, volunteer=volunteer).first()
    if row is None:
        raise Http404
    return perform(
        request,
        lambda: services.signup_cancel(actor=request.user, signup=row),
        _("已取消报名。"),
        "volunteers:activity",
        pk=item.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request):
    """What the organiser's QR code opens: confirm check-in or check-out."""
    token = request.POST.get("t") or request.GET.get("t") or ""
    error = None
    direction = activity = None
    try:
        activity_id, direction = services.checkin_read(token)
        volunteer = _mine(request)
        activity = public_activity_get(volunteer=volunteer, pk=activity_id)
    except DomainError as problem:
        error = str(problem.message)
    except Http404:
        error = _("您未报名该活动，或仍在候补名单中。")
    if request.method == "POST" and error is None:
        try:
            services.checkin_scan(actor=request.user, token=token)
        except Forbidden as problem:
            raise PermissionDenied from problem
        except DomainError as problem:
            error = str(problem.message)
        else:
            messages.success(
                request,
                _("签到成功。") if direction == "in" else _("签退成功，等待组织者确认时长。"),
            )
            return redirect("volunteers:me")
    return render(
        request,
        "volunteers/checkin.html",
        {"token": token, "direction": direction, "activity": activity, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET"])
def card(request):
    """The volunteer card: star level and a QR code a partner scans to verify it."""
    volunteer = _mine(request)
    code = signing.TimestampSigner(salt=CARD_SALT).sign(str(volunteer.pk))
    url = request.build_absolute_uri(reverse("volunteers:verify") + "?c=" + code)
    return render(
        request,
        "volunteers/card.html",
        {
            "volunteer": volunteer,
            "star": star_for(volunteer.hours_total),
            "qr": qr_data_uri(url),
            "verify_url": url,
        },
    )


@require_http_methods(["GET"])
def verify(request):
    """Public: a partner (bus company, scenic spot, cinema) checks a card. Shows
    only the masked name, the star level and its benefits."""
    code = request.GET.get("c", "")[:200]
    try:
        pk = signing.TimestampSigner(salt=CARD_SALT).unsign(code, max_age=CARD_MAX_AGE)
        volunteer = Volunteer.objects.get(pk=int(pk))
    except (signing.BadSignature, Volunteer.DoesNotExist, ValueError):
        return render(request, "volunteers/verify.html", {"valid": False}, status=404)
    return render(
        request,
        "volunteers/verify.html",
        {
            "valid": True,
            "name": mask_name(volunteer.name),
            "star": star_for(volunteer.hours_total),
            "checked_at": timezone.now(),
        },
    )


@login_required
@require_POST
def redeem(request, pk: int):
    volunteer = _mine(request)
    reward = Reward.objects.filter(pk=pk, area_path=volunteer.area_path, is_active=True).first()
    if reward is None:
        raise Http404
    return perform(
        request,
        lambda: services.redemption_create(actor=request.user, reward=reward, volunteer=volunteer),
        _("兑换成功，请到社区领取。"),
        "volunteers:me",
    )


@login_required
@require_http_methods(["GET"])
def board(request):
    """时长晾晒: a community's monthly ranking, open to everyone logged in."""
    communities = Area.objects.filter(level=Level.COMMUNITY).order_by("path")
    chosen = None
    if request.GET.get("community", "").isdigit():
        chosen = communities.filter(pk=int(request.GET["community"])).first()
    if chosen is None:
        volunteer = services.volunteer_for(request.user)
        chosen = volunteer.community if volunteer else _home_community(request.user)
    month = parse_month(request.GET.get("month"))
    rows = hours_board(community=chosen, month=month) if chosen else []
    return render(
        request,
        "volunteers/board.html",
        {"community": chosen, "month": month, "rows": rows, "communities": communities[:500]},
    )


@login_required
@require_POST
def redemption_cancel(request, pk: int):
    """Change of mind before collecting: the points and the item go back."""
    from shequ.volunteers.models import Redemption

    volunteer = _mine(request)
    redemption = Redemption.objects.filter(pk=pk, volunteer=volunteer).first()
    if redemption is None:
        raise Http404
    return perform(
        request,
        lambda: services.redemption_cancel(actor=request.user, redemption=redemption),
        _("已取消兑换，积分已退回。"),
        "volunteers:me",
    )
