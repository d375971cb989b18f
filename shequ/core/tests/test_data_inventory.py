"""The data inventory (SECURITY.md row 24): every field classified; the system
check names what is missing, as a warning until DATA_INVENTORY_STRICT."""

from shequ.core import checks


def _ids(found):
    return [message.id for message in found]


def test_core_and_registry_fields_are_all_classified():
    missing, stale, _pending = checks.inventory_problems()
    ours = [m for m in missing if m.split(".")[0] in {"core", "registry", "auth", "axes"}]
    assert ours == [] and stale == []


def test_a_field_without_an_entry_is_named_in_the_message(monkeypatch, settings):
    settings.DATA_INVENTORY_STRICT = False  # a warning while apps catch up
    real = checks.collect_inventory

    def without_name():
        inventory, declared = real()
        inventory = {k: dict(v) for k, v in inventory.items()}
        del inventory["registry.Resident"]["name"]
        return inventory, declared

    monkeypatch.setattr(checks, "collect_inventory", without_name)
    found = checks.data_inventory(None)
    assert "gov.W002" in _ids(found)
    assert any("registry.Resident.name" in m.msg for m in found)
    settings.DATA_INVENTORY_STRICT = True  # as shipped: an error that fails the check
    assert "gov.E002" in _ids(checks.data_inventory(None))


def test_strict_mode_makes_it_an_error_and_checks_every_app(monkeypatch, settings):
    settings.DATA_INVENTORY_STRICT = True
    missing, _stale, pending = checks.inventory_problems()
    assert pending == []
    if missing:  # apps that have not declared their fields yet
        assert "gov.E002" in _ids(checks.data_inventory(None))


def test_an_entry_without_purpose_or_with_an_unknown_class_counts_as_missing(monkeypatch):
    real = checks.collect_inventory

    def broken():
        inventory, declared = real()
        inventory = {k: dict(v) for k, v in inventory.items()}
        inventory["registry.Resident"]["mobile"] = ("secret", "ledger", "联系")
        inventory["registry.Resident"]["notes"] = ("personal", "ledger", " ")
        return inventory, declared

    monkeypatch.setattr(checks, "collect_inventory", broken)
    missing, _stale, _pending = checks.inventory_problems()
    assert "registry.Resident.mobile" in missing and "registry.Resident.notes" in missing


def test_apps_without_an_inventory_are_listed_as_information(settings):
    settings.DATA_INVENTORY_STRICT = False
    _missing, _stale, pending = checks.inventory_problems()
    found = checks.data_inventory(None)
    if pending:
        assert "gov.I002" in _ids(found)
