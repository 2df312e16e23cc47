"""Test worker heartbeats, the reaper of stuck tasks, and a worker killed in mid-task."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hub.core.models import WorkerHeartbeat
from hub.core.queue import (
    WorkerLostError,
    beat,
    enqueue_on_commit,
    reap_stuck_tasks,
    register_worker,
)
from hub.core.tasks import send_mail_task

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def _stuck_task(worker_id: str, *, started: dt.datetime, earlier_workers: int = 0) -> DBTaskResult:
    """Enqueue a mail task and mark it as claimed by worker_id at `started`."""
    result = send_mail_task.enqueue("Hello", "Body", ["ana@example.org"])
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(worker_id)
    row.worker_ids = [f"earlier-{n}" for n in range(earlier_workers)] + [worker_id]
    row.started_at = started
    row.save(update_fields=["worker_ids", "started_at"])
    return row


def _heartbeat(worker_id: str, last_seen: dt.datetime) -> None:
    """Record a heartbeat for worker_id as of last_seen."""
    WorkerHeartbeat.objects.create(worker_id=worker_id, last_seen=last_seen)


@pytest.fixture
def short_lease(settings: Any) -> None:
    settings.HUB_WORKER_LEASE_SECONDS = 60
    settings.HUB_TASK_MAX_ATTEMPTS = 3


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """Put back the test runner's signal handlers, which an in-process worker replaces."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db
def test_beat_keeps_one_row_per_worker_with_the_latest_time() -> None:
    beat("w1")
    first = WorkerHeartbeat.objects.get(worker_id="w1").last_seen
    beat("w1")
    row = WorkerHeartbeat.objects.get(worker_id="w1")
    assert WorkerHeartbeat.objects.count() == 1
    assert row.last_seen >= first
    assert row.last_seen.tzinfo is not None
    assert row.pid == os.getpid()


@pytest.mark.django_db
def test_requeues_task_of_silent_worker_and_spares_task_of_live_one(short_lease: None) -> None:
    _heartbeat("dead", NOW - dt.timedelta(minutes=5))
    _heartbeat("alive", NOW - dt.timedelta(seconds=10))
    stuck = _stuck_task("dead", started=NOW - dt.timedelta(minutes=6))
    busy = _stuck_task("alive", started=NOW - dt.timedelta(minutes=6))

    assert reap_stuck_tasks(NOW) == 1

    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == TaskResultStatus.READY
    assert stuck.started_at is None
    assert stuck.worker_ids == ["dead"]  # the attempt still counts
    assert busy.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.ready().filter(id=stuck.id).exists()


@pytest.mark.django_db
def test_requeues_task_of_worker_that_never_sent_a_heartbeat(short_lease: None) -> None:
    stuck = _stuck_task("ghost", started=NOW - dt.timedelta(minutes=2))

    assert reap_stuck_tasks(NOW) == 1

    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_spares_task_started_within_the_lease(short_lease: None) -> None:
    recent = _stuck_task("ghost", started=NOW - dt.timedelta(seconds=5))

    assert reap_stuck_tasks(NOW) == 0

    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_fails_task_whose_workers_died_on_every_attempt(short_lease: None) -> None:
    doomed = _stuck_task("dead", started=NOW - dt.timedelta(minutes=2), earlier_workers=2)

    assert reap_stuck_tasks(NOW) == 1

    result = send_mail_task.get_result(str(doomed.id))
    assert result.status == TaskResultStatus.FAILED
    assert result.finished_at == NOW
    [error] = result.errors
    assert error.exception_class is WorkerLostError
    assert "tried 3 times" in error.traceback
    # A failed task is left alone from then on.
    assert reap_stuck_tasks(NOW + dt.timedelta(hours=1)) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_skips_a_task_another_reaper_has_locked(short_lease: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks that other reapers skip exist only on PostgreSQL")
    stuck = _stuck_task("dead", started=timezone.now() - dt.timedelta(minutes=2))
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                DBTaskResult.objects.select_for_update().get(id=stuck.id)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        assert reap_stuck_tasks() == 0  # skipped, not waited for
    finally:
        release.set()
        holder.join(timeout=10)
    assert reap_stuck_tasks() == 1


@pytest.mark.django_db
def test_forgets_heartbeats_older_than_ten_leases(short_lease: None) -> None:
    _heartbeat("long-gone", NOW - dt.timedelta(minutes=11))
    _heartbeat("recently-gone", NOW - dt.timedelta(minutes=9))

    reap_stuck_tasks(NOW)

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recently-gone"]


@pytest.mark.django_db
def test_restarted_worker_requeues_what_its_earlier_self_left_running(short_lease: None) -> None:
    now = timezone.now()
    _heartbeat("fixed-id", now)
    orphan = _stuck_task("fixed-id", started=now)

    assert register_worker("fixed-id") == 1

    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert WorkerHeartbeat.objects.get(worker_id="fixed-id").last_seen >= now


@pytest.mark.django_db
def test_reap_tasks_command_reports_how_many(short_lease: None) -> None:
    _stuck_task("ghost", started=timezone.now() - dt.timedelta(minutes=2))
    out = StringIO()

    call_command("reap_tasks", stdout=out)

    assert "1 stuck task re-queued or failed." in out.getvalue()


# transaction=True: the worker closes a connection found inside a transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_run_worker_reruns_task_of_dead_worker(
    short_lease: None, mailoutbox: list[Any], restore_signals: None
) -> None:
    stuck = _stuck_task("dead", started=timezone.now() - dt.timedelta(minutes=2))

    call_command(
        "run_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--worker-id",
        "rescuer",
        verbosity=0,
    )

    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.SUCCESSFUL
    assert stuck.worker_ids == ["dead", "rescuer"]
    assert [m.subject for m in mailoutbox] == ["Hello"]
    # A worker that stops cleanly removes its heartbeat.
    assert not WorkerHeartbeat.objects.filter(worker_id="rescuer").exists()


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(send_mail_task, "Hi", "Body", ["ana@example.org"])
        assert not DBTaskResult.objects.exists()
    assert len(callbacks) == 1

    callbacks[0]()

    row = DBTaskResult.objects.get()
    assert row.task_path == "hub.core.tasks.send_mail_task"
    assert row.args_kwargs == {"args": ["Hi", "Body", ["ana@example.org"]], "kwargs": {}}


def test_send_mail_task_sends_one_message(mailoutbox: list[Any]) -> None:
    sent = send_mail_task.call("Subject", "Body", ["ana@example.org", "ben@example.org"])

    assert sent == 1
    assert mailoutbox[0].to == ["ana@example.org", "ben@example.org"]


# A real crash: worker processes, kill -9 in the middle of a task, a second worker takes over.

# A bound, not a timing: the setup process migrates every app, which takes a while on a loaded
# machine.
WAIT_SECONDS = 90.0


class _SubprocessDatabase:
    """Point worker processes at a database the test can read while they write to it.

    On SQLite a file in the test's temporary folder; on PostgreSQL the test database itself
    (the test runs with transaction=True, so the worker sees committed rows).
    """

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        self.sqlite_path = tmp_path / "hub.sqlite3"
        self.env = {
            **os.environ,
            "HUB_TESTING": "1",
            "HUB_DATA_DIR": str(tmp_path),
            "HUB_SQLITE_PATH": str(self.sqlite_path),
            "HUB_WORKER_LEASE_SECONDS": "2",
            "HUB_TASK_MAX_ATTEMPTS": "5",
            "HUB_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("HUB_DEBUG", None)
        self.env.pop("HUB_DATABASE_URL", None)
        if self.vendor == "postgresql":
            db = connection.settings_dict
            auth = quote(db["USER"] or "", safe="")
            if db["PASSWORD"]:
                auth += ":" + quote(db["PASSWORD"], safe="")
            host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            self.env["HUB_DATABASE_URL"] = f"postgres://{auth}@{host}/{quote(db['NAME'])}"
        elif self.vendor != "sqlite":
            pytest.fail(f"no crash test for {self.vendor}")

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run a read-only query against the workers' database."""
        if self.vendor == "sqlite":
            with closing(sqlite3.connect(self.sqlite_path, timeout=5)) as db:
                return db.execute(sql, params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()

    def task(self, task_id: str) -> tuple[str, str]:
        """Return the status and the JSON list of worker ids of one task result."""
        [(status, worker_ids)] = self.rows(
            f"SELECT status, worker_ids FROM {DBTaskResult._meta.db_table} WHERE id = ?",  # noqa: S608
            task_id.replace("-", "") if self.vendor == "sqlite" else task_id,
        )
        return status, str(worker_ids)

    def heartbeats(self) -> set[str]:
        """Return the ids of the workers with a heartbeat row."""
        table = WorkerHeartbeat._meta.db_table
        return {r[0] for r in self.rows(f"SELECT worker_id FROM {table}")}  # noqa: S608


class _Processes:
    """Start manage.py commands and make sure none outlives the test."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start `manage.py ARGS` with its output going to NAME.log."""
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(  # noqa: S603
                [sys.executable, str(ROOT / "manage.py"), *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.started.append((proc, log))
        return proc

    def logs(self) -> str:
        """Return every process's output, for a failure message."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')}" for _, log in self.started
        )

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """Poll until condition holds; fail with the processes' output after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}\n{self.logs()}")
            time.sleep(0.05)

    def kill_all(self) -> None:
        """Kill whatever is still running."""
        for proc, _ in self.started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def workers_db(tmp_path: Path) -> _SubprocessDatabase:
    return _SubprocessDatabase(tmp_path)


@pytest.fixture
def processes(tmp_path: Path, workers_db: _SubprocessDatabase) -> Iterator[_Processes]:
    procs = _Processes(tmp_path, workers_db.env)
    yield procs
    procs.kill_all()


@pytest.mark.django_db(transaction=True)
def test_task_of_a_killed_worker_runs_again_once_to_completion(
    tmp_path: Path, workers_db: _SubprocessDatabase, processes: _Processes
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    (marks / "block").touch()
    runs = marks / "runs.log"
    worker_args = ["run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]

    setup = processes.start(
        "setup",
        "shell",
        "-c",
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from tests.queue_tasks import record_and_block;"
        f"print('TASK', record_and_block.enqueue({str(marks)!r}).id)",
    )
    assert setup.wait(timeout=WAIT_SECONDS) == 0, processes.logs()
    [task_id] = [
        line.split()[1]
        for line in (tmp_path / "setup.log").read_text().splitlines()
        if line.startswith("TASK ")
    ]

    first = processes.start("first", *worker_args, "--worker-id", "doomed")
    processes.wait_for(lambda: runs.exists() and "start" in runs.read_text(), "the first run")
    assert "doomed" in workers_db.heartbeats()
    first.kill()  # SIGKILL: no chance to clean up, the task stays "running"
    first.wait(timeout=10)
    assert workers_db.task(task_id)[0] == "RUNNING"

    (marks / "block").unlink()
    second = processes.start("second", *worker_args, "--worker-id", "rescuer")
    processes.wait_for(
        lambda: workers_db.task(task_id)[0] != "RUNNING" and workers_db.task(task_id)[0] != "READY",
        "the second run",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0, processes.logs()

    status, worker_ids = workers_db.task(task_id)
    assert status == "SUCCESSFUL", processes.logs()
    assert worker_ids.replace(" ", "") == '["doomed","rescuer"]'
    lines = runs.read_text().split()
    assert lines[0::2] == ["start", "start", "end"]
    assert lines[5] == str(second.pid)  # the second worker finished it, exactly once
    assert workers_db.heartbeats() == {"doomed"}  # the rescuer stopped cleanly
