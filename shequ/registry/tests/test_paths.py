"""Every table that copies an area path follows an area move."""

from shequ.core import registry
from shequ.core.services.areas import area_create, area_move
from shequ.registry.importing.models import ImportJob
from shequ.registry.models import Household, Resident
from shequ.registry.tests.factories import make_household, make_resident


def test_moving_a_community_moves_its_households_residents_and_import_jobs(city, people):
    household = make_household(city.units["A1a"])
    resident = make_resident(household, name="张三")
    carried = {model for model, _field in registry.path_carriers}
    assert {Household, Resident, ImportJob} <= carried
    street_c = area_create(
        actor=None, parent=city.district, level="street", code="003", name="C街道"
    )
    area_move(actor=None, area=city.communities["A1"], new_parent=street_c)
    assert Household.objects.get(pk=household.pk).area_path.startswith("210200.210202.003.01.")
    assert Resident.objects.get(pk=resident.pk).area_path.startswith("210200.210202.003.01.")
