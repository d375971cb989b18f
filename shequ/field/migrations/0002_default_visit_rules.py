"""Default visit rules (issue 6): elderly living alone weekly; empty-nest
elderly and people with disabilities every two weeks; left-behind children and
low-income households monthly; every household at least monthly. Rows a city
edits afterwards; this only adds rules that are not there yet."""

from django.db import migrations

DEFAULTS = [
    ("elderly_alone", 7),
    ("empty_nest", 14),
    ("disability", 14),
    ("left_behind_child", 30),
    ("low_income", 30),
    (None, 30),  # every household: at least once each calendar month
]


def add_defaults(apps, schema_editor):
    VisitRule = apps.get_model("field", "VisitRule")
    KeyPopulationTag = apps.get_model("registry", "KeyPopulationTag")
    for code, days in DEFAULTS:
        if code is None:
            if not VisitRule.objects.filter(tag__isnull=True).exists():
                VisitRule.objects.create(tag=None, interval_days=days)
            continue
        tag = KeyPopulationTag.objects.filter(code=code).first()
        if tag is not None and not VisitRule.objects.filter(tag=tag).exists():
            VisitRule.objects.create(tag=tag, interval_days=days)


class Migration(migrations.Migration):
    dependencies = [("field", "0001_initial"), ("registry", "0002_default_tags")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
