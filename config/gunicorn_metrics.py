"""gunicorn hooks for /metrics with several web processes.

Use: `gunicorn -c python:config.gunicorn_metrics config.wsgi ...`.

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn process keeps its request counters in a file
in that folder and /metrics adds them up (hub/core/metrics.py). The folder must start empty
and a process that exits must be marked dead, or its gauges would linger.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def on_starting(server: Any) -> None:
    """Empty the shared folder before the first process starts."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Tell prometheus-client a web process is gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
