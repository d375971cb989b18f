"""Default key-population tags (重点人群), from GLOSSARY.md. Fixture data: a city
renames, deactivates or adds kinds as rows; this migration never overwrites them."""

from django.db import migrations

DEFAULT_TAGS = [
    ("elderly_alone", "独居老人", "65周岁以上独自居住的老人"),
    ("empty_nest", "空巢老人", "子女不在身边共同生活的老人"),
    ("left_behind_child", "留守儿童", "父母双方外出务工或一方外出另一方无监护能力的未成年人"),
    ("child_in_difficulty", "困境儿童", "因家庭贫困、自身残疾或缺乏有效监护而陷入困境的儿童"),
    ("disability", "残疾人", "持有残疾人证；附加信息可记录残疾类别和等级"),
    ("minimum_allowance", "低保", "享受城乡最低生活保障"),
    ("extreme_poverty", "特困", "特困人员救助供养对象"),
    ("low_income", "低收入", "低收入人口动态监测对象"),
    ("veteran", "退役军人", ""),
    ("party_member", "党员", ""),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("registry", "KeyPopulationTag")
    for order, (code, name, description) in enumerate(DEFAULT_TAGS, start=1):
        Tag.objects.get_or_create(code=code, defaults={"name": name, "description": description, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
