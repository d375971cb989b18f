"""The one place that decides what a user may see and change.

Every selector, view, API route, export and report narrows its queryset with
:func:`restrict` (or fetches one object with :func:`get_scoped_or_404`). A role
held on an area reaches that area and everything below it, so the filter is a
prefix match on the materialized path that scoped rows carry.

Out-of-scope objects answer 404, exactly like missing ones; the attempt is
written to the audit log as ``access_denied``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.roles import ROLE_ACTIONS

if TYPE_CHECKING:
    from shequ.core.models import User

_CACHE_ATTR = "_shequ_role_rows"
_SCOPE_ATTR = "_shequ_scope_paths"  # (the role rows it was built from, {action: paths})


def _role_rows(user: User) -> list[tuple[str, str]]:
    """(role, area_path) pairs of the user, cached on the user object for the request."""
    rows = getattr(user, _CACHE_ATTR, None)
    if rows is None:
        rows = list(user.roles.values_list("role", "area_path"))
        setattr(user, _CACHE_ATTR, rows)
    return rows


def forget_roles(user: User) -> None:
    """Drop the cached assignments after they change within one request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: User) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {role for role, _path in _role_rows(user)}


def scope_paths(user: User, action: str) -> list[str]:
    """The area paths under which ``user`` may perform ``action``, minimal set.

    An anonymous or disabled user gets none. Remembered per action beside the
    cached role rows (a list page asks for every row's actions), and
    forgotten with them.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    rows = _role_rows(user)
    memo = getattr(user, _SCOPE_ATTR, None)
    if memo is None or memo[0] is not rows:
        memo = (rows, {})
        setattr(user, _SCOPE_ATTR, memo)
    minimal = memo[1].get(action)
    if minimal is None:
        paths = sorted({path for role, path in rows if action in ROLE_ACTIONS.get(role, ())})
        minimal = []
        for path in paths:  # sorted, so an ancestor always comes before its descendants
            if not any(path == kept or path.startswith(kept + PATH_SEPARATOR) for kept in minimal):
                minimal.append(path)
        memo[1][action] = minimal
    return list(minimal)


def can(user: User, action: str, path: str | None = None) -> bool:
    """May ``user`` perform ``action`` at all (path None) or on the area at ``path``?"""
    paths = scope_paths(user, action)
    if path is None:
        return bool(paths)
    return any(path == p or path.startswith(p + PATH_SEPARATOR) for p in paths)


def path_filter(paths: list[str], path_field: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{path_field: path}) | Q(
            **{f"{path_field}__startswith": path + PATH_SEPARATOR}
        )
    return condition


def restrict(
    queryset: QuerySet, user: User, action: str, path_field: str | None = None
) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may ``action``.

    ``path_field`` names the field holding the row's area path; models declare
    it once as ``scope_path_field`` so callers rarely pass it.
    """
    field = path_field or getattr(queryset.model, "scope_path_field", None)
    if field is None:
        raise TypeError(f"{queryset.model.__name__} declares no scope_path_field")
    paths = scope_paths(user, action)
    if not paths:
        return queryset.none()
    return queryset.filter(path_filter(paths, field))


def get_scoped_or_404(
    queryset: QuerySet, user: User, action: str, path_field: str | None = None, **lookup: Any
) -> Model:
    """One object the user may ``action``, or 404 whether it is missing or out of scope."""
    try:
        return restrict(queryset, user, action, path_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as missing:
        if not isinstance(missing, queryset.model.DoesNotExist):
            raise Http404 from missing
        hidden = queryset.filter(**lookup).first()
        if hidden is not None:
            from shequ.core.services.audit import audit_access_denied

            audit_access_denied(user=user, obj=hidden, action=action)
        raise Http404 from missing
