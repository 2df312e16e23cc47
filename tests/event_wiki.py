"""Give the local MediaWiki (tests/localwiki.py) users who edit, create pages and upload at
known times: for the events counting tests and bench/events.py.

Edits and page creations are imported with importDump.php (the revisions keep their users and
times: a page's first revision is its creation); uploads go through importImages.php as the
user, at a given time; users are created in one PHP process, with the registration time given.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from tests.localwiki import LocalWiki, tiny_png

NAMESPACES = {"File": 6, "Category": 14, "User": 2, "Talk": 1}


def mw_time(moment: dt.datetime) -> str:
    """Return a time as MediaWiki's maintenance scripts take it (YYYYMMDDHHMMSS, UTC)."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


def create_users(wiki: LocalWiki, users: Mapping[str, dt.datetime]) -> None:
    """Create the users (name → registration time) in one PHP process; existing ones are kept."""
    lines = ["$dbw = wfGetDB( DB_PRIMARY );"]
    for name, registered in users.items():
        quoted = name.replace("\\", "\\\\").replace("'", "\\'")
        lines.append(f"User::createNew( '{quoted}' );")
        lines.append(
            f"$dbw->update( 'user', [ 'user_registration' => '{mw_time(registered)}' ], "
            f"[ 'user_name' => '{quoted}' ], 'events-test' );"
        )
    wiki.php("maintenance/eval.php", stdin=("\n".join(lines) + "\n").encode("utf-8"))


Revision = tuple[dt.datetime, str, str, str]  # time, user, wikitext, summary


def import_revisions(wiki: LocalWiki, pages: Mapping[str, Sequence[Revision]]) -> None:
    """Import pages with their revisions (oldest first), each by its user at its time."""
    parts = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">'
    ]
    for title, revisions in pages.items():
        prefix = title.split(":", 1)[0] if ":" in title else ""
        ns = NAMESPACES.get(prefix, 0)
        parts.append(f"<page><title>{escape(title)}</title><ns>{ns}</ns>")
        for when, user, text, summary in revisions:
            stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            parts.append(
                f"<revision><timestamp>{stamp}</timestamp>"
                f"<contributor><username>{escape(user)}</username></contributor>"
                f"<comment>{escape(summary)}</comment>"
                "<model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(text)}</text></revision>'
            )
        parts.append("</page>")
    parts.append("</mediawiki>")
    wiki.php("maintenance/importDump.php", stdin="\n".join(parts).encode("utf-8"))


def upload_files(
    wiki: LocalWiki, user: str, when: dt.datetime, names: Sequence[str], *, seed: int = 0
) -> None:
    """Upload new files as the user at the given time (importImages.php)."""
    with tempfile.TemporaryDirectory() as folder:
        for index, name in enumerate(names):
            (Path(folder) / name).write_bytes(tiny_png(seed * 1000 + index + 7919))
        wiki.php(
            "maintenance/importImages.php",
            folder,
            "--extensions=png",
            f"--user={user}",
            f"--timestamp={mw_time(when)}",
            "--comment=Uploaded for the event",
        )
    # importImages.php dates the file but not its page's first revision (it is "now"): date
    # that revision too, as if the upload had happened then.
    titles = ", ".join("'" + n.replace(" ", "_").replace("'", "\\'") + "'" for n in names)
    code = (
        "$dbw = wfGetDB( DB_PRIMARY ); "
        f"foreach ( [ {titles} ] as $t ) {{ "
        "$id = $dbw->selectField( 'page', 'page_id', "
        "[ 'page_namespace' => 6, 'page_title' => $t ], 'events-test' ); "
        f"$dbw->update( 'revision', [ 'rev_timestamp' => $dbw->timestamp( '{mw_time(when)}' ) ], "
        "[ 'rev_page' => $id ], 'events-test' ); }\n"
    )
    wiki.php("maintenance/eval.php", stdin=code.encode("utf-8"))


def move_page(wiki: LocalWiki, old: str, new: str, *, by: str = "Admin") -> None:
    """Rename a page (moveBatch.php), leaving a redirect."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write(f"{old}|{new}\n")
    try:
        wiki.php("maintenance/moveBatch.php", f"--u={by}", "--r=Renamed", listing.name)
    finally:
        Path(listing.name).unlink(missing_ok=True)
