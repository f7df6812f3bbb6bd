"""The message catalogue (decision 035): extract, tidy, check and compile without GNU msgfmt.

``make messages`` runs ``python -m tests.catalogue``: Django's makemessages (which needs GNU
gettext's xgettext and msgmerge, Debian package ``gettext``) collects every marked string of
src/gaoxin into the English catalogue; this module then sorts the catalogue by msgid (so that two
people adding strings rarely conflict), drops the dates gettext writes into the header, and
compiles the .mo with polib. The .mo is committed: running gaoxin needs neither gettext nor
polib. tests/web/test_i18n.py fails when a msgid has no English or the .mo is stale.
"""

from __future__ import annotations

import gettext
import os
import sys
from pathlib import Path

import polib

SOURCE = Path(__file__).resolve().parent.parent / "src" / "gaoxin"
LANGUAGES = ("en",)
HEADER = {
    "Project-Id-Version": "gaoxin",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def po_path(language: str = "en") -> Path:
    return SOURCE / "locale" / language / "LC_MESSAGES" / "django.po"


def extract(languages=LANGUAGES) -> None:
    """Django's makemessages over src/gaoxin (needs xgettext): new msgids arrive untranslated,
    vanished ones are dropped; no source locations, which would change with every edit."""
    from django.core.management import call_command

    here = os.getcwd()
    os.chdir(SOURCE)
    try:
        call_command(
            "makemessages", locale=list(languages), no_location=True, no_obsolete=True, verbosity=0
        )
    finally:
        os.chdir(here)


def tidy(po: polib.POFile, language: str) -> polib.POFile:
    """The catalogue sorted by msgid, with a fixed header."""
    out = polib.POFile(wrapwidth=0)
    out.header = "gaoxin's interface in English; the source strings are the Chinese (decision 035)."
    out.metadata = {**HEADER, "Language": language}
    for entry in sorted(po, key=lambda e: (e.msgctxt or "", e.msgid)):
        if not entry.obsolete:
            # msgmerge's guess at the old msgid of a fuzzy entry: noise once it is translated
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            out.append(entry)
    return out


def untranslated(po: polib.POFile) -> list[str]:
    """The msgids without a usable translation: empty, or marked fuzzy by msgmerge."""
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags or not all(f.strip() for f in forms):
            missing.append(entry.msgid)
    return missing


def compiled(po: polib.POFile) -> dict:
    """What the .mo of ``po`` holds, as Python's gettext reads it (fuzzy entries left out)."""
    catalogue = {}
    for entry in po.translated_entries():
        key = entry.msgid if not entry.msgctxt else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            for n, text in entry.msgstr_plural.items():
                catalogue[(key, int(n))] = text
        else:
            catalogue[key] = entry.msgstr
    return catalogue


def mo_catalogue(path: Path) -> dict:
    with path.open("rb") as f:
        table = dict(gettext.GNUTranslations(f)._catalog)
    table.pop("", None)
    return table


def build(languages=LANGUAGES, *, extract_first: bool = True) -> int:
    if extract_first:
        extract(languages)
    missing_total = 0
    for language in languages:
        path = po_path(language)
        po = tidy(polib.pofile(str(path), wrapwidth=0), language)
        po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
        missing = untranslated(po)
        missing_total += len(missing)
        print(
            f"{path.relative_to(SOURCE.parent.parent)}: {len(po)} messages, {len(missing)} untranslated"
        )
        for msgid in missing:
            print(f"  untranslated: {msgid}")
    return 1 if missing_total else 0


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    django.setup()
    sys.exit(build(extract_first="--no-extract" not in sys.argv))
