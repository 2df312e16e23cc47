"""SQLite gets the same settings however it is named: by its path or by a sqlite:/// URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Settings read in a fresh interpreter: the test process's own settings are already loaded.
PRINT_DATABASE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "from django.db import connection; "
    "db = settings.DATABASES['default']; cursor = connection.cursor(); "
    "print(json.dumps({'options': db['OPTIONS'], "
    "'journal': cursor.execute('PRAGMA journal_mode').fetchone()[0], "
    "'timeout_ms': cursor.execute('PRAGMA busy_timeout').fetchone()[0]}))"
)


def database_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_DATABASE")}
    clean.pop("HUB_SQLITE_PATH", None)
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", "HUB_DATA_DIR": str(tmp_path)} | env
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PRINT_DATABASE],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("naming", ["path", "url"])
def test_sqlite_gets_wal_immediate_transactions_and_a_busy_timeout(
    tmp_path: Path, naming: str
) -> None:
    path = tmp_path / "hub.sqlite3"
    env = (
        {"HUB_SQLITE_PATH": str(path)}
        if naming == "path"
        else {"HUB_DATABASE_URL": f"sqlite:///{path}"}
    )
    found = database_settings(tmp_path, **env)
    options = found["options"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert found["journal"] == "wal"
    assert found["timeout_ms"] == 20_000
