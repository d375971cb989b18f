"""Security labels (SECURITY.md row 14): a grid worker without the
social-assistance clearance sees the resident, not the 低保 tag; cleared
staff see and change it; the clearance comes with a (audited) role grant."""

import pytest
from django.urls import reverse

from shequ.core.errors import Forbidden
from shequ.core.models import AuditEntry
from shequ.core.roles import Role
from shequ.core.services.users import role_grant
from shequ.core.tests.factories import login, make_user
from shequ.registry.models import KeyPopulationTag
from shequ.registry.selectors import ledger_summary, resident_get
from shequ.registry.selectors_search import ResidentFilters, resident_search
from shequ.registry.services import resident_tag_add
from shequ.registry.services_events import resident_tag_remove
from shequ.registry.tests.factories import make_household, make_resident


@pytest.fixture
def labelled(city):
    household = make_household(city.units["A1a"], room="301")
    resident = make_resident(household, name="王低保")
    allowance = KeyPopulationTag.objects.get(code="minimum_allowance")
    veteran = KeyPopulationTag.objects.get(code="veteran")
    resident_tag_add(actor=None, resident=resident, tag=allowance)
    resident_tag_add(actor=None, resident=resident, tag=veteran)
    return resident


def _codes(resident):
    return sorted(t.tag.code for t in resident.tags.all())


def test_default_tags_carry_their_labels(db):
    labels = dict(KeyPopulationTag.objects.values_list("code", "label"))
    assert labels["minimum_allowance"] == "assistance"
    assert labels["disability"] == "disability"
    assert labels["veteran"] == ""


def test_without_clearance_the_resident_is_shown_without_the_labelled_tag(people, labelled):
    grid = people["grid_worker"]
    assert _codes(resident_get(actor=grid, pk=labelled.pk)) == ["veteran"]
    (found,) = resident_search(actor=grid, filters=ResidentFilters(query="王低保"))
    assert _codes(found) == ["veteran"]
    community = people["community_worker"]
    assert _codes(resident_get(actor=community, pk=labelled.pk)) == [
        "minimum_allowance",
        "veteran",
    ]


def test_searching_by_a_labelled_kind_without_clearance_finds_no_one(people, labelled):
    filters = ResidentFilters(tags=["minimum_allowance"])
    assert not resident_search(actor=people["grid_worker"], filters=filters).exists()
    assert resident_search(actor=people["community_worker"], filters=filters).count() == 1


def test_counts_on_the_home_panel_leave_out_labels_without_clearance(people, labelled):
    names = [name for name, _n in ledger_summary(actor=people["grid_worker"])["tags"]]
    assert "低保" not in names and "退役军人" in names


def test_without_clearance_the_tag_cannot_be_added_or_removed(people, labelled, city):
    allowance = KeyPopulationTag.objects.get(code="minimum_allowance")
    other = make_resident(labelled.household, name="王二")
    with pytest.raises(Forbidden):
        resident_tag_add(actor=people["grid_worker"], resident=other, tag=allowance)
    with pytest.raises(Forbidden):
        resident_tag_remove(actor=people["grid_worker"], resident=labelled, tag=allowance)
    resident_tag_remove(actor=people["community_worker"], resident=labelled, tag=allowance)


def test_the_pages_and_the_export_leave_the_tag_out(client, people, labelled):
    login(client, people["grid_worker"])
    page = client.get(reverse("registry:resident_detail", args=[labelled.pk])).content.decode()
    assert "王低保" in page and "退役军人" in page and "低保</span>" not in page
    household = client.get(
        reverse("registry:household_detail", args=[labelled.household_id])
    ).content.decode()
    assert "低保</span>" not in household
    response = client.post(reverse("registry:resident_export"), {"format": "csv", "q": "王低保"})
    text = response.content.decode("utf-8-sig")
    assert "王低保" in text and "退役军人" in text and "低保\n" not in text.replace("\r", "")


def test_a_role_with_the_clearance_makes_the_tag_appear_and_is_audited(labelled, city):
    grid = make_user(Role.GRID_WORKER, city.grids["A1a"])
    assert _codes(resident_get(actor=grid, pk=labelled.pk)) == ["veteran"]
    before = AuditEntry.objects.count()
    role_grant(actor=None, user=grid, role=Role.COMMUNITY_WORKER, area=city.communities["A1"])
    assert AuditEntry.objects.count() == before + 1
    grid = type(grid).objects.get(pk=grid.pk)  # a fresh object: no cached roles
    assert _codes(resident_get(actor=grid, pk=labelled.pk)) == ["minimum_allowance", "veteran"]


def test_an_import_without_clearance_ignores_the_labelled_tag_with_a_warning(people, city):
    from shequ.registry.importing import pipeline

    checker = pipeline.Checker(actor=people["grid_worker"], duplicate_update=False)
    assert "assistance" not in checker.cleared and "disability" in checker.cleared
