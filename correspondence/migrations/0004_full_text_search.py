"""PostgreSQL full-text search: unaccent, a French configuration that ignores accents, a GIN
index on the stored tsvector and trigram indexes for the as-you-type correspondent picker.
Nothing to do on SQLite (the search falls back on the normalised ``search_text`` column)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS mail_search_vector ON correspondence_mail USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS mail_search_text_trgm ON correspondence_mail USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS correspondent_search_name_trgm "
    "ON correspondence_correspondent USING gin (search_name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS correspondent_search_name_trgm",
    "DROP INDEX IF EXISTS mail_search_text_trgm",
    "DROP INDEX IF EXISTS mail_search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0003_seed_kinds_and_channels")]

    operations = [migrations.RunPython(forward, backward)]
