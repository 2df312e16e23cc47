"""Build small gettext catalogues in a temporary folder, compiled with Debian's msgfmt."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import override_settings

from hub.core.catalogues import shipped_languages

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)


def po_text(entries: dict[str, str], *, fuzzy: frozenset[str] = frozenset()) -> str:
    """Return a .po file translating each source text (a flag marks the fuzzy ones)."""

    def quoted(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    parts = [HEADER]
    for source, translation in entries.items():
        flag = "#, fuzzy\n" if source in fuzzy else ""
        parts.append(f'{flag}msgid "{quoted(source)}"\nmsgstr "{quoted(translation)}"\n\n')
    return "".join(parts)


def write_catalogue(
    locale_dir: Path, code: str, entries: dict[str, str], *, compile_it: bool = True, **kw: object
) -> Path:
    """Write locale/<code>/LC_MESSAGES/django.po (and its .mo unless told not to)."""
    folder = locale_dir / code / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    po = folder / "django.po"
    po.write_text(po_text(entries, **kw), encoding="utf-8")  # type: ignore[arg-type]
    if compile_it:
        subprocess.run(  # noqa: S603
            ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)],  # noqa: S607
            check=True,
        )
    return po


@contextmanager
def shipped(locale_dir: Path) -> Iterator[list[tuple[str, Any]]]:
    """Run with the catalogues of locale_dir: the Hub offers those that are complete."""
    languages = shipped_languages(locale_dir, settings.HUB_KNOWN_LANGUAGES, "en")
    with override_settings(LOCALE_PATHS=[locale_dir], LANGUAGES=languages):
        yield languages


FRENCH = {
    "Partnerships Hub": "Hub des partenariats",
    "Language": "Langue",
    "Your account": "Votre compte",
    "Partnerships Hub: %(count)d reminder(s) for %(date)s": (
        "Hub des partenariats : %(count)d rappel(s) pour le %(date)s"
    ),
    "Your reminders in the Partnerships Hub for %(date)s:": (
        "Vos rappels dans le Hub des partenariats pour le %(date)s :"
    ),
    "[Partnerships Hub] %(text)s": "[Hub des partenariats] %(text)s",
    "Impact report: %(title)s": "Rapport d’impact : %(title)s",
}
ARABIC = {"Partnerships Hub": "مركز الشراكات", "Language": "اللغة"}
