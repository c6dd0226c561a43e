"""Seed the admin-editable lists with the domain brief's values; fill correspondents'
normalised names."""

import unicodedata

from django.db import migrations

KINDS = [
    ("lettre", "Lettre"),
    ("note-verbale", "Note verbale"),
    ("telegramme", "Télégramme"),
    ("invitation", "Invitation"),
    ("rapport", "Rapport"),
    ("arrete-decret", "Arrêté / décret"),
    ("autre", "Autre"),
]
CHANNELS = [
    ("courrier-simple", "Courrier simple"),
    ("valise-diplomatique", "Valise diplomatique"),
    ("porteur", "Porteur"),
    ("courriel", "Courriel"),
    ("fax", "Fax"),
    ("recommande", "Courrier recommandé"),
    ("autre", "Autre"),
]


def _normalise(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def seed(apps, schema_editor):
    for model_name, rows in (("MailKind", KINDS), ("ArrivalChannel", CHANNELS)):
        model = apps.get_model("correspondence", model_name)
        for order, (code, label) in enumerate(rows, start=1):
            model.objects.get_or_create(code=code, defaults={"label": label, "order": order * 10})
    Correspondent = apps.get_model("correspondence", "Correspondent")
    for c in Correspondent.objects.all():
        c.search_name = _normalise(f"{c.name} {c.acronym}")[:300]
        c.save(update_fields=["search_name"])


def unseed(apps, schema_editor):
    for model_name, rows in (("MailKind", KINDS), ("ArrivalChannel", CHANNELS)):
        model = apps.get_model("correspondence", model_name)
        model.objects.filter(code__in=[code for code, _label in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0002_mail_register")]

    operations = [migrations.RunPython(seed, unseed)]
