"""Arrêtés scanned before their name was kept: the name read back from the stored one (which
ends with the name as chosen, after a random prefix) and the size from the storage, when the
file is there."""

import os
import re

from django.core.files.storage import default_storage
from django.db import migrations

# ``delegations.models._private_name``: « <16 hex digits>-<name as chosen, its last 80 characters> ».
STORED = re.compile(r"^[0-9a-f]{16}-(?P<name>.+)$")


def backfill(apps, schema_editor):
    Delegation = apps.get_model("delegations", "Delegation")
    for delegation in Delegation.objects.exclude(scan="").filter(scan_name=""):
        base = os.path.basename(delegation.scan.name)
        match = STORED.match(base)
        delegation.scan_name = (match["name"] if match else base)[:255]
        try:
            delegation.scan_size = default_storage.size(delegation.scan.name)
        except OSError:  # not in the storage (a restore without its files): no size shown
            delegation.scan_size = None
        delegation.save(update_fields=["scan_name", "scan_size"])


class Migration(migrations.Migration):
    dependencies = [("delegations", "0005_delegation_scan_name_and_size")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
