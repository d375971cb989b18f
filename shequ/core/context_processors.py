from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from shequ.core import registry
from shequ.core.scoping import can, user_roles


@dataclass
class MenuLink:
    label: Any
    url_name: str
    current: bool = False


@dataclass
class MenuSection:
    """A group of links as the navigation shows it: a dropdown on the desktop,
    a labelled section on the phone."""

    key: str
    label: Any
    links: list[MenuLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def menu_for(user, current_view: str | None = None) -> list[MenuLink | MenuSection]:
    """The navigation ``user`` sees, in order: top-level links and groups.

    A group with a single link the user may follow is shown as that link
    alone: a resident's only 工单 entry (我的诉求) needs no dropdown.
    """
    placed: list[tuple[int, MenuLink | MenuSection]] = []
    sections: dict[str, MenuSection] = {}
    for entry in registry.menu_entries:
        if not can(user, entry.action):
            continue
        link = MenuLink(entry.label, entry.url_name, entry.url_name == current_view)
        if entry.group is None:
            placed.append((entry.order, link))
            continue
        section = sections.get(entry.group.key)
        if section is None:
            section = sections[entry.group.key] = MenuSection(entry.group.key, entry.group.label)
            placed.append((entry.group.order, section))
        section.links.append(link)
    placed.sort(key=lambda item: item[0])
    return [
        item.links[0] if isinstance(item, MenuSection) and len(item.links) == 1 else item
        for _order, item in placed
    ]


def shell(request):
    """Navigation entries the user may use, and their roles, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "my_roles": []}
    match = getattr(request, "resolver_match", None)
    menu = menu_for(user, match.view_name if match else None)
    return {"menu": menu, "my_roles": sorted(user_roles(user)), "debug_banner": settings.DEBUG}
