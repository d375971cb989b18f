"""Default star levels (the national volunteer star standard: 100, 300, 600,
1000 and 1500 hours) with example benefits, and the default rules row."""

from django.db import migrations

LEVELS = [
    (1, 100, "志愿服务证书；社区表彰"),
    (2, 300, "免费乘坐市内公交；合作商户优惠"),
    (3, 600, "免费乘坐市内公交；市内景区免费游览"),
    (4, 1000, "免费乘坐市内公交；景区免费游览；合作影院观影优惠"),
    (5, 1500, "免费乘坐市内公交；景区免费游览；影院观影优惠；优先推荐评优"),
]


def forwards(apps, schema_editor):
    StarLevel = apps.get_model("volunteers", "StarLevel")
    Policy = apps.get_model("volunteers", "Policy")
    for stars, hours, benefits in LEVELS:
        StarLevel.objects.get_or_create(
            stars=stars, defaults={"min_hours": hours, "benefits": benefits}
        )
    Policy.objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    apps.get_model("volunteers", "StarLevel").objects.filter(
        stars__in=[s for s, _h, _b in LEVELS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
