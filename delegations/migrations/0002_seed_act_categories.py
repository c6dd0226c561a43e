"""The act categories every cabinet starts with (editable afterwards in the admin)."""

from django.db import migrations

CATEGORIES = [
    # code, name, is_delegable
    ("correspondance-courante", "Correspondance courante", True),
    ("notes-verbales", "Notes verbales", True),
    ("ordres-de-mission", "Ordres de mission", True),
    ("attestations", "Attestations", True),
    ("personnel-cabinet", "Actes de gestion du personnel du cabinet", True),
    ("traites-accords", "Traités et accords", False),
    ("arretes", "Arrêtés", False),
    ("decrets", "Décrets", False),
]


def seed(apps, schema_editor):
    ActCategory = apps.get_model("delegations", "ActCategory")
    for code, name, delegable in CATEGORIES:
        ActCategory.objects.get_or_create(code=code, defaults={"name": name, "is_delegable": delegable})


def unseed(apps, schema_editor):
    ActCategory = apps.get_model("delegations", "ActCategory")
    ActCategory.objects.filter(code__in=[c[0] for c in CATEGORIES], items__isnull=True, delegations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("delegations", "0001_signature_delegations_book_directives")]

    operations = [migrations.RunPython(seed, unseed)]
