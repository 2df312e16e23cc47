"""Provide a task only the queue tests enqueue: it records each run and blocks on a marker file."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task

# Never wait longer than this, so a broken test cannot leave a worker blocked for ever.
BLOCK_LIMIT_SECONDS = 30.0


@task()
def record_and_block(directory: str) -> str:
    """Append "start PID" to runs.log, wait while the file "block" exists, then append "end PID"."""
    folder = Path(directory)
    with (folder / "runs.log").open("a", encoding="utf-8") as log:
        log.write(f"start {os.getpid()}\n")
    deadline = time.monotonic() + BLOCK_LIMIT_SECONDS
    while (folder / "block").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the block file was never removed")
        time.sleep(0.05)
    with (folder / "runs.log").open("a", encoding="utf-8") as log:
        log.write(f"end {os.getpid()}\n")
    return "done"
