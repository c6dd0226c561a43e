"""A partial index on the cancelled entries (open work excludes them without joining every
mail), and the trigram index on ``search_text`` dropped: no query uses it (search goes through
``mail_search_vector``; ``search_text__contains`` is SQLite's fallback), it was never scanned in
the million-letter benchmark and weighs 230 MB there (docs/performance.md, items 4 and 9).
PostgreSQL only for the trigram index; reversible (the backward step re-creates it)."""

from django.conf import settings
from django.db import migrations, models


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS mail_search_text_trgm")


def restore_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS mail_search_text_trgm "
            "ON correspondence_mail USING gin (search_text gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0005_signature_book_link"),
        ("delegations", "0003_parapheur_accepts_text_documents"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mail",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", False)), fields=["id"], name="mail_cancelled"
            ),
        ),
        migrations.RunPython(drop_trigram, restore_trigram),
    ]
