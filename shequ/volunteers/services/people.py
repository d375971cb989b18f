"""Who serves: volunteers, embedded party members (dual registration,
confirmed by the community), groups, social organisations, social workers,
building teams and charity resources: the mobilizable forces database."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, InvalidInput
from shequ.core.models import Area, User
from shequ.core.services.audit import audit_record, snapshot
from shequ.volunteers.choices import (
    Action,
    BuildingPost,
    CertificateLevel,
    GroupKind,
    OrganizationStatus,
    PartyMemberStatus,
    ResourceKind,
)
from shequ.volunteers.models import (
    BuildingTeamMember,
    CharityResource,
    Group,
    Organization,
    PartyMember,
    SocialWorker,
    Volunteer,
    WorkUnit,
)
from shequ.volunteers.services._common import (
    community_of,
    require,
    require_community,
    text,
)


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(_("请选择有效的选项。"), field=field)
    return value


@transaction.atomic
def volunteer_register(
    *,
    actor: User | None,
    community: Area | None,
    name: str,
    user: User | None = None,
    resident=None,
    skills: str = "",
    availability: str = "",
    emergency_ready: bool = False,
    board_anonymous: bool = False,
) -> Volunteer:
    """Put a person in the volunteer roster: staff for anyone in their
    community, or a person for themselves (``user`` is ``actor``). One
    profile per login."""
    community = require_community(community)
    if actor is not None and (user is None or user.pk != actor.pk):
        require(actor, Action.MANAGE, community.path)
    name = text(name, field="name", limit=50, required=True)
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise Conflict(_("该账户已登记为志愿者。"), code="already_registered")
    if resident is not None and not resident.area_path.startswith(community.path + "."):
        raise InvalidInput(_("该居民不在所选社区。"), field="resident")
    volunteer = Volunteer.objects.create(
        user=user,
        resident=resident,
        name=name,
        community=community,
        area_path=community.path,
        skills=text(skills, field="skills", limit=200),
        availability=text(availability, field="availability", limit=100),
        emergency_ready=bool(emergency_ready),
        board_anonymous=bool(board_anonymous),
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=volunteer, changes=snapshot(volunteer))
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    actor: User | None,
    volunteer: Volunteer,
    skills: str | None = None,
    availability: str | None = None,
    emergency_ready: bool | None = None,
    board_anonymous: bool | None = None,
) -> Volunteer:
    """A volunteer edits their own skills, availability, emergency readiness
    and board anonymity; staff of the community may too."""
    if actor is not None and volunteer.user_id != actor.pk:
        require(actor, Action.MANAGE, volunteer.area_path)
    before = snapshot(volunteer)
    if skills is not None:
        volunteer.skills = text(skills, field="skills", limit=200)
    if availability is not None:
        volunteer.availability = text(availability, field="availability", limit=100)
    if emergency_ready is not None:
        volunteer.emergency_ready = bool(emergency_ready)
    if board_anonymous is not None:
        volunteer.board_anonymous = bool(board_anonymous)
    volunteer.save()
    from shequ.core.services.audit import diff

    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=volunteer,
        changes=diff(before, snapshot(volunteer)),
    )
    return volunteer


def volunteer_for(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).select_related("community").first()


@transaction.atomic
def party_member_register(
    *,
    actor: User | None,
    volunteer: Volunteer,
    work_unit: str,
    community: Area | None,
) -> PartyMember:
    """双报到: a party member reports to the community where they live, naming
    their work unit; the community confirms. The community must be one of this
    installation's."""
    community = require_community(community)
    if actor is not None and volunteer.user_id != actor.pk:
        require(actor, Action.MANAGE, community.path)
    unit_name = text(work_unit, field="work_unit", limit=100, required=True)
    if PartyMember.objects.filter(volunteer=volunteer).exists():
        raise Conflict(_("已办理过双报到。"), code="already_registered")
    unit, _created = WorkUnit.objects.get_or_create(name=unit_name)
    member = PartyMember.objects.create(
        volunteer=volunteer, work_unit=unit, community=community, area_path=community.path
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=member, changes=snapshot(member))
    return member


@transaction.atomic
def party_member_confirm(*, actor: User | None, member: PartyMember) -> PartyMember:
    """The home community confirms a party member's dual registration."""
    require(actor, Action.MANAGE, member.area_path)
    updated = PartyMember.objects.filter(pk=member.pk, status=PartyMemberStatus.PENDING).update(
        status=PartyMemberStatus.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("该党员已确认报到。"))
    member.refresh_from_db()
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=member,
        changes={"before": {"status": "pending"}, "after": {"status": member.status}},
    )
    return member


@transaction.atomic
def group_create(
    *,
    actor: User | None,
    community: Area,
    name: str,
    kind: str,
    leader: Volunteer | None = None,
    members: list[Volunteer] | tuple = (),
) -> Group:
    """A volunteer service group or emergency group of a community."""
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    _choice(kind, GroupKind, "kind")
    people = [*members, *([leader] if leader else [])]
    if any(p.area_path != community.path for p in people):
        raise InvalidInput(_("成员须为本社区志愿者。"), field="members")
    if any(not p.is_active for p in people):
        raise InvalidInput(_("该志愿者已停用。"), field="members")
    group = Group.objects.create(
        name=text(name, field="name", limit=100, required=True),
        kind=kind,
        community=community,
        area_path=community.path,
        leader=leader,
    )
    group.members.set({p.pk for p in people})
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=group, changes=snapshot(group))
    return group


@transaction.atomic
def organization_create(
    *, actor: User | None, community: Area, name: str, status: str, service_areas: str = ""
) -> Organization:
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    org = Organization.objects.create(
        name=text(name, field="name", limit=100, required=True),
        community=community,
        area_path=community.path,
        status=_choice(status, OrganizationStatus, "status"),
        service_areas=text(service_areas, field="service_areas", limit=200),
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=org, changes=snapshot(org))
    return org


@transaction.atomic
def social_worker_create(
    *,
    actor: User | None,
    community: Area,
    name: str,
    certificate_level: str,
    organization: Organization | None = None,
) -> SocialWorker:
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    worker = SocialWorker.objects.create(
        name=text(name, field="name", limit=50, required=True),
        community=community,
        area_path=community.path,
        certificate_level=_choice(certificate_level, CertificateLevel, "certificate_level"),
        organization=organization,
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=worker, changes=snapshot(worker))
    return worker


@transaction.atomic
def building_post_assign(
    *, actor: User | None, volunteer: Volunteer, area: Area, post: str
) -> BuildingTeamMember:
    """一长二员 for a building, or an alley steward for an area of the community."""
    require(actor, Action.MANAGE, area.path)
    community = community_of(area)
    if community is None or community.path != volunteer.area_path:
        raise InvalidInput(_("只能安排本社区的志愿者。"), field="volunteer")
    if not volunteer.is_active:
        raise InvalidInput(_("该志愿者已停用。"), field="volunteer")
    row = BuildingTeamMember.objects.create(
        volunteer=volunteer,
        area=area,
        area_path=area.path,
        post=_choice(post, BuildingPost, "post"),
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=row, changes=snapshot(row))
    return row


@transaction.atomic
def charity_resource_add(
    *,
    actor: User | None,
    community: Area,
    name: str,
    kind: str,
    amount,
    donor: str = "",
    received_on=None,
) -> CharityResource:
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    if amount is None or amount < 0:
        raise InvalidInput(_("金额不能为负数。"), field="amount")
    row = CharityResource.objects.create(
        name=text(name, field="name", limit=100, required=True),
        kind=_choice(kind, ResourceKind, "kind"),
        community=community,
        area_path=community.path,
        donor=text(donor, field="donor", limit=100),
        amount=amount,
        received_on=received_on or timezone.localdate(),
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=row, changes=snapshot(row))
    return row
