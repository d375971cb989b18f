"""Security labels and clearances (SECURITY.md row 14).

A key-population kind may carry a label (``KeyPopulationTag.label``:
health, disability, social assistance). A resident's tags of a labelled kind
are shown, searched, exported and changed only for someone whose role holds
that label's clearance on the resident's area (``registry.label.<label>``,
granted in ``apps.py``); everyone else sees the resident without those tags,
as if they did not exist. Granting a clearance is granting a role, which is
audited like every role grant.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from shequ.core.errors import Forbidden
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.registry.choices import SecurityLabel
from shequ.registry.models import KeyPopulationTag, ResidentTag

CLEARANCE = {label: f"registry.label.{label}" for label in SecurityLabel.values}


def cleared_labels(actor: User | None, path: str | None = None) -> set[str]:
    """The labels ``actor`` may see (at ``path``, or somewhere when None); the system sees all."""
    if actor is None:
        return set(CLEARANCE)
    return {label for label, action in CLEARANCE.items() if can(actor, action, path)}


def visible_tags(actor: User | None, path: str | None = None, prefix: str = "tag__") -> Q:
    """Condition on tag kinds (``prefix`` leads to a KeyPopulationTag) the actor may see."""
    return Q(**{f"{prefix}label": ""}) | Q(**{f"{prefix}label__in": cleared_labels(actor, path)})


def tags_prefetch(actor: User | None, path: str | None = None) -> Prefetch:
    """``Prefetch("tags")`` holding only the tags the actor may see."""
    return Prefetch(
        "tags",
        queryset=ResidentTag.objects.filter(visible_tags(actor, path)).select_related("tag"),
    )


def visible_kinds(actor: User | None) -> Q:
    return visible_tags(actor, prefix="")


def require_clearance(actor: User | None, tag: KeyPopulationTag, path: str) -> None:
    """Refuse to add or remove a labelled tag without its clearance."""
    if tag.label and tag.label not in cleared_labels(actor, path):
        raise Forbidden(
            _("您没有“%(label)s”类信息的查看和修改权限。") % {"label": tag.get_label_display()}
        )
