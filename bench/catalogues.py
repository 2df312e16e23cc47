"""Time what offering only complete languages costs at start-up: reading every catalogue.

Usage: .venv/bin/python bench/catalogues.py [--languages 8] [--repeat 20]. Builds full-size
catalogues (every message of the source, translated) in a temporary folder, compiles them, and
times hub.core.catalogues.shipped_languages over them, as config/settings.py runs it once per
process start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODES = ["fr", "es", "ar", "sv", "de", "pl", "uk", "pt"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--languages", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with tempfile.TemporaryDirectory() as tmp:
        locale = Path(tmp)
        started = time.perf_counter()
        _extract(locale)
        extracted = time.perf_counter() - started
        from hub.core.catalogues import read_po, shipped_languages

        filled = _fill(read_po(locale / "xx" / "LC_MESSAGES" / "django.po"))
        for code in CODES[: args.languages]:
            folder = locale / code / "LC_MESSAGES"
            folder.mkdir(parents=True)
            (folder / "django.po").write_text(filled, encoding="utf-8")
            subprocess.run(  # noqa: S603
                ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")],  # noqa: S607
                check=True,
            )
        known = [("en", "English")] + [(c, c) for c in CODES]
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            shipped = shipped_languages(locale, known)
            times.append(time.perf_counter() - t)
        entries = len(read_po(locale / "fr" / "LC_MESSAGES" / "django.po"))
    print(f"messages in the source: {entries}; extraction (makemessages): {extracted:.2f} s")
    print(
        f"shipped_languages over {args.languages} complete catalogues: "
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
        f"({len(shipped) - 1} offered)"
    )


def _extract(locale: Path) -> None:
    """Run makemessages for a placeholder language into locale."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.LOCALE_PATHS = [locale]
    os.chdir(ROOT)
    ignore = [
        ".venv",
        "node_modules",
        "var",
        "staticfiles",
        "build",
        "tests",
        "bench",
        "*.egg-info",
    ]
    call_command(
        "makemessages", locale=["xx"], ignore_patterns=ignore, no_location=True, verbosity=0
    )


def _fill(entries: list) -> str:
    """Return a complete catalogue: every message translated by itself."""

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    parts = [
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    ]
    for e in entries:
        lines = [f"msgctxt {q(e.msgctxt)}"] if e.msgctxt is not None else []
        lines.append(f"msgid {q(e.msgid)}")
        if e.msgid_plural:
            lines += [
                f"msgid_plural {q(e.msgid_plural)}",
                f"msgstr[0] {q(e.msgid)}",
                f"msgstr[1] {q(e.msgid_plural)}",
            ]
        else:
            lines.append(f"msgstr {q(e.msgid)}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    main()
