"""The production configuration on this machine, checked over HTTP (scripts/prod_smoke.py):
gunicorn, PostgreSQL, Redis and two workers with the documented environment."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from tests.opshelpers import ROOT, SCRATCH_PREFIX, on_postgres, server_url


@pytest.mark.postgres_only
def test_the_production_configuration_serves_signs_in_and_runs_tasks() -> None:
    if not on_postgres():
        pytest.skip("the production smoke test needs PostgreSQL: it runs in make test-postgres")
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(ROOT / "scripts" / "prod_smoke.py"),
            "--postgres",
            server_url(),
            "--database",
            SCRATCH_PREFIX + secrets.token_hex(4),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "smoke test passed" in done.stdout
    for check in (
        "a strict content security policy",
        "plain HTTP is redirected to HTTPS",
        "a signed-in page answers 200 with the log-out button",
        "it is cached for ever (immutable)",
        "a worker sent the mail with an https link",
        "both workers report a heartbeat",
    ):
        assert f"ok   {check}" in done.stdout
