"""Fill the English catalogue from JSON files of translations.

    python scripts/po_fill.py locale/en/LC_MESSAGES/django.po locale/translations/*.json

Each JSON file maps a French msgid to its English text (or, for plural entries, to a list
[singular, plural]). Entries already translated are kept unless the JSON gives another text.
Prints the entries still untranslated.
"""

import json
import sys

import polib


def main(po_path: str, json_paths: list[str]) -> int:
    table: dict = {}
    for path in json_paths:
        with open(path, encoding="utf-8") as fh:
            table.update(json.load(fh))
    po = polib.pofile(po_path)
    for entry in po:
        if entry.obsolete:
            continue
        value = table.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            singular, plural = (value, value) if isinstance(value, str) else value
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(po_path)
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po) - len(missing)}/{len(po)} translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
