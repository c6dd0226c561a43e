"""Blocks made before their history was kept: each gets its « Créneau bloqué » event, by whom
and when it was made. Its times then are unknown (a correction may have moved it since) and so
are a correction's or a lift's author: nothing more is made up."""

from django.db import migrations

CREATED = "creee"  # ``UnavailabilityEvent.Action.CREATED``


def backfill(apps, schema_editor):
    Unavailability = apps.get_model("audiences", "Unavailability")
    UnavailabilityEvent = apps.get_model("audiences", "UnavailabilityEvent")
    blocks = Unavailability.objects.exclude(events__action=CREATED).only("created_by_id", "created_at")
    UnavailabilityEvent.objects.bulk_create(
        [
            UnavailabilityEvent(block=block, action=CREATED, actor_id=block.created_by_id, at=block.created_at)
            for block in blocks
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("audiences", "0007_unavailability_event")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
