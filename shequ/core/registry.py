"""What domain apps tell core about themselves, in ``AppConfig.ready()``.

Core never imports a domain app; it iterates these registries instead
(Decidim's components, Wagtail's hooks). Each app registers:

* path carriers: models that copy an area path, rewritten when an area moves;
* area counters: figures shown beside each area (households, residents…);
* home panels: what a role sees on its home page;
* menu entries: the staff console navigation, optionally under a group;
* demo steps: how the demo city generator fills the app's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AreaCounter:
    key: str
    label: Any  # lazy translation
    model: type[Model]
    path_field: str
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuGroup:
    """A heading in the staff console navigation: a dropdown on the desktop,
    a labelled section in the phone menu. Entries of several apps may share
    one group (the dashboard's figures sit under 工单); groups are told apart
    by ``key``, and placed among the top-level entries by ``order``."""

    key: str
    label: Any  # lazy translation
    order: int = 100


# The console's usual groups. Apps pick one for each entry, or make their own
# ``MenuGroup``; an entry without a group stays at the top level.
LEDGER_GROUP = MenuGroup("ledger", _("台账"), order=20)
WORKORDERS_GROUP = MenuGroup("workorders", _("工单"), order=30)
GRID_GROUP = MenuGroup("grid", _("网格"), order=40)
VOLUNTEERS_GROUP = MenuGroup("volunteers", _("志愿服务"), order=50)
ADMIN_GROUP = MenuGroup("admin", _("系统管理"), order=80)


@dataclass(frozen=True)
class MenuEntry:
    label: Any
    url_name: str
    action: str  # shown to users who may perform this action somewhere
    order: int = 100
    group: MenuGroup | None = None


@dataclass(frozen=True)
class HomePanel:
    """A block on the home page of users who may perform ``action``.

    ``context(request)`` returns what the template needs; the template shows
    an empty state saying what will appear there. ``roles`` lists the roles
    whose generic "what will appear here" note this panel replaces.
    """

    template: str
    action: str
    order: int = 100
    context: Callable[..., dict[str, Any]] | None = None
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DemoStep:
    """How an app fills its share of the demo city (``manage.py demo_city``).

    After the area tree and the one-login-per-role personas exist, the command
    calls every registered step, lowest ``order`` first, as::

        step.run(city=city, residents=residents, rng=rng, stdout=stdout)

    * ``city``: the city ``Area``; everything the step makes belongs under it.
    * ``residents``: how many residents to invent (``--residents``, default
      2000); steps that do not make people may scale other data by it.
    * ``rng``: a ``random.Random`` seeded from ``--seed`` and the step's
      ``name``, so a step's data is reproducible and does not change when
      other steps are added. Use it for every random choice.
    * ``stdout``: the command's output; write at most one short summary line
      (the whole printout must stay readable in 30 lines).

    All steps run inside the command's single transaction, so a failing step
    leaves the database empty rather than half-built. Use services (or, for
    bulk rows, ``bulk_create`` with the same invariants) and keep the default
    size fast: ``make demo`` runs it before the server starts.
    """

    order: int
    run: Callable[..., None]
    name: str


path_carriers: list[tuple[type[Model], str]] = []
area_counters: list[AreaCounter] = []
menu_entries: list[MenuEntry] = []
home_panels: list[HomePanel] = []
demo_steps: list[DemoStep] = []


def register_path_carrier(model: type[Model], path_field: str) -> None:
    if (model, path_field) not in path_carriers:
        path_carriers.append((model, path_field))


def register_area_counter(counter: AreaCounter) -> None:
    if counter.key not in {c.key for c in area_counters}:
        area_counters.append(counter)


def register_menu_entry(entry: MenuEntry) -> None:
    if entry.url_name not in {e.url_name for e in menu_entries}:
        menu_entries.append(entry)
        menu_entries.sort(key=lambda e: e.order)


def register_home_panel(panel: HomePanel) -> None:
    if panel.template not in {p.template for p in home_panels}:
        home_panels.append(panel)
        home_panels.sort(key=lambda p: p.order)


def register_demo_step(step: DemoStep) -> None:
    if step.name not in {s.name for s in demo_steps}:
        demo_steps.append(step)
        demo_steps.sort(key=lambda s: s.order)
