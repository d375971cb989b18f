from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone

from shequ.core.models import AuditEntry, User
from shequ.core.roles import Role
from shequ.core.tests.factories import make_user


def test_dormant_accounts_are_disabled_after_90_days(city):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        active = make_user(Role.GRID_WORKER, city.grids["A1a"])
        dormant = make_user(Role.GRID_WORKER, city.grids["A1b"])
        User.objects.filter(pk__in=[active.pk, dormant.pk]).update(last_login=start)
    with time_machine.travel(start + timedelta(days=89), tick=False):
        User.objects.filter(pk=active.pk).update(last_login=timezone.now())
        call_command("disable_dormant_accounts", stdout=StringIO())
        assert User.objects.get(pk=dormant.pk).is_active
    with time_machine.travel(start + timedelta(days=91), tick=False):
        out = StringIO()
        call_command("disable_dormant_accounts", stdout=out)
    assert "disabled 1" in out.getvalue()
    assert not User.objects.get(pk=dormant.pk).is_active
    assert User.objects.get(pk=active.pk).is_active
    assert (
        AuditEntry.objects.filter(event_type="account_disabled", object_id=str(dormant.pk)).count()
        == 1
    )


def test_audit_purge_keeps_179_days_and_archives_older(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    from shequ.core.services.audit import audit_record

    now = timezone.now()
    with time_machine.travel(now - timedelta(days=181), tick=False):
        old = audit_record(event="create", object_type="t", object_id="old")
    with time_machine.travel(now - timedelta(days=179), tick=False):
        kept = audit_record(event="create", object_type="t", object_id="kept")
    out = StringIO()
    call_command("audit_purge", "--dry-run", stdout=out)
    assert "would archive 1" in out.getvalue()
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    call_command("audit_purge", stdout=StringIO())
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    archives = list(tmp_path.glob("*.jsonl.gz"))
    assert len(archives) == 1
    import gzip

    assert '"object_id": "old"' in gzip.open(archives[0], "rt", encoding="utf-8").read()
    assert AuditEntry.objects.filter(event_type="audit_purge").count() == 1
    # A second run finds nothing more to do.
    out = StringIO()
    call_command("audit_purge", stdout=out)
    assert "archived 0" in out.getvalue()
    call_command("audit_verify", stdout=StringIO())


def test_audit_purge_only_takes_a_prefix_of_the_chain(db, settings, tmp_path):
    """An old row after a newer one (clock skew) waits, so the chain never breaks."""
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    from shequ.core.services.audit import audit_record

    now = timezone.now()
    audit_record(event="create", object_type="t", object_id="new")
    with time_machine.travel(now - timedelta(days=200), tick=False):
        late = audit_record(event="create", object_type="t", object_id="late-old")
    call_command("audit_purge", stdout=StringIO())
    assert AuditEntry.objects.filter(pk=late.pk).exists()
    call_command("audit_verify", stdout=StringIO())
