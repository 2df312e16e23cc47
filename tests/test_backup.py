"""Backups that are proven: back up, restore into a scratch database, compare; refuse bad files.

Each database is a scratch one (a SQLite file in a temporary folder, or a PostgreSQL database
hub_ops_backup_scratch_…), filled by the real commands in fresh processes, never the test
database. The SQLite cases run in `make test`, the PostgreSQL ones in `make test-postgres`.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hub.core import dbdump
from hub.core.backup import MANIFEST, create_backup, file_folders
from hub.core.restore import RestoreRefused, restore_backup
from tests.opshelpers import hub_env, manage, on_postgres, scratch_postgres, table_rows

DOCUMENT = "partnership-documents/2026/11/Agreement – Muzeum Narodowe.pdf"
DOCUMENT_BYTES = b"%PDF-1.4 signed agreement\n" * 100


@dataclass
class Hub:
    """A Hub's database and data folder, and the commands' environment for it."""

    vendor: str
    data_dir: Path
    database_url: str

    @property
    def env(self) -> dict[str, str]:
        return hub_env(self.data_dir, self.database_url)

    @property
    def db_name(self) -> str:
        """The SQLite file, or the PostgreSQL URL."""
        return str(self.data_dir / "hub.sqlite3") if self.vendor == "sqlite" else self.database_url

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    def database(self) -> dbdump.Database:
        if self.vendor == "sqlite":
            return dbdump.Database(vendor="sqlite", name=self.db_name)
        import dj_database_url

        return dbdump.Database.from_settings(dj_database_url.parse(self.database_url))

    def restore(self, archive: Path) -> Any:
        """Restore in this process, the way the command does."""
        return restore_backup(archive, database=self.database(), folders={"media": self.media})

    def is_untouched(self) -> bool:
        """Return whether the database is still empty and the media folder has no file."""
        files = [p for p in self.media.rglob("*") if p.is_file()] if self.media.exists() else []
        return dbdump.is_empty(self.database()) and not files


def _vendor_param(vendor: str) -> Any:
    marks = [pytest.mark.postgres_only] if vendor == "postgresql" else []
    return pytest.param(vendor, marks=marks, id=vendor)


VENDORS = [_vendor_param("sqlite"), _vendor_param("postgresql")]


@pytest.fixture(scope="module")
def make_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Hub]]:
    """Return a maker of empty Hubs (a data folder, and a scratch database on PostgreSQL)."""
    with ExitStack() as stack:

        def make(vendor: str) -> Hub:
            if vendor == "postgresql" and not on_postgres():
                pytest.skip("PostgreSQL backups run in the PostgreSQL run (make test-postgres)")
            data_dir = tmp_path_factory.mktemp(f"hub-{vendor}")
            url = stack.enter_context(scratch_postgres()) if vendor == "postgresql" else ""
            return Hub(vendor, data_dir, url)

        yield make


@pytest.fixture(scope="module")
def backed_up(make_hub: Callable[[str], Hub], request: pytest.FixtureRequest) -> dict[str, Any]:
    """Return per vendor a Hub with the demo data and a document, and its backup (made once)."""
    made: dict[str, Any] = {}

    def get(vendor: str) -> tuple[Hub, Path, str]:
        if vendor not in made:
            hub = make_hub(vendor)
            manage(hub.env, "migrate", "--noinput")
            manage(hub.env, "createcachetable")
            manage(hub.env, "load_demo")
            (hub.media / DOCUMENT).parent.mkdir(parents=True)
            (hub.media / DOCUMENT).write_bytes(DOCUMENT_BYTES)
            archive = hub.data_dir.parent / f"{vendor}-backup.tar"
            out = manage(hub.env, "backup", "--output", str(archive)).stdout
            made[vendor] = (hub, archive, out)
        return made[vendor]  # type: ignore[no-any-return]

    return {"get": get}


def _backup(backed_up: dict[str, Any], vendor: str) -> tuple[Hub, Path, str]:
    return backed_up["get"](vendor)  # type: ignore[no-any-return]


def _rewrite(archive: Path, dest: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """Copy an archive member by member, passing each through change(name, data)."""
    with tarfile.open(archive) as src, tarfile.open(dest, "w") as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], vendor: str
) -> None:
    source, archive, said = _backup(backed_up, vendor)
    assert "1 files" in said and archive.name in said
    target = make_hub(vendor)

    out = manage(target.env, "restore", str(archive)).stdout

    assert "every checksum matching" in out
    assert table_rows(vendor, target.db_name) == table_rows(vendor, source.db_name)
    assert (target.media / DOCUMENT).read_bytes() == DOCUMENT_BYTES
    # The restored Hub is up to date and goes on numbering rows after the restored ones.
    assert "No planned migration operations" in manage(target.env, "migrate", "--plan").stdout
    manage(
        target.env | {"DJANGO_SUPERUSER_PASSWORD": "a restored hub's admin"},
        "createsuperuser",
        "--noinput",
        "--username=restored-admin",
        "--email=admin@example.org",
    )


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_manifest_lists_migrations_rows_checksums_version_and_vendor(
    backed_up: dict[str, Any], vendor: str
) -> None:
    source, archive, _said = _backup(backed_up, vendor)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]

    assert names[-1] == MANIFEST
    assert manifest["database"]["vendor"] == vendor
    assert manifest["hub_version"] == "0.1.0"
    assert manifest["created_at"]
    assert ["core", "0001_initial"] in manifest["migrations"]
    rows = table_rows(vendor, source.db_name)
    assert manifest["tables"]["partners_organisation"] == len(rows["partners_organisation"]) > 0
    assert set(manifest["files"]) == set(names) - {MANIFEST}
    document = manifest["files"][f"files/media/{DOCUMENT}"]
    assert document["size"] == len(DOCUMENT_BYTES)
    assert len(document["sha256"]) == 64


@pytest.mark.parametrize("vendor", VENDORS)
def test_restore_refuses_a_database_or_folder_that_is_not_empty(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], vendor: str
) -> None:
    source, archive, _said = _backup(backed_up, vendor)

    refused = manage(source.env, "restore", str(archive), check=False)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    assert "restored only into an empty database" in refused.stderr

    target = make_hub(vendor)
    (target.media / "left-over.txt").parent.mkdir(parents=True)
    (target.media / "left-over.txt").write_text("someone's file")
    with pytest.raises(RestoreRefused, match="media folder .* is not empty"):
        target.restore(archive)
    assert dbdump.is_empty(target.database())
    assert (target.media / "left-over.txt").read_text() == "someone's file"


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("where", ["database", MANIFEST])
def test_restore_refuses_a_truncated_backup_and_changes_nothing(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], vendor: str, where: str
) -> None:
    _source, archive, _said = _backup(backed_up, vendor)
    with tarfile.open(archive) as tar:
        member = next(m for m in tar if m.name.startswith(where))
    cut = archive.with_name(f"cut-{where}-{archive.name}")
    cut.write_bytes(archive.read_bytes()[: member.offset_data + member.size // 2])
    target = make_hub(vendor)

    refused = manage(target.env, "restore", str(cut), check=False)

    assert refused.returncode == 1
    assert "incomplete or damaged" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert target.is_untouched()


@pytest.mark.parametrize("vendor", VENDORS)
def test_restore_refuses_a_tampered_backup_and_changes_nothing(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], vendor: str
) -> None:
    _source, archive, _said = _backup(backed_up, vendor)

    def tamper(name: str, data: bytes) -> bytes:
        return data.replace(b"signed", b"forged") if name.endswith(".pdf") else data

    tampered = _rewrite(archive, archive.with_name(f"tampered-{archive.name}"), tamper)
    target = make_hub(vendor)

    with pytest.raises(RestoreRefused, match="altered since it was made: files/media/"):
        target.restore(tampered)
    assert target.is_untouched()


@pytest.mark.parametrize("vendor", VENDORS)
def test_restore_refuses_a_backup_from_a_newer_schema_and_changes_nothing(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], vendor: str
) -> None:
    _source, archive, _said = _backup(backed_up, vendor)

    def from_the_future(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["hub_version"] = "9.0.0"
        manifest["migrations"].append(["partners", "0999_from_the_future"])
        return json.dumps(manifest).encode()

    newer = _rewrite(archive, archive.with_name(f"newer-{archive.name}"), from_the_future)
    target = make_hub(vendor)

    refused = manage(target.env, "restore", str(newer), check=False)

    assert refused.returncode == 1
    assert "comes from a newer version of the Hub (9.0.0)" in refused.stderr
    assert "partners.0999_from_the_future" in refused.stderr
    assert target.is_untouched()


def test_a_sqlite_backup_is_not_restored_into_another_kind_of_database(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub]
) -> None:
    _source, archive, _said = _backup(backed_up, "sqlite")

    def as_postgres(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        return data.replace(b'"vendor": "sqlite"', b'"vendor": "postgresql"')

    other = _rewrite(archive, archive.with_name(f"other-{archive.name}"), as_postgres)
    target = make_hub("sqlite")

    with pytest.raises(RestoreRefused, match="same kind of database"):
        target.restore(other)
    assert target.is_untouched()


def test_restore_refuses_a_file_that_is_not_a_backup(
    make_hub: Callable[[str], Hub], tmp_path: Path
) -> None:
    stray = tmp_path / "holiday.tar"
    with tarfile.open(stray, "w") as tar:
        tar.add(__file__, arcname="../../etc/cron.d/evil")
    target = make_hub("sqlite")

    with pytest.raises(RestoreRefused, match="not a backup of the Hub"):
        target.restore(stray)
    assert target.is_untouched()
    shutil.rmtree(tmp_path)


def test_a_pg_dump_older_than_the_server_is_refused_with_the_version_to_install() -> None:
    with pytest.raises(dbdump.DatabaseDumpError, match="install the PostgreSQL 99 client"):
        dbdump.check_client("pg_dump", 990004)


def test_the_uploads_folder_is_backed_up_and_restored_when_it_is_set(
    backed_up: dict[str, Any], make_hub: Callable[[str], Hub], settings: Any, tmp_path: Path
) -> None:
    source, _archive, _said = _backup(backed_up, "sqlite")
    uploads = tmp_path / "uploads"
    (uploads / "batch-1").mkdir(parents=True)
    (uploads / "batch-1" / "Żuraw nad Wisłą.jpg").write_bytes(b"\xff\xd8 a photograph")
    settings.HUB_UPLOADS_DIR = str(uploads)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(source.media)},
        },
    }
    folders = file_folders()
    assert folders == {"media": source.media.resolve(), "uploads": uploads.resolve()}
    made = create_backup(tmp_path / "with-uploads.tar", database=source.database(), folders=folders)
    assert made.files == 2

    target = make_hub("sqlite")
    restored = target.data_dir / "uploads"
    report = restore_backup(
        made.path, database=target.database(), folders={"media": target.media, "uploads": restored}
    )

    assert report.files == 2
    assert (restored / "batch-1" / "Żuraw nad Wisłą.jpg").read_bytes() == b"\xff\xd8 a photograph"
    with pytest.raises(RestoreRefused, match="no folder for"):
        make_hub("sqlite").restore(made.path)
