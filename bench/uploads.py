"""Benchmark a batch upload to a local MediaWiki: the Hub's client against pywikibot's UploadRobot.

Usage: .venv/bin/python bench/uploads.py [--files 200] [--file-kb 1000] [--rounds 4]
[--duplicates 10] [--big-mb 2048 | --big-mb 0]

Needs pywikibot, for this benchmark only (the ``bench`` extra):
``.venv/bin/pip install -c constraints.txt -e ".[bench]"``.

Two fresh copies of the local wiki (tests/localwiki.py), each behind a relay that counts
requests and bytes sent: the Hub uploads the files to one, pywikibot the same files to the
other, with the same account (Admin's bot password), in interleaved rounds. The Hub works as
the batch runner does: the validation phase looks up each file's SHA-1 (counted apart), then
per 50 files one title query, one upload per file, one query for the page ids. pywikibot runs
``UploadRobot`` per file with ``put_throttle = 0``, ``minthrottle = 0`` and
``ignore_bot_templates``, offline (its configuration is written into a temporary
``PYWIKIBOT_DIR``). Then files already on the wiki are uploaded again under new names (bytes
sent, uploads left in the stash), and a big file goes up in chunks in a worker process whose
peak memory is printed. The figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import logging
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from wikimedia_refresh import TimingRelay  # noqa: E402 - after the path is set

RESULTS = ROOT / "bench" / "results" / "uploads.txt"
BATCH = 50
TEXT = "=={{int:filedesc}}==\n{{Information|description=A partner's photograph.}}\n"
SUMMARY = "Batch upload (benchmark)"
INSTALL_HINT = 'pywikibot is missing: .venv/bin/pip install -c constraints.txt -e ".[bench]"'


@dataclass
class Phase:
    """What one tool spent on some files: requests, wall time, its own CPU, bytes sent."""

    files: int = 0
    requests: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    bytes_up: int = 0

    def add(self, other: Phase) -> None:
        self.files += other.files
        self.requests += other.requests
        self.wall += other.wall
        self.cpu += other.cpu
        self.bytes_up += other.bytes_up


class Measure:
    """Time a block: wall clock, this thread's CPU (relays run in others), the relay's counts."""

    def __init__(self, relay: TimingRelay, files: int) -> None:
        self.relay = relay
        self.phase = Phase(files=files)

    def __enter__(self) -> Phase:
        time.sleep(0.05)  # let the relay finish counting what came before
        self.relay.reset()
        self._wall = time.perf_counter()
        self._cpu = time.thread_time()
        return self.phase

    def __exit__(self, *exc: object) -> None:
        self.phase.wall = time.perf_counter() - self._wall
        self.phase.cpu = time.thread_time() - self._cpu
        time.sleep(0.05)
        self.phase.requests = self.relay.requests
        self.phase.bytes_up = self.relay.bytes_up


def make_files(folder: Path, count: int, kb: int) -> list[Path]:
    """Write ``count`` different JPEG photographs (noise) of about ``kb`` kB each."""
    from PIL import Image

    def photo(side: int) -> bytes:
        bands = [Image.effect_noise((side, side), 60) for _ in range(3)]
        out = io.BytesIO()
        Image.merge("RGB", bands).save(out, "JPEG", quality=92)
        return out.getvalue()

    side = 600
    side = int(side * (kb * 1000 / len(photo(side))) ** 0.5)
    paths = []
    for n in range(count):
        path = folder / f"photo-{n:04d}.jpg"
        path.write_bytes(photo(side))
        paths.append(path)
    return paths


def sha1_of(path: Path) -> str:
    digest = hashlib.sha1()  # noqa: S324 - MediaWiki compares files by SHA-1
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def stashed(wiki: Any) -> int:
    """Return how many uploads wait in the wiki's upload stash."""
    with sqlite3.connect(wiki.root / "data" / "testwiki.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM uploadstash").fetchone()[0])


# -- the Hub --------------------------------------------------------------------------------------


def hub_validate(client: Any, files: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Return the files whose bytes are not on the wiki yet (one SHA-1 lookup per file)."""
    return [(path, title) for path, title in files if not client.titles_with_sha1(sha1_of(path))]


def hub_upload(client: Any, files: list[tuple[Path, str]]) -> None:
    """Upload as the batch runner does: per 50 files a title query, the uploads, the page ids."""
    for start in range(0, len(files), BATCH):
        batch = files[start : start + BATCH]
        titles = [title for _, title in batch]
        taken = client.files_by_title(titles)
        for path, title in batch:
            if taken[title] is not None:
                continue
            outcome = client.upload(
                path, filename=title, text=TEXT, comment=SUMMARY, with_page_id=False
            )
            assert outcome.result == "Success", outcome
        on_wiki = client.files_by_title(titles)  # the ledger's page ids and revisions
        assert all(on_wiki[t] is not None for t in titles)


# -- pywikibot ------------------------------------------------------------------------------------


def pywikibot_site(folder: Path, api_url: str, bot: tuple[str, str]) -> Any:
    """Configure pywikibot for the local wiki, offline, and return its logged-in site."""
    user, password = bot
    account, app = user.split("@")
    (folder / "user-config.py").write_text(
        "family = 'local'\n"
        "mylang = 'local'\n"
        f"family_files['local'] = {api_url!r}\n"
        f"usernames['local']['local'] = {account!r}\n"
        "password_file = 'passwordfile'\n"
        "put_throttle = 0\n"
        "minthrottle = 0\n"
        "maxthrottle = 0\n"
        "ignore_bot_templates = True\n"
        "max_retries = 2\n"
        "verbose_output = 0\n",
        encoding="utf-8",
    )
    secret = folder / "passwordfile"
    secret.write_text(f"({account!r}, BotPassword({app!r}, {password!r}))\n", encoding="utf-8")
    secret.chmod(0o600)
    os.environ["PYWIKIBOT_DIR"] = str(folder)
    try:
        import pywikibot
    except ImportError:
        sys.exit(INSTALL_HINT)
    logging.getLogger("pywiki").setLevel(logging.WARNING)  # not a line per file on the console
    site = pywikibot.Site("local", "local")
    site.login()
    return site


def pywikibot_upload(site: Any, files: list[tuple[Path, str]]) -> int:
    """Upload each file with its own UploadRobot, as a batch script does; return the uploads."""
    from pywikibot.specialbots import UploadRobot

    done = 0
    for path, title in files:
        robot = UploadRobot(
            [str(path)],
            description=TEXT,
            use_filename=title,
            keep_filename=True,
            verify_description=False,
            aborts=True,  # any warning stops this file (nobody is there to answer)
            target_site=site,
            summary=SUMMARY,
            always=True,
        )
        robot.run()
        done += robot.counter["upload"]
    return done


# -- a big file, in a worker process --------------------------------------------------------------


def big_file(path: Path, megabytes: int) -> Path:
    """Write a PDF of ``megabytes`` MB: a header, a hole the disk does not store, a trailer."""
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
        trailer = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
        out.truncate(megabytes * 1024 * 1024 - len(trailer))
        out.seek(0, os.SEEK_END)
        out.write(trailer)
    return path


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def big_worker(api_url: str, user: str, password: str, path: str) -> None:
    """Upload one big file in chunks, as a worker does; print the figures as JSON."""
    import django

    django.setup()
    from hub.wikimedia.mediawiki import MediaWikiClient

    client = MediaWikiClient(api_url, user_supplied=True)
    client.login(user, password)
    before = rss_mb()
    chunks = 0

    def count(key: str, offset: int) -> None:
        nonlocal chunks
        chunks += 1

    started = time.perf_counter()
    outcome = client.upload(
        Path(path), filename="Big partner scan.pdf", text=TEXT, comment=SUMMARY, on_chunk=count
    )
    print(
        json.dumps(
            {
                "result": outcome.result,
                "sha1_ok": outcome.sha1 == sha1_of(Path(path)),
                "seconds": time.perf_counter() - started,
                "requests": client.stats.requests,
                "chunks": chunks,
                "chunk_mb": client.upload_limits().chunk_bytes / 1024 / 1024,
                "rss_before_mb": before,
                "peak_rss_mb": rss_mb(),
            }
        )
    )


# -- the run --------------------------------------------------------------------------------------


def per_file(phase: Phase) -> tuple[float, float, float]:
    n = max(phase.files, 1)
    return phase.requests / n, phase.wall / n, phase.cpu * 1000 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200, help="files each tool uploads")
    parser.add_argument("--file-kb", type=int, default=1000, help="size of each file")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds")
    parser.add_argument("--duplicates", type=int, default=10, help="files sent a second time")
    parser.add_argument("--big-mb", type=int, default=2048, help="the big file (0: none)")
    parser.add_argument("--worker-big", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("HUB_TESTING", "1")
    if args.worker_big:
        big_worker(*args.worker_big)
        return
    if importlib.util.find_spec("pywikibot") is None:
        sys.exit(INSTALL_HINT)  # before the minutes of setting up

    from tests.localwiki import create_local_wiki, free_port

    with tempfile.TemporaryDirectory(prefix="hub-bench-uploads-") as tmp_name:
        tmp = Path(tmp_name)
        ports = {"hub": free_port(), "pywikibot": free_port()}
        relays = {name: TimingRelay(port) for name, port in ports.items()}
        urls = {name: f"http://127.0.0.1:{relay.port}/api.php" for name, relay in relays.items()}
        print(f"Making {args.files} photographs of about {args.file_kb:,} kB…", flush=True)
        (tmp / "files").mkdir()
        paths = make_files(tmp / "files", args.files + args.duplicates, args.file_kb)
        files = [(p, f"Partner photo {n:04d}.jpg") for n, p in enumerate(paths[: args.files])]
        wikis = {
            name: create_local_wiki(tmp / name, port=port, files=1250)
            for name, port in ports.items()
        }
        allowed = [url.removesuffix("/api.php") for url in urls.values()]
        os.environ["HUB_ALLOWED_PRIVATE_WIKIS"] = ",".join([*allowed, wikis["hub"].base_url])
        os.environ["HUB_DATA_DIR"] = str(tmp)
        os.environ.pop("HUB_DATABASE_URL", None)
        import django

        django.setup()
        from hub.wikimedia.mediawiki import MediaWikiClient

        try:
            (tmp / "pywikibot-config").mkdir()
            site = pywikibot_site(
                tmp / "pywikibot", urls["pywikibot"], wikis["pywikibot"].admin_bot
            )
            client = MediaWikiClient(urls["hub"], user_supplied=True)
            client.login(*wikis["hub"].admin_bot)
            validation, hub, pwb = Phase(), Phase(), Phase()
            size = -(-len(files) // args.rounds)
            for round_ in range(args.rounds):
                chunk = files[round_ * size : (round_ + 1) * size]
                order = ("hub", "pywikibot") if round_ % 2 == 0 else ("pywikibot", "hub")
                for tool in order:
                    if tool == "hub":
                        with Measure(relays["hub"], len(chunk)) as checked:
                            fresh = hub_validate(client, chunk)
                        validation.add(checked)
                        with Measure(relays["hub"], len(chunk)) as phase:
                            hub_upload(client, fresh)
                        hub.add(phase)
                    else:
                        with Measure(relays["pywikibot"], len(chunk)) as phase:
                            uploaded = pywikibot_upload(site, chunk)
                        assert uploaded == len(chunk), (uploaded, len(chunk))
                        pwb.add(phase)
                print(f"  round {round_ + 1}/{args.rounds} done", flush=True)

            # The same bytes again, under new titles.
            again = [
                (p, f"Partner copy {n:04d}.jpg")
                for n, (p, _) in enumerate(files[: args.duplicates])
            ]
            stash_before = {name: stashed(wiki) for name, wiki in wikis.items()}
            with Measure(relays["hub"], len(again)) as hub_dup:
                assert hub_validate(client, again) == []
            with Measure(relays["pywikibot"], len(again)) as pwb_dup:
                assert pywikibot_upload(site, again) == 0
            stash_added = {name: stashed(wiki) - stash_before[name] for name, wiki in wikis.items()}

            big: dict[str, Any] = {}
            if args.big_mb:
                print(f"Uploading a {args.big_mb:,} MB file in chunks…", flush=True)
                path = big_file(tmp / "big.pdf", args.big_mb)
                worker = subprocess.run(  # noqa: S603 - this script, as a worker
                    [
                        sys.executable,
                        __file__,
                        "--worker-big",
                        wikis["hub"].api_url,
                        *wikis["hub"].admin_bot,
                        str(path),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                    env=os.environ.copy(),
                )
                if worker.returncode == 0:
                    big = json.loads(worker.stdout.strip().splitlines()[-1])
                else:
                    big = {"error": worker.stderr.strip().splitlines()[-1]}
        finally:
            for wiki in wikis.values():
                wiki.stop()

    rows = [
        ("Hub: validation (SHA-1 lookups)", validation),
        ("Hub: upload phase", hub),
        ("pywikibot UploadRobot", pwb),
    ]
    lines = [
        f"Batch upload to a local MediaWiki 1.39: {args.files} JPEG files of about "
        f"{args.file_kb:,} kB per tool, {args.rounds} interleaved rounds, same account",
        "",
        f"{'':<34}{'requests/file':>14}{'wall s/file':>13}{'client CPU ms/file':>20}",
    ]
    for name, phase in rows:
        r, w, c = per_file(phase)
        lines.append(f"{name:<34}{r:>14.2f}{w:>13.3f}{c:>20.1f}")
    (hr, hw, hc), (pr, pw, pc) = per_file(hub), per_file(pwb)
    lines += [
        f"{'Hub upload / pywikibot':<34}{hr / pr:>13.2f}×{hw / pw:>12.2f}×{hc / pc:>19.2f}×",
        "",
        f"The same bytes again under {args.duplicates} new titles:",
        f"  Hub:       {hub_dup.bytes_up / len(again):>12,.0f} bytes sent per file, "
        f"{hub_dup.requests / len(again):.2f} requests, {stash_added['hub']} left in the stash",
        f"  pywikibot: {pwb_dup.bytes_up / len(again):>12,.0f} bytes sent per file, "
        f"{pwb_dup.requests / len(again):.2f} requests, "
        f"{stash_added['pywikibot']} left in the stash",
    ]
    if "error" in big:
        lines += ["", f"The {args.big_mb:,} MB file failed: {big['error']}"]
    elif big:
        lines += [
            "",
            f"A {args.big_mb:,} MB file in {big['chunks']} chunks of {big['chunk_mb']:.0f} MB: "
            f"{big['result']}, SHA-1 {'matches' if big['sha1_ok'] else 'DIFFERS'}, "
            f"{big['seconds']:.1f} s, {big['requests']} requests; worker peak RSS "
            f"{big['peak_rss_mb']:.0f} MB ({big['rss_before_mb']:.0f} MB before the upload)",
        ]
    lines += [
        "",
        "Targets: upload phase ≤ 1.1 requests per file; wall time ≤ 0.75 × pywikibot's; a "
        "duplicate sends none of its bytes and leaves nothing in the stash; a 2 GB file with "
        "the worker under 200 MB.",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    summary = {"validation": vars(validation), "hub": vars(hub), "pywikibot": vars(pwb), "big": big}
    RESULTS.write_text(text + "\n\n" + json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
