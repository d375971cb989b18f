"""Activities: creation by a community (or a group or organisation of it),
sign-up with a waiting list, QR check-in and check-out, or attendance
recorded by the organiser. Check-out leaves a pending service record the
organiser confirms (``hours``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.services.audit import audit_record, snapshot
from shequ.volunteers.choices import Action, OrganizerKind, RecordSource, SignUpStatus
from shequ.volunteers.models import (
    Activity,
    Group,
    Organization,
    ServiceRecord,
    SignUp,
    Volunteer,
)
from shequ.volunteers.services._common import require, require_community, text

CHECKIN_SALT = "shequ.volunteers.checkin"
CHECK_IN, CHECK_OUT = "in", "out"
MAX_SPAN = timedelta(hours=24)
# Check-in opens a little before the start; check-out closes a while after the end.
EARLY = timedelta(hours=2)
LATE = timedelta(hours=6)


def qr_max_age() -> int:
    """Seconds a QR code shown by the organiser stays valid."""
    return int(getattr(settings, "VOLUNTEERS_QR_MAX_AGE", 15 * 60))


@transaction.atomic
def activity_create(
    *,
    actor: User | None,
    community: Area,
    title: str,
    place: str,
    starts_at,
    ends_at,
    capacity: int,
    description: str = "",
    skills: str = "",
    organization: Organization | None = None,
    group: Group | None = None,
) -> Activity:
    """A community (or one of its groups or organisations) announces an activity."""
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise InvalidInput(_("结束时间须晚于开始时间。"), field="ends_at")
    if ends_at - starts_at > MAX_SPAN:
        raise InvalidInput(_("单次活动不能超过24小时。"), field="ends_at")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 10000:
        raise InvalidInput(_("招募人数须在1到10000之间。"), field="capacity")
    kind = OrganizerKind.COMMUNITY
    for partner, partner_kind in (
        (organization, OrganizerKind.ORGANIZATION),
        (group, OrganizerKind.GROUP),
    ):
        if partner is not None:
            if partner.area_path != community.path:
                raise InvalidInput(_("组织方须属于本社区。"), field=partner_kind)
            kind = partner_kind
    activity = Activity.objects.create(
        title=text(title, field="title", limit=100, required=True),
        description=text(description, field="description", limit=2000),
        community=community,
        area_path=community.path,
        organizer_kind=kind,
        organization=organization,
        group=group,
        place=text(place, field="place", limit=200, required=True),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        skills=text(skills, field="skills", limit=200),
        created_by=actor,
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=activity, changes=snapshot(activity))
    return activity


@transaction.atomic
def activity_cancel(*, actor: User | None, activity: Activity) -> Activity:
    """The organiser calls an activity off before it ends; sign-ups stay for
    the record, nobody can join or check in any more."""
    require(actor, Action.MANAGE, activity.area_path)
    updated = Activity.objects.filter(
        pk=activity.pk, cancelled=False, ends_at__gt=timezone.now()
    ).update(cancelled=True)
    if not updated:
        raise Conflict(_("活动已结束或已取消。"))
    activity.refresh_from_db()
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=activity,
        changes={"before": {"cancelled": False}, "after": {"cancelled": True}},
    )
    return activity


def open_to(activity: Activity, volunteer: Volunteer) -> bool:
    """An activity is open to volunteers of its community (or below it)."""
    return volunteer.area_path == activity.area_path or volunteer.area_path.startswith(
        activity.area_path + PATH_SEPARATOR
    )


def _own(actor: User | None, volunteer: Volunteer) -> None:
    if actor is not None and volunteer.user_id != actor.pk:
        raise Forbidden()


@transaction.atomic
def signup_create(*, actor: User | None, activity: Activity, volunteer: Volunteer) -> SignUp:
    """报名: a place when one is free, otherwise the waiting list. Signing up
    twice is refused; a cancelled sign-up may come back (at the end of the line)."""
    _own(actor, volunteer)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not volunteer.is_active:
        raise Conflict(_("您的志愿者登记已停用，请联系社区。"), code="volunteer_inactive")
    if not open_to(activity, volunteer):
        raise InvalidInput(_("只能报名本社区的活动。"), field="activity")
    if activity.cancelled or activity.ends_at <= timezone.now():
        raise Conflict(_("活动已结束或已取消，不能报名。"), code="closed")
    existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing is not None and existing.status != SignUpStatus.CANCELLED:
        raise Conflict(_("您已报名该活动，请勿重复报名。"), code="already_signed_up")
    taken = SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).count()
    status = SignUpStatus.CONFIRMED if taken < activity.capacity else SignUpStatus.WAITING
    if existing is not None:
        existing.status = status
        existing.signed_up_at = timezone.now()
        existing.save(update_fields=["status", "signed_up_at"])
        signup = existing
    else:
        signup = SignUp.objects.create(
            activity=activity, volunteer=volunteer, area_path=activity.area_path, status=status
        )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=signup,
        detail={"activity": activity.pk, "status": status},
    )
    return signup


@transaction.atomic
def signup_cancel(*, actor: User | None, signup: SignUp) -> SignUp:
    """The volunteer withdraws before checking in; the first person on the
    waiting list takes the freed place."""
    _own(actor, signup.volunteer)
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    signup = SignUp.objects.get(pk=signup.pk)
    if signup.status == SignUpStatus.CANCELLED:
        raise Conflict(_("报名已取消。"))
    if signup.checked_in_at is not None:
        raise Conflict(_("已签到，不能取消报名。"))
    was = signup.status
    signup.status = SignUpStatus.CANCELLED
    signup.save(update_fields=["status"])
    promoted = None
    if was == SignUpStatus.CONFIRMED:
        promoted = (
            SignUp.objects.filter(activity=activity, status=SignUpStatus.WAITING)
            .order_by("signed_up_at", "id")
            .first()
        )
        if promoted is not None:
            promoted.status = SignUpStatus.CONFIRMED
            promoted.save(update_fields=["status"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=signup,
        changes={"before": {"status": was}, "after": {"status": signup.status}},
        detail={"promoted": promoted.pk if promoted else None},
    )
    return signup


def checkin_token(*, activity: Activity, direction: str) -> str:
    """The signed, expiring code the organiser's QR shows for check-in or -out."""
    if direction not in (CHECK_IN, CHECK_OUT):
        raise ValueError(direction)
    return signing.TimestampSigner(salt=CHECKIN_SALT).sign(f"{activity.pk}:{direction}")


def checkin_read(token: str) -> tuple[int, str]:
    """(activity id, direction) from a scanned code; expired or forged → InvalidInput."""
    signer = signing.TimestampSigner(salt=CHECKIN_SALT)
    try:
        value = signer.unsign(token or "", max_age=qr_max_age())
    except signing.SignatureExpired as error:
        raise InvalidInput(
            _("二维码已过期，请让组织者刷新后重新扫码。"), field="token", code="qr_expired"
        ) from error
    except signing.BadSignature as error:
        raise InvalidInput(_("二维码无效。"), field="token", code="qr_invalid") from error
    activity_id, _sep, direction = value.partition(":")
    if not activity_id.isdigit() or direction not in (CHECK_IN, CHECK_OUT):
        raise InvalidInput(_("二维码无效。"), field="token", code="qr_invalid")
    return int(activity_id), direction


def _pending_record(signup: SignUp) -> ServiceRecord:
    activity = signup.activity
    start, end = signup.checked_in_at, signup.checked_out_at
    record, _created = ServiceRecord.objects.update_or_create(
        signup=signup,
        defaults={
            "volunteer": signup.volunteer,
            "area_path": activity.area_path,
            "source": RecordSource.ACTIVITY,
            "activity": activity,
            "title": activity.title[:120],
            "started_at": start,
            "ended_at": end,
            "service_date": timezone.localdate(start),
        },
    )
    return record


@transaction.atomic
def checkin_scan(*, actor: User, token: str) -> SignUp:
    """签到/签退 by scanning the organiser's QR code. Only a confirmed sign-up
    checks in, during the activity's window; check-out needs a check-in
    first, and leaves a pending service record for the organiser."""
    activity_id, direction = checkin_read(token)
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise InvalidInput(_("二维码无效。"), field="token", code="qr_invalid")
    if activity.cancelled:
        raise Conflict(_("活动已取消。"), code="cancelled")
    signup = (
        SignUp.objects.select_for_update()
        .select_related("volunteer", "activity")
        .filter(activity=activity, volunteer__user=actor)
        .first()
    )
    if signup is None or signup.status != SignUpStatus.CONFIRMED:
        raise InvalidInput(
            _("您未报名该活动，或仍在候补名单中。"), field="token", code="not_signed_up"
        )
    now = timezone.now()
    if direction == CHECK_IN:
        if not activity.starts_at - EARLY <= now <= activity.ends_at:
            raise InvalidInput(_("不在活动签到时间内。"), field="token", code="outside_window")
        if signup.checked_in_at is not None:
            raise Conflict(_("您已签到。"), code="already_checked_in")
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
    else:
        if signup.checked_in_at is None:
            raise InvalidInput(_("请先签到再签退。"), field="token", code="not_checked_in")
        if signup.checked_out_at is not None:
            raise Conflict(_("您已签退。"), code="already_checked_out")
        if now > activity.ends_at + LATE:
            raise InvalidInput(
                _("已超过签退时间，请联系组织者补录。"), field="token", code="outside_window"
            )
        if now - signup.checked_in_at > MAX_SPAN:
            raise InvalidInput(_("单次服务不能超过24小时，请联系组织者补录。"), field="token")
        signup.checked_out_at = now
        signup.save(update_fields=["checked_out_at"])
        _pending_record(signup)
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=signup,
        detail={"check": direction, "activity": activity.pk},
    )
    return signup


@transaction.atomic
def attendance_record(
    *, actor: User | None, signup: SignUp, checked_in_at, checked_out_at
) -> SignUp:
    """The organiser records a check-in and check-out for someone who could not
    scan (no phone, an expired code)."""
    require(actor, Action.MANAGE, signup.area_path)
    signup = (
        SignUp.objects.select_for_update().select_related("activity", "volunteer").get(pk=signup.pk)
    )
    if signup.status != SignUpStatus.CONFIRMED:
        raise InvalidInput(_("只能为已报名（非候补）的人员补录。"), field="signup")
    if hasattr(signup, "record") and signup.record.status != "pending":
        raise Conflict(_("时长已确认，请使用更正。"))
    _check_span(checked_in_at, checked_out_at)
    signup.checked_in_at, signup.checked_out_at = checked_in_at, checked_out_at
    signup.save(update_fields=["checked_in_at", "checked_out_at"])
    _pending_record(signup)
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=signup,
        detail={"recorded": [checked_in_at, checked_out_at]},
    )
    return signup


def _check_span(start, end) -> None:
    if start is None or end is None:
        raise InvalidInput(_("请填写签到和签退时间。"), field="checked_in_at")
    if end <= start:
        raise InvalidInput(_("签退时间须晚于签到时间。"), field="checked_out_at")
    if end - start > MAX_SPAN:
        raise InvalidInput(_("单次服务不能超过24小时。"), field="checked_out_at")
    if end > timezone.now() + timedelta(minutes=5):
        raise InvalidInput(_("不能登记未来的时间。"), field="checked_out_at")
