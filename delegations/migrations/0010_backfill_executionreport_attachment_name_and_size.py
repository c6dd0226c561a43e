"""Execution reports' attachments stored before their name was kept: the name read back from the
stored one (which ends with the name as chosen, after a random prefix) and the size from the
storage, when the file is there. As 0006 and 0008 do for the arrêtés' scans and the parapheur's
attachments (repeated here: a migration imports no code that may change after it, another
migration's included)."""

import os
import re

from django.core.files.storage import default_storage
from django.db import migrations

# ``delegations.models._private_name``: « <16 hex digits>-<name as chosen, its last 80 characters> ».
STORED = re.compile(r"^[0-9a-f]{16}-(?P<name>.+)$")


def backfill(apps, schema_editor):
    ExecutionReport = apps.get_model("delegations", "ExecutionReport")
    for report in ExecutionReport.objects.exclude(attachment="").filter(attachment_name="").only("attachment"):
        base = os.path.basename(report.attachment.name)
        match = STORED.match(base)
        report.attachment_name = (match["name"] if match else base)[:255]
        try:
            report.attachment_size = default_storage.size(report.attachment.name)
        except OSError:  # not in the storage (a restore without its files): no size shown
            report.attachment_size = None
        report.save(update_fields=["attachment_name", "attachment_size"])


class Migration(migrations.Migration):
    dependencies = [("delegations", "0009_executionreport_attachment_name_and_size")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
