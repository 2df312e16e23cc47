"""A worker killed (kill -9) at each step of a row's ledger, against the real local MediaWiki.

Each test starts a batch of three files in a real worker (manage.py run_worker) whose client
stops at one step (tests/uploads_blocking.py), kills it there with SIGKILL, starts a second
worker, and checks that every file ends on the wiki exactly once: its bytes under its title and
under no other.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.wikimedia.http import reset_sessions
from hub.wikimedia.mediainfo import get_mediainfo
from hub.wikimedia.mediawiki import MediaWikiClient
from tests.localwiki import LocalWiki
from tests.sdc_standin import SdcStandIn
from tests.test_queue import WAIT_SECONDS, _Processes, _SubprocessDatabase

SETUP = """
import os, uuid
from pathlib import Path
from PIL import Image
from django.core.management import call_command
call_command('migrate', verbosity=0)
from hub.core.models import Affiliate
from hub.partners.models import Organisation
from hub.partnerships.services import create_partnership
from hub.uploads import services
from hub.uploads.dryrun import run_check
affiliate = Affiliate.objects.create(name='Alpha', slug='alpha')
museum = Organisation.objects.create(affiliate=affiliate, name='Nordic Museum')
partnership = create_partnership(
    actor=None, affiliate=affiliate, title='Nordic', partners=[(museum, 'main')]
)
work = Path(os.environ['CRASH_WORK'])
tag = uuid.uuid4().hex[:8]
lines = ['File,Name,Description,Author,Date,Source,Licence,Caption (en)']
for n in range(3):
    lines.append(f'p{n}.png,Crash {tag} {n},Photo {n},Anna,1923,Museum,CC0,Harbour {n}')
(work / 'sheet.csv').write_text('\\n'.join(lines) + '\\n')
batch = services.create_batch(
    actor=None, partnership=partnership, title='Crash', wiki_url=os.environ['CRASH_WIKI']
)
services.attach_sheet(
    actor=None, batch=batch, path=work / 'sheet.csv', original_name='sheet.csv'
)
files = []
for n in range(3):
    picture = Image.frombytes('RGB', (96, 96), os.urandom(96 * 96 * 3))
    picture.save(work / f'p{n}.png', 'PNG')
    files.append((f'p{n}.png', work / f'p{n}.png'))
services.add_files(actor=None, batch=batch, files=files)
services.set_page_template(
    actor=None, batch=batch, structured_data=bool(os.environ.get('CRASH_SDC'))
)
services.set_account(
    actor=None, batch=batch, kind='bot_password',
    name=os.environ['CRASH_BOT'], secret=os.environ['CRASH_PASSWORD'],
)
services.request_check(actor=None, batch=batch)
print('CHECK', run_check(batch_id=batch.pk))
services.start_upload(actor=None, batch=batch)
print('BATCH', batch.pk)
"""
WORKER = ["run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


@pytest.fixture
def crash_env(
    tmp_path: Path, local_wiki: LocalWiki, settings: Any
) -> Iterator[tuple[_SubprocessDatabase, _Processes, Path]]:
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url]
    reset_sessions()
    db = _SubprocessDatabase(tmp_path)
    blocks = tmp_path / "blocks"
    blocks.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    db.env.update(
        {
            "HUB_ALLOWED_PRIVATE_WIKIS": local_wiki.base_url,
            "HUB_UPLOADS_DIR": str(tmp_path / "uploads"),
            "HUB_UPLOADS_CLIENT_CLASS": "tests.uploads_blocking.BlockingClient",
            "HUB_UPLOADS_BLOCK_DIR": str(blocks),
            "CRASH_WORK": str(work),
            "CRASH_WIKI": local_wiki.api_url,
            "CRASH_BOT": local_wiki.admin_bot[0],
            "CRASH_PASSWORD": local_wiki.admin_bot[1],
        }
    )
    procs = _Processes(tmp_path, db.env)
    try:
        yield db, procs, blocks
    finally:
        procs.kill_all()
        reset_sessions()


# (the step to stop at, which call of it, the row state the kill leaves on that row)
STEPS = [
    ("upload-before", 2, "sending"),  # written "sending", bytes not sent yet
    ("upload-after", 2, "sending"),  # the wiki has the file, the ledger does not know yet
    ("chunk-before", 3, "stashed"),  # half the chunks in the stash, the key kept
    ("finish-before", 1, "stashed"),  # every chunk in the stash, not published yet
    ("wbeditentity-before", 2, "uploaded"),  # on the wiki, its structured data not written
    ("wbeditentity-after", 1, "uploaded"),  # structured data written, the ledger not told
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("point", "nth", "left"), STEPS)
def test_a_worker_killed_at_each_ledger_step_leaves_every_file_on_the_wiki_once(
    crash_env: tuple[_SubprocessDatabase, _Processes, Path],
    local_wiki: LocalWiki,
    point: str,
    nth: int,
    left: str,
    settings: Any,
) -> None:
    db, processes, blocks = crash_env
    if point.startswith(("chunk", "finish")):
        db.env["HUB_UPLOADS_SMALL_CHUNKS"] = "1"
    standin = None
    if point.startswith("wbeditentity"):
        # Commons' structured data: the stand-in in front of the local wiki (tests/sdc_standin.py).
        standin = SdcStandIn(upstream=local_wiki.base_url)
        db.env["CRASH_SDC"] = "1"
        db.env["CRASH_WIKI"] = standin.api_url
        db.env["HUB_ALLOWED_PRIVATE_WIKIS"] = f"{local_wiki.base_url},{standin.url('/')}"
        settings.HUB_ALLOWED_PRIVATE_WIKIS = [local_wiki.base_url, standin.url("/")]
        reset_sessions()
    try:
        _kill_and_resume(db, processes, blocks, local_wiki, point, nth, left, standin)
    finally:
        if standin is not None:
            standin.close()


def _kill_and_resume(
    db: _SubprocessDatabase,
    processes: _Processes,
    blocks: Path,
    local_wiki: LocalWiki,
    point: str,
    nth: int,
    left: str,
    standin: SdcStandIn | None,
) -> None:
    (blocks / point).write_text(str(nth))
    setup = processes.start("setup", "shell", "-c", SETUP)
    assert setup.wait(timeout=WAIT_SECONDS * 3) == 0, processes.logs()
    log = (db.sqlite_path.parent / "setup.log").read_text()
    assert "'validated': 3" in log, log
    batch_id = int(next(ln for ln in log.splitlines() if ln.startswith("BATCH")).split()[1])

    first = processes.start("first", *WORKER, "--worker-id", "doomed")
    processes.wait_for(lambda: (blocks / f"reached-{point}").exists(), f"the worker at {point}")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    states = [
        s
        for (s,) in db.rows(
            "SELECT state FROM uploads_uploadrow WHERE batch_id = ? ORDER BY number", batch_id
        )
    ]
    assert left in states, states
    (blocks / point).unlink()

    second = processes.start("second", *WORKER, "--worker-id", "rescuer")
    processes.wait_for(
        lambda: (
            db.rows("SELECT status FROM uploads_uploadbatch WHERE id = ?", batch_id)[0][0]
            == "finished"
        ),
        "the resumed batch",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0, processes.logs()

    rows = db.rows(
        "SELECT r.state, r.title, f.sha1 FROM uploads_uploadrow r "
        "JOIN uploads_uploadfile f ON f.id = r.file_id WHERE r.batch_id = ? ORDER BY r.number",
        batch_id,
    )
    assert [state for state, _t, _s in rows] == ["done"] * 3, processes.logs()
    client = MediaWikiClient(local_wiki.api_url, user_supplied=True)
    for _state, title, sha1 in rows:
        assert client.titles_with_sha1(sha1) == [f"File:{title}"], (title, processes.logs())
    assert len({sha1 for _st, _t, sha1 in rows}) == 3
    if standin is not None:
        page_ids = [
            pid
            for (pid,) in db.rows(
                "SELECT page_id FROM uploads_uploadrow WHERE batch_id = ? ORDER BY number",
                batch_id,
            )
        ]
        sdc = MediaWikiClient(standin.api_url, user_supplied=True)
        entities = get_mediainfo(sdc, page_ids)
        for n, page_id in enumerate(page_ids):
            entity = entities[page_id]
            assert entity["labels"]["en"]["value"] == f"Harbour {n}"
            for prop, statements in entity["statements"].items():
                assert len(statements) == 1, (prop, statements)  # written once, not twice
