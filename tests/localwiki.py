"""Set up and run a real MediaWiki (Debian's 1.39 package) on 127.0.0.1 for the client tests.

Used by the ``local_wiki`` fixture in ``tests/conftest.py`` and by ``bench/wikimedia_refresh.py``.
A running wiki lives in one directory: the SQLite databases, LocalSettings.php, uploads.

Installing takes several seconds of PHP, so a wiki is installed once into a cache folder
(``var/cache/localwiki/<MediaWiki version>/<files>-<key>/``, or under ``$HUB_LOCALWIKI_CACHE``)
and each run copies that folder and starts the copy. The key is a digest of this file, the
MediaWiki and PHP versions and the number of files: changing any of them installs afresh, and a
missing cache is built on first use.

Filling a category with thousands of files through ``importImages.php`` costs ~60 ms a file, too
slow for a test run. So a few dozen files are uploaded for real, and the rest are copies of those
rows (``page``, ``image``, ``categorylinks``, ``category``) written straight into the SQLite
database before the server starts: MediaWiki then answers ``categorymembers``, ``categoryinfo``
and ``imageinfo`` for them with its own code, continuation and limits included.

Knobs the tests turn while the server runs (LocalSettings.php reads them on every request):
``maxlag.flag`` makes queued jobs count as replication lag (``$wgJobQueueIncludeInMaxLagFactor``),
``ratelimit-window`` sets the seconds of ``$wgRateLimits['edit']['user'] = [3, window]``,
``upload-ratelimit`` ("count seconds") limits ordinary users' uploads, ``stash-max-age`` the
seconds a stashed upload lives. Uploads: the file types Commons takes most (jpg, png, gif, tiff,
pdf, svg, webp), 4 GB in chunks through the stash (assembled in the last chunk's request), up to
``PHP_UPLOAD_MB`` in one request.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import time
import urllib.request
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

MEDIAWIKI_DIR = Path(os.environ.get("HUB_MEDIAWIKI_DIR", "/var/lib/mediawiki"))
CACHE_DIR = Path(
    os.environ.get(
        "HUB_LOCALWIKI_CACHE",
        Path(__file__).resolve().parent.parent / "var" / "cache" / "localwiki",
    )
)
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends mediawiki php-sqlite3 php-cli php-curl "
    "php-apcu imagemagick (or `make mediawiki`)"
)
ADMIN = "Admin"
ADMIN_PASSWORD = "Admin-password-for-tests-1"  # noqa: S105 - a throwaway local wiki
EDITOR = "Editor"
EDITOR_PASSWORD = "Editor-password-for-tests-1"  # noqa: S105
BOT_APP = "hub"
BOT_GRANTS = "basic,highvolume,editpage,createeditmovepage,uploadfile,uploadeditmovefile"
BIG_CATEGORY = "Big files"
SUB_A = "Big files/Sub A"
SUB_B = "Big files/Sub B"
UNICODE_CATEGORY = "Café déjà vu"  # stored in NFC, as MediaWiki stores every title
REAL_UPLOADS = 60
PHP_UPLOAD_MB = 100  # upload_max_filesize of php -S: Commons' limit for one request


def missing_reason() -> str | None:
    """Return why a local MediaWiki cannot run here, or None when it can."""
    if not (MEDIAWIKI_DIR / "maintenance" / "install.php").exists():
        return f"MediaWiki is not installed at {MEDIAWIKI_DIR}: {INSTALL_HINT}"
    if shutil.which("php") is None:
        return f"php is not installed: {INSTALL_HINT}"
    probe = subprocess.run(  # noqa: S603 - our own fixed command
        [php_binary(), "-m"], capture_output=True, text=True, check=False, timeout=30
    )
    if "pdo_sqlite" not in probe.stdout:
        return f"PHP's SQLite driver is missing: {INSTALL_HINT}"
    return None


def php_binary() -> str:
    """Return the path of the PHP command-line interpreter."""
    return shutil.which("php") or "/usr/bin/php"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tiny_png(seed: int) -> bytes:
    """Return a valid 1×1 PNG whose colour (and so SHA-1) depends on the seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    pixel = bytes([0, seed % 256, (seed >> 8) % 256, (seed >> 16) % 256])
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


def _base36_sha1(data: bytes) -> str:
    number = int(hashlib.sha1(data).hexdigest(), 16)  # noqa: S324 - MediaWiki's own format
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(31, "0")


@dataclass
class LocalWiki:
    """A running local MediaWiki: where it is, who can log in, what it contains."""

    root: Path
    port: int
    files: int
    process: subprocess.Popen[bytes] | None = None
    log: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api.php"

    @property
    def admin_bot(self) -> tuple[str, str]:
        """Return (name, password) of the administrator's bot password (apihighlimits)."""
        return f"{ADMIN}@{BOT_APP}", self._bot_passwords[ADMIN]

    @property
    def editor_bot(self) -> tuple[str, str]:
        """Return (name, password) of the ordinary user's bot password (rate-limited)."""
        return f"{EDITOR}@{BOT_APP}", self._bot_passwords[EDITOR]

    _bot_passwords: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**os.environ, "MW_CONFIG_FILE": str(self.root / "LocalSettings.php")}

    def php(self, *args: str, stdin: bytes | None = None) -> str:
        """Run a maintenance script against this wiki and return its output."""
        result = subprocess.run(  # noqa: S603 - maintenance scripts with our own arguments
            [php_binary(), *args],
            cwd=MEDIAWIKI_DIR,
            env=self.env(),
            input=stdin,
            capture_output=True,
            check=False,
            timeout=600,
        )
        out = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
        self.log.append(f"$ php {' '.join(args)}\n{out}")
        if result.returncode != 0:
            raise RuntimeError(f"php {' '.join(args)} failed:\n{out}")
        return out

    def import_pages(self, pages: Mapping[str, str | Sequence[tuple[str, str]]]) -> None:
        """Write pages with revisions at known times (see :func:`_dump`) through importDump."""
        self.php("maintenance/importDump.php", stdin=_dump(pages))

    # -- knobs ------------------------------------------------------------------------------

    def set_maxlag(self, on: bool) -> None:
        """Make queued jobs count as lag (so ``maxlag`` fails), or stop doing so."""
        flag = self.root / "maxlag.flag"
        if on:
            flag.write_text("1")
        else:
            flag.unlink(missing_ok=True)

    def set_ratelimit_window(self, seconds: int) -> None:
        """Set the window of the 3-edits rate limit for ordinary users."""
        (self.root / "ratelimit-window").write_text(str(seconds))

    def set_upload_ratelimit(self, count: int | None, seconds: int = 60) -> None:
        """Limit ordinary users to ``count`` uploads per ``seconds`` (None: no limit)."""
        knob = self.root / "upload-ratelimit"
        if count is None:
            knob.unlink(missing_ok=True)
        else:
            knob.write_text(f"{count} {seconds}")

    def set_stash_max_age(self, seconds: int | None) -> None:
        """Set how long stashed (unfinished) uploads live (None: MediaWiki's 6 hours)."""
        knob = self.root / "stash-max-age"
        if seconds is None:
            knob.unlink(missing_ok=True)
        else:
            knob.write_text(str(seconds))

    def queued_jobs(self) -> int:
        """Return how many jobs wait in the queue (they count as lag under maxlag.flag)."""
        with sqlite3.connect(self.root / "data" / "testwiki_jobqueue.sqlite") as db:
            return int(db.execute("SELECT COUNT(*) FROM job").fetchone()[0])

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start ``php -S`` and wait until the API answers."""
        log = open(self.root / "php-server.log", "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [
                php_binary(),
                "-d",
                "memory_limit=512M",
                # A chunk or a whole file per request, as Commons allows; files above go in chunks.
                "-d",
                f"upload_max_filesize={PHP_UPLOAD_MB}M",
                "-d",
                f"post_max_size={PHP_UPLOAD_MB + 1}M",
                "-S",
                f"127.0.0.1:{self.port}",
                "-t",
                ".",
            ],
            cwd=MEDIAWIKI_DIR,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        url = f"{self.api_url}?action=query&meta=siteinfo&format=json"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"php -S exited: {(self.root / 'php-server.log').read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - loopback
                    if reply.status == 200 and b"generator" in reply.read():
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the local MediaWiki did not answer within 30 s")

    def stop(self) -> None:
        """Stop the server started by :meth:`start` (by its process id)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


SETTINGS = """
# --- added by tests/localwiki.py ---
$wgEnableUploads = true;
$wgUploadDirectory = "{root}/images";
$wgUploadPath = "/images";
$wgMaxUploadSize = 4 * 1024 * 1024 * 1024;
$wgFileExtensions = [ 'png', 'gif', 'jpg', 'jpeg', 'tif', 'tiff', 'pdf', 'svg', 'webp' ];
# Chunks are assembled within the last chunk's request (no job runner); a chunk may be small.
$wgEnableAsyncUploads = false;
$wgMinUploadChunkSize = 1024;
$wgUploadStashMaxAge = (int)( @file_get_contents( __DIR__ . '/stash-max-age' ) ?: 6 * 3600 );
$wgGroupPermissions['user']['upload'] = true;
$wgGroupPermissions['user']['reupload'] = true;
# Uploads are rate-limited only when a test asks (upload-ratelimit: "count seconds").
$wgRateLimits['upload'] = [];
if ( file_exists( __DIR__ . '/upload-ratelimit' ) ) {{
    $wgRateLimits['upload']['user'] = array_map(
        'intval', explode( ' ', trim( file_get_contents( __DIR__ . '/upload-ratelimit' ) ) )
    );
}}
$wgJobRunRate = 0;
$wgShowExceptionDetails = true;
$wgRateLimits['edit']['user'] = [
    3, (int)( @file_get_contents( __DIR__ . '/ratelimit-window' ) ?: 60 )
];
if ( file_exists( __DIR__ . '/maxlag.flag' ) ) {{
    $wgJobQueueIncludeInMaxLagFactor = 1;
}}
"""


def _dump(pages: Mapping[str, str | Sequence[tuple[str, str]]]) -> bytes:
    """Return a MediaWiki XML export holding the given pages.

    Each page is its wikitext (one revision on 2026-01-01), or its revisions as
    (timestamp "2026-01-01T00:00:00Z", wikitext) pairs, oldest first.
    """
    parts = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">'
    ]
    for title, content in pages.items():
        ns = 14 if title.startswith("Category:") else 0
        revisions = [("2026-01-01T00:00:00Z", content)] if isinstance(content, str) else content
        parts.append(f"<page><title>{escape(title)}</title><ns>{ns}</ns>")
        for timestamp, text in revisions:
            parts.append(
                f"<revision><timestamp>{escape(timestamp)}</timestamp>"
                f"<contributor><username>{ADMIN}</username></contributor>"
                "<model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(text)}</text></revision>'
            )
        parts.append("</page>")
    parts.append("</mediawiki>")
    return "\n".join(parts).encode("utf-8")


def _clone_files(db_path: Path, total: int, extra: dict[str, list[int]]) -> None:
    """Add copies of the uploaded files' rows until the big category holds ``total`` files.

    ``extra``: category (DB key) → indexes of files (0-based) to put in that category too.
    """
    big = BIG_CATEGORY.replace(" ", "_")
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        page_cols = [r[1] for r in db.execute("PRAGMA table_info(page)") if r[1] != "page_id"]
        image_cols = [r[1] for r in db.execute("PRAGMA table_info(image)")]
        template_page = dict(
            db.execute(
                "SELECT * FROM page WHERE page_namespace = 6 ORDER BY page_id LIMIT 1"
            ).fetchone()
        )
        template_image = dict(
            db.execute(
                "SELECT * FROM image WHERE img_name = ?", (template_page["page_title"],)
            ).fetchone()
        )
        template_link = dict(
            db.execute("SELECT * FROM categorylinks WHERE cl_to = ? LIMIT 1", (big,)).fetchone()
        )
        existing = db.execute(
            "SELECT COUNT(*) FROM categorylinks WHERE cl_to = ? AND cl_type = 'file'", (big,)
        )
        have = int(existing.fetchone()[0])
        rng = random.Random(4)  # noqa: S311 - page_random only
        for index in range(have, total):
            name = f"Sample_{index:05d}.png"
            page = {**template_page, "page_title": name, "page_random": rng.random()}
            cur = db.execute(
                f"INSERT INTO page ({', '.join(page_cols)}) "  # noqa: S608 - our own columns
                f"VALUES ({', '.join('?' for _ in page_cols)})",
                [page[c] for c in page_cols],
            )
            page_id = cur.lastrowid
            image = {**template_image, "img_name": name, "img_sha1": _base36_sha1(tiny_png(index))}
            db.execute(
                f"INSERT INTO image ({', '.join(image_cols)}) "  # noqa: S608
                f"VALUES ({', '.join('?' for _ in image_cols)})",
                [image[c] for c in image_cols],
            )
            db.execute(
                "INSERT INTO categorylinks (cl_from, cl_to, cl_sortkey, cl_sortkey_prefix, "
                "cl_timestamp, cl_collation, cl_type) VALUES (?, ?, ?, '', ?, ?, 'file')",
                (
                    page_id,
                    big,
                    name.replace("_", " ").upper(),
                    template_link["cl_timestamp"],
                    template_link["cl_collation"],
                ),
            )
        names = [
            r[0]
            for r in db.execute(
                "SELECT page_title, page_id FROM page WHERE page_namespace = 6 ORDER BY page_title"
            )
        ]
        for category, indexes in extra.items():
            for index in indexes:
                row = db.execute(
                    "SELECT page_id FROM page WHERE page_namespace = 6 AND page_title = ?",
                    (names[index],),
                ).fetchone()
                db.execute(
                    "INSERT OR IGNORE INTO categorylinks (cl_from, cl_to, cl_sortkey, "
                    "cl_sortkey_prefix, cl_timestamp, cl_collation, cl_type) "
                    "VALUES (?, ?, ?, '', ?, ?, 'file')",
                    (
                        row[0],
                        category,
                        names[index].replace("_", " ").upper(),
                        template_link["cl_timestamp"],
                        template_link["cl_collation"],
                    ),
                )
        # categoryinfo reads these counters; recount them from the links.
        for (cat,) in db.execute("SELECT DISTINCT cl_to FROM categorylinks").fetchall():
            counts = {
                kind: n
                for kind, n in db.execute(
                    "SELECT cl_type, COUNT(*) FROM categorylinks WHERE cl_to = ? GROUP BY cl_type",
                    (cat,),
                )
            }
            pages = sum(counts.values())
            files = counts.get("file", 0)
            subcats = counts.get("subcat", 0)
            updated = db.execute(
                "UPDATE category SET cat_pages = ?, cat_files = ?, cat_subcats = ? "
                "WHERE cat_title = ?",
                (pages, files, subcats, cat),
            )
            if updated.rowcount == 0:
                db.execute(
                    "INSERT INTO category (cat_title, cat_pages, cat_subcats, cat_files) "
                    "VALUES (?, ?, ?, ?)",
                    (cat, pages, subcats, files),
                )
        db.commit()
    finally:
        db.close()


def mediawiki_version() -> str:
    """Return the installed MediaWiki's version, e.g. ``1.39.17``."""
    defines = (MEDIAWIKI_DIR / "includes" / "Defines.php").read_text(encoding="utf-8")
    found = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", defines)
    return found.group(1) if found else "unknown"


def cache_key(files: int) -> str:
    """Return what a cached wiki depends on: this setup script, MediaWiki, PHP, ``files``."""
    php_version = subprocess.run(  # noqa: S603 - our own fixed command
        [php_binary(), "-r", "echo PHP_VERSION;"], capture_output=True, check=True, timeout=30
    ).stdout
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((MEDIAWIKI_DIR / "includes" / "Defines.php").read_bytes())
    digest.update(php_version + b"\n" + str(files).encode())
    return digest.hexdigest()[:16]


def prepared_wiki(files: int = 1250) -> Path:
    """Return the cached installed wiki with ``files`` files, installing it when missing."""
    version_dir = CACHE_DIR / mediawiki_version()
    ready = version_dir / f"{files}-{cache_key(files)}"
    if (ready / "wiki.json").exists():
        return ready
    version_dir.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing the same wiki
        if (ready / "wiki.json").exists():
            return ready
        for stale in CACHE_DIR.glob(f"*/{files}-*"):  # an older script's or MediaWiki's wiki
            shutil.rmtree(stale)
        building = version_dir / f"{ready.name}.building"
        shutil.rmtree(building, ignore_errors=True)
        _install(building, files)
        building.rename(ready)
    return ready


def create_local_wiki(root: Path, *, files: int = 1250, port: int | None = None) -> LocalWiki:
    """Copy the cached wiki with ``files`` files in Category:Big files into ``root``; start it."""
    reason = missing_reason()
    if reason:
        raise RuntimeError(reason)
    prepared = prepared_wiki(files)
    # The installer's own folder of files to upload is left out: the wiki holds them now.
    ignored = shutil.ignore_patterns("wiki.json", "uploads")
    shutil.copytree(prepared, root, dirs_exist_ok=True, ignore=ignored)
    made = json.loads((prepared / "wiki.json").read_text())
    wiki = LocalWiki(root=root, port=port or free_port(), files=files)
    wiki._bot_passwords = made["bot_passwords"]
    settings = root / "LocalSettings.php"
    text = settings.read_text(encoding="utf-8")
    text = text.replace(made["base_url"], wiki.base_url).replace(made["root"], str(root))
    settings.write_text(text, encoding="utf-8")
    wiki.start()
    return wiki


def _install(root: Path, files: int) -> None:
    """Install a wiki in ``root`` with ``files`` files in Category:Big files (not started)."""
    root.mkdir(parents=True)
    wiki = LocalWiki(root=root, port=free_port(), files=files)
    (root / "images").mkdir()
    wiki.php(
        "maintenance/install.php",
        "--dbtype=sqlite",
        f"--dbpath={root / 'data'}",
        "--dbname=testwiki",
        f"--server={wiki.base_url}",
        "--scriptpath=",
        "--lang=en",
        "--skins=Vector",
        f"--pass={ADMIN_PASSWORD}",
        f"--confpath={root}",
        "Test Wiki",
        ADMIN,
    )
    with open(root / "LocalSettings.php", "a", encoding="utf-8") as settings:
        settings.write(SETTINGS.format(root=root))
    wiki.php("maintenance/createAndPromote.php", EDITOR, EDITOR_PASSWORD)
    for user in (ADMIN, EDITOR):
        password = f"botpw{hashlib.sha256(str(root).encode() + user.encode()).hexdigest()[:32]}"
        wiki.php(
            "maintenance/createBotPassword.php",
            f"--appid={BOT_APP}",
            f"--grants={BOT_GRANTS}",
            user,
            password,
        )
        wiki._bot_passwords[user] = password

    uploads = root / "uploads"
    uploads.mkdir(exist_ok=True)
    for index in range(min(REAL_UPLOADS, files)):
        (uploads / f"Sample_{index:05d}.png").write_bytes(tiny_png(index))
    wiki.php(
        "maintenance/importImages.php",
        f"--comment=A sample file. [[Category:{BIG_CATEGORY}]]",
        f"--user={ADMIN}",
        str(uploads),
        "png",
    )
    wiki.php(
        "maintenance/importDump.php",
        stdin=_dump(
            {
                f"Category:{BIG_CATEGORY}": f"Every sample file. [[Category:{SUB_B}]]",
                f"Category:{SUB_A}": f"Some samples. [[Category:{BIG_CATEGORY}]]",
                f"Category:{SUB_B}": f"Deeper. [[Category:{SUB_A}]]",
                f"Category:{UNICODE_CATEGORY}": "Odd name.",
                "Sample article": f"An article. [[Category:{SUB_A}]]",
            }
        ),
    )
    _clone_files(
        root / "data" / "testwiki.sqlite",
        files,
        {
            SUB_A.replace(" ", "_"): [0, 1, 2, 3],  # already in the big category
            SUB_B.replace(" ", "_"): [4],
            UNICODE_CATEGORY.replace(" ", "_"): [5, 6],
        },
    )
    made = {
        "root": str(root),
        "base_url": wiki.base_url,
        "files": files,
        "bot_passwords": wiki._bot_passwords,
    }
    (root / "wiki.json").write_text(json.dumps(made))
