import pytest

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, AuditEntry, RoleAssignment
from shequ.core.roles import Role
from shequ.core.selectors import area_counts, area_list
from shequ.core.services.areas import area_create, area_move, area_update
from shequ.core.tests.factories import make_user


def test_paths_follow_the_tree(city):
    unit = city.units["A1a"]
    assert unit.path == "210200.210202.001.01.Ga.E1.1.1"
    assert unit.depth == 7
    assert [a.level for a in unit.ancestors()] == [
        "city",
        "district",
        "street",
        "community",
        "grid",
        "estate",
        "building",
    ]


def test_moving_a_community_rewrites_every_path_below_and_role_paths(city):
    worker = make_user(Role.GRID_WORKER, city.grids["A1a"])
    street_c = area_create(
        actor=None, parent=city.district, level="street", code="003", name="C街道"
    )
    community = city.communities["A1"]
    area_move(actor=None, area=community, new_parent=street_c)
    community.refresh_from_db()
    assert community.path == "210200.210202.003.01"
    assert community.parent_id == street_c.pk
    unit = Area.objects.get(pk=city.units["A1a"].pk)
    assert unit.path == "210200.210202.003.01.Ga.E1.1.1"
    assert unit.depth == 7
    assignment = RoleAssignment.objects.get(user=worker)
    assert assignment.area_path == "210200.210202.003.01.Ga"
    assert AuditEntry.objects.filter(event_type="move", object_id=str(community.pk)).count() == 1


def test_move_refuses_a_code_clash_and_changes_nothing(city):
    # Street B already has a community with code "02".
    before = Area.objects.get(pk=city.communities["A1"].pk).path
    with pytest.raises(Conflict, match="相同编码"):
        area_move(actor=None, area=city.communities["A2"], new_parent=city.streets["B"])
    assert Area.objects.get(pk=city.communities["A1"].pk).path == before
    assert Area.objects.get(pk=city.communities["A2"].pk).parent_id == city.streets["A"].pk


def test_cycles_and_wrong_levels_are_refused(city):
    with pytest.raises(InvalidInput, match="自己或它的下级"):
        area_move(actor=None, area=city.streets["A"], new_parent=city.communities["A1"])
    with pytest.raises(InvalidInput, match="不能放在"):
        area_move(actor=None, area=city.grids["A1a"], new_parent=city.buildings["A1b"])
    with pytest.raises(InvalidInput, match="不能放在"):
        area_create(actor=None, parent=city.buildings["A1a"], level="grid", code="X", name="网格")
    with pytest.raises(InvalidInput, match="GB/T 2260"):
        area_create(actor=None, parent=city.city, level="district", code="21", name="错区")
    with pytest.raises(InvalidInput, match="2102"):
        area_create(actor=None, parent=city.city, level="district", code="110101", name="东城区")


def test_recoding_rewrites_paths(city):
    area_update(actor=None, area=city.streets["A"], code="009", name="A街道（新）")
    assert Area.objects.get(pk=city.units["A2b"].pk).path.startswith("210200.210202.009.02.")


def test_change_needs_scope(city):
    worker = make_user(Role.COMMUNITY_WORKER, city.communities["A1"])
    grid = area_create(
        actor=worker, parent=city.communities["A1"], level="grid", code="Gz", name="新网格"
    )
    assert grid.path.endswith(".01.Gz")
    with pytest.raises(Forbidden):
        area_create(
            actor=worker, parent=city.communities["A2"], level="grid", code="Gz", name="越权网格"
        )
    with pytest.raises(Forbidden):
        area_update(actor=worker, area=city.communities["A1"], name="改自己社区的名字")
    assert not Area.objects.filter(name="越权网格").exists()


def test_counts_and_scoped_lists(city, people):
    counts = area_counts(areas=[city.streets["A"], city.communities["A1"]])
    # street A: 2 communities × (2 grids × (grid + estate + building + unit)) = 2 + 16
    assert counts[city.streets["A"].pk]["areas"] == 18
    assert counts[city.communities["A1"].pk]["areas"] == 8
    visible = set(area_list(actor=people["grid_worker"]).values_list("pk", flat=True))
    assert city.grids["A1a"].pk in visible
    assert city.grids["A1b"].pk not in visible
    assert city.communities["A1"].pk not in visible
