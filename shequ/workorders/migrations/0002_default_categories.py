"""Default categories, from what the source reports mention (Dalian, Chongqing,
Weihai, Daye, Binjiang). Administrators edit them afterwards; this only adds
rows whose code is not there yet."""

from django.db import migrations

I, S, H = "incident", "service_order", "hotline"

# code, name, kinds, default triage, default handler, response hours, resolution hours
DEFAULTS = [
    ("sanitation", "环境卫生", [I, H], "minor", "grid", 24, 72),
    ("parking", "停车管理", [I, H], "minor", "community", 24, 72),
    ("property", "物业管理", [I, H], "minor", "community", 24, 120),
    ("fire_risk", "楼道堆物与消防隐患（含电动车室内充电）", [I, H], "major", "grid", 4, 24),
    ("noise", "噪音扰民", [I, H], "minor", "grid", 12, 48),
    ("neighbour", "邻里纠纷", [I, H], "minor", "community", 24, 168),
    ("road", "道路与公共设施", [I, H], "major", "department", 24, 168),
    ("market", "占道经营与市场秩序", [I, H], "major", "department", 24, 120),
    ("elderly_help", "助老服务", [S, H], "minor", "pool", 24, 72),
    ("errands", "代办跑腿", [S], "minor", "pool", 24, 48),
    ("repairs", "维修服务", [S, H], "minor", "pool", 24, 72),
    ("consultation", "政策咨询", [S, H], "private", "community", 24, 48),
    ("other", "其他", [I, S, H], "minor", "community", 24, 120),
]


def add_defaults(apps, schema_editor):
    Category = apps.get_model("workorders", "Category")
    existing = set(Category.objects.values_list("code", flat=True))
    Category.objects.bulk_create(
        [
            Category(
                code=code,
                name=name,
                kinds=kinds,
                default_triage=triage,
                default_handler=handler,
                response_hours=respond,
                resolution_hours=resolve,
                order=index * 10,
            )
            for index, (code, name, kinds, triage, handler, respond, resolve) in enumerate(DEFAULTS, start=1)
            if code not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
