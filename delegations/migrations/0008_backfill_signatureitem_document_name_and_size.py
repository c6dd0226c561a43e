"""Parapheur attachments stored before their name was kept: the name read back from the stored
one (which ends with the name as chosen, after a random prefix) and the size from the storage,
when the file is there. As 0006 does for the arrêtés' scans (repeated here: a migration imports
no code that may change after it, another migration's included)."""

import os
import re

from django.core.files.storage import default_storage
from django.db import migrations

# ``delegations.models._private_name``: « <16 hex digits>-<name as chosen, its last 80 characters> ».
STORED = re.compile(r"^[0-9a-f]{16}-(?P<name>.+)$")


def backfill(apps, schema_editor):
    SignatureItem = apps.get_model("delegations", "SignatureItem")
    for item in SignatureItem.objects.exclude(document="").filter(document_name="").only("document"):
        base = os.path.basename(item.document.name)
        match = STORED.match(base)
        item.document_name = (match["name"] if match else base)[:255]
        try:
            item.document_size = default_storage.size(item.document.name)
        except OSError:  # not in the storage (a restore without its files): no size shown
            item.document_size = None
        item.save(update_fields=["document_name", "document_size"])


class Migration(migrations.Migration):
    dependencies = [("delegations", "0007_signatureitem_document_name_and_size")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
