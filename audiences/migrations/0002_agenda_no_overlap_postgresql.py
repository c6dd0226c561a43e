"""No two items of the minister's agenda may overlap, also under concurrent edits.

On PostgreSQL an exclusion constraint over the slot's time range (start → end + buffer,
``[)``) backs the services' own check: two transactions programming overlapping audiences
cannot both commit. A slot row exists only while its audience is programmed or confirmed
(or held) and while its block is active, so the constraint needs no state condition. The
btree_gist extension is installed with it so that a scalar column (e.g. one agenda per person)
can join the range in the constraint without another migration of the extension.

SQLite has no exclusion constraints: Django would emit PostgreSQL syntax for an
``ExclusionConstraint`` in ``Meta.constraints`` and fail, so the constraint is added here, by
an operation that runs only on PostgreSQL; on SQLite the services enforce the rule alone.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func

CONSTRAINT_NAME = "agenda_slot_no_overlap"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _constraint():
    return ExclusionConstraint(
        name=CONSTRAINT_NAME,
        expressions=[
            (TsTzRange(F("starts_at"), F("occupied_until"), RangeBoundary()), RangeOperators.OVERLAPS),
        ],
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_constraint(apps.get_model("audiences", "AgendaSlot"), _constraint())


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("audiences", "AgendaSlot"), _constraint())


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0001_audiences_agenda"),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint),
    ]
