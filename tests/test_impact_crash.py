"""A worker killed (kill -9) in the middle of a refresh: the next one resumes from the ledger."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.impact_source import sample_world
from tests.test_queue import WAIT_SECONDS, _Processes, _SubprocessDatabase

SETUP = """
from django.core.management import call_command
call_command('migrate', verbosity=0)
from hub.core.models import Affiliate
from hub.impact.models import ContentLink, RefreshRun
from hub.impact.tasks import refresh_link
from hub.partners.models import Organisation
from hub.partnerships.services import create_partnership
affiliate = Affiliate.objects.create(name='Alpha', slug='alpha')
museum = Organisation.objects.create(affiliate=affiliate, name='Nordic Museum')
partnership = create_partnership(
    actor=None, affiliate=affiliate, title='Nordic', partners=[(museum, 'main')]
)
for name in ('killed', 'clean'):
    link = ContentLink.objects.create(
        affiliate=affiliate, partnership=partnership, kind='commons_category',
        wiki_url='https://commons.wikimedia.org', target='Images from the Nordic Museum', depth=1,
    )
    run = RefreshRun.objects.create(link=link)
    print('RUN', name, run.pk, link.pk)
    if name == 'killed':
        refresh_link.enqueue(run.pk)
"""
CLEAN = """
from hub.impact.refresh import run_refresh
print(run_refresh(run_id=RUN_ID))
"""


@pytest.fixture
def workers_db(tmp_path: Path) -> _SubprocessDatabase:
    db = _SubprocessDatabase(tmp_path)
    world = tmp_path / "world.json"
    world.write_text(json.dumps(sample_world(files=300, sub_files=40)), encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    db.env.update(
        {
            "HUB_IMPACT_SOURCE": "tests.impact_source.RecordedSource",
            "HUB_IMPACT_WORLD": str(world),
            "HUB_IMPACT_CIM_CATEGORIES": "none",
            "HUB_IMPACT_BLOCK_DIR": str(marks),
        }
    )
    return db


@pytest.fixture
def processes(tmp_path: Path, workers_db: _SubprocessDatabase) -> Iterator[_Processes]:
    procs = _Processes(tmp_path, workers_db.env)
    yield procs
    procs.kill_all()


def _figures(db: _SubprocessDatabase, link_id: int) -> list[tuple[str, str, int]]:
    rows = db.rows(
        "SELECT metric, month, value FROM impact_metricpoint WHERE link_id = ? "
        "ORDER BY metric, month",
        link_id,
    )
    return [(m, str(month)[:7], int(v)) for m, month, v in rows]


@pytest.mark.django_db(transaction=True)
def test_refresh_killed_mid_way_resumes_and_ends_equal_to_a_clean_run(
    tmp_path: Path, workers_db: _SubprocessDatabase, processes: _Processes
) -> None:
    marks = tmp_path / "marks"
    (marks / "block").write_text("40")  # pause on the 40th request: inside the views steps
    setup = processes.start("setup", "shell", "-c", SETUP)
    assert setup.wait(timeout=WAIT_SECONDS * 3) == 0, processes.logs()
    runs = {
        line.split()[1]: (int(line.split()[2]), int(line.split()[3]))
        for line in (tmp_path / "setup.log").read_text().splitlines()
        if line.startswith("RUN ")
    }
    run_id, link_id = runs["killed"]
    clean_run_id, clean_link_id = runs["clean"]
    calls = marks / "calls.log"
    worker_args = ["run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]

    first = processes.start("first", *worker_args, "--worker-id", "doomed")
    processes.wait_for(
        lambda: calls.exists() and len(calls.read_text().splitlines()) >= 40, "the first run"
    )
    first.kill()  # SIGKILL in the middle of a step
    first.wait(timeout=10)
    [(status, steps_done)] = workers_db.rows(
        "SELECT status, done_steps FROM impact_refreshrun WHERE id = ?", run_id
    )
    assert status == "running"
    assert steps_done > 0
    assert not _figures(workers_db, link_id)

    (marks / "block").unlink()
    second = processes.start("second", *worker_args, "--worker-id", "rescuer")
    processes.wait_for(
        lambda: (
            workers_db.rows("SELECT status FROM impact_refreshrun WHERE id = ?", run_id)[0][0]
            in ("done", "failed")
        ),
        "the resumed run",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0, processes.logs()
    clean = processes.start("clean", "shell", "-c", CLEAN.replace("RUN_ID", str(clean_run_id)))
    assert clean.wait(timeout=WAIT_SECONDS * 3) == 0, processes.logs()

    [(status, attempts, requests)] = workers_db.rows(
        "SELECT status, attempts, requests FROM impact_refreshrun WHERE id = ?", run_id
    )
    [(clean_requests,)] = workers_db.rows(
        "SELECT requests FROM impact_refreshrun WHERE id = ?", clean_run_id
    )
    assert status == "done", processes.logs()
    assert attempts == 2
    killed = _figures(workers_db, link_id)
    assert killed and killed == _figures(workers_db, clean_link_id)
    assert requests == clean_requests  # the ledger counts each step's requests once
    # The second worker fetched only what the ledger lacked (plus the step it was killed in).
    by_pid = calls.read_text().splitlines()
    workers = [pid for pid in by_pid if pid in (str(first.pid), str(second.pid))]
    assert by_pid.count(str(clean.pid)) == clean_requests
    assert len(workers) < 40 + clean_requests
