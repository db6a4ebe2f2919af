"""Existing catalog versions get the fee category and the day-based flag that review
used to work out on the fly (drugs and consumables by kind; services by their national
code's section, else by words of their name; bed and nursing charged per 日 are
day-based). Once, here: from now on both are catalog data, set by the sheet."""

from django.db import migrations

SECTIONS = (
    ("001101", "consultation"),
    ("001102", "bed"),
    ("001103", "nursing"),
    ("0012", "treatment"),
    ("0021", "exam"),
    ("0022", "lab"),
    ("0031", "surgery"),
    ("004", "treatment"),
)
WORDS = (("床位", "bed"), ("护理", "nursing"), ("诊查", "consultation"), ("诊疗费", "consultation"))
DAY_UNITS = ("日", "天", "床日")


def category(code: str, kind: str, name: str) -> str:
    if kind == "drug":
        return "drug"
    if kind == "consumable":
        return "material"
    for prefix, cat in SECTIONS:
        if code.startswith(prefix):
            return cat
    for word, cat in WORDS:
        if word in name:
            return cat
    return "other"


def backfill(apps, schema_editor):
    CatalogVersion = apps.get_model("catalog", "CatalogVersion")
    changed = []
    rows = CatalogVersion.objects.select_related("item").only(
        "id", "name", "unit", "item__code", "item__kind"
    )
    for v in rows.iterator(chunk_size=2000):
        v.fee_category = category(v.item.code, v.item.kind, v.name)
        v.day_based = v.unit in DAY_UNITS and v.fee_category in ("bed", "nursing")
        changed.append(v)
        if len(changed) >= 2000:
            CatalogVersion.objects.bulk_update(changed, ["fee_category", "day_based"])
            changed = []
    if changed:
        CatalogVersion.objects.bulk_update(changed, ["fee_category", "day_based"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_review_terms")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
