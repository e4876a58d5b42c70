"""Fill Swedish translations into a .po file from a Python dict file (msgid -> msgstr).

Usage: python scripts/translate.py PO_FILE TRANSLATIONS.py
The translations file defines `SV = {"English msgid": "Svensk text", ...}`. Entries not in the
dict keep their current translation; fuzzy flags are cleared for the entries filled.
"""

import runpy
import sys

import polib


def main(po_path: str, translations_path: str) -> int:
    table = runpy.run_path(translations_path)["SV"]
    po = polib.pofile(po_path)
    filled = 0
    for entry in po:
        if entry.msgid in table:
            value = table[entry.msgid]
            if entry.msgid_plural:
                singular, plural = value
                entry.msgstr_plural = {0: singular, 1: plural}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.save()
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    print(f"{po_path}: {filled} filled, {len(missing)} untranslated")
    for msgid in missing:
        print("  missing:", msgid[:100])
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
