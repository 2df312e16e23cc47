"""Import of organisations and contacts: writing all or nothing, the command, importing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.core.models import AuditEvent
from hub.partners import imports
from hub.partners.imports import ImportRejected
from hub.partners.models import Contact, Organisation
from tests import factories
from tests.import_fixtures import csv_bytes, errors_of, import_bytes

# --- writing ------------------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_written(affiliate_a: Any) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Email", "Name"],
            ["Good Museum", "a@example.org", "A B"],
            ["Bad Museum", "not-an-address", "C D"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        import_bytes(affiliate_a, data)
    assert [r.number for r in caught.value.plan.rejected] == [3]
    assert Organisation.objects.count() == Contact.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(
    affiliate_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.partners.imports import writing

    def failing(self: Any) -> None:
        # After the organisations and contacts were inserted: only the rollback can undo them.
        assert Contact.objects.filter(affiliate=affiliate_a).count() == 2
        raise RuntimeError("The database went away.")

    monkeypatch.setattr(writing._Writer, "_update_contacts", failing)
    data = csv_bytes(
        [
            ["Organisation", "Name", "Email"],
            ["M1", "A B", "a@example.org"],
            ["M2", "C D", "c@example.org"],
        ]
    )
    with pytest.raises(RuntimeError):
        import_bytes(affiliate_a, data)
    assert Organisation.objects.count() == Contact.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_an_import_records_one_audit_event_listing_what_it_created(
    affiliate_a: Any, member_a: Any
) -> None:
    data = csv_bytes(
        [
            ["Organisation", "Name", "Email", "Tags"],
            ["M1", "A B", "a@example.org", "glam, 2026"],
            ["M1", "C D", "", ""],
            ["M2", "", "", ""],
        ]
    )
    counts = import_bytes(affiliate_a, data, actor=member_a)
    assert (counts.rows, counts.organisations, counts.contacts) == (3, 2, 2)
    events = AuditEvent.objects.filter(affiliate=affiliate_a)
    # One event for the whole import, listing every record it created.
    assert list(events.values_list("action", flat=True)) == ["partners.imported"]
    changes = events.get().changes
    assert changes["file"] == "partners.csv"
    assert sorted(name for _pk, name in changes["organisations_created"]) == ["M1", "M2"]
    assert sorted(name for _pk, name in changes["contacts_created"]) == ["A B", "C D"]
    assert {pk for pk, _name in changes["contacts_created"]} == set(
        Contact.objects.values_list("pk", flat=True)
    )
    assert set(events.values_list("actor", flat=True)) == {member_a.pk}
    assert sorted(Organisation.objects.get(name="M1").tags.values_list("name", flat=True)) == [
        "2026",
        "glam",
    ]
    assert Contact.objects.get(name="A B").legal_basis_source.startswith(
        "Imported from partners.csv"
    )


# --- the management command --------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_command_imports_and_reports_ignored_columns(
    affiliate_a: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    path = _write(
        tmp_path,
        "p.csv",
        csv_bytes([["Organisation", "Birth date", "ID"], ["Museum", "1900-01-01", "7"]]),
    )
    call_command("import_partners", path)
    out = capsys.readouterr().out
    assert "Columns ignored (not kept by the Hub): Birth date, ID" in out
    assert "1 new organisations" in out
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 1


def test_command_prints_one_line_per_rejected_row_and_exits_non_zero(
    affiliate_a: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    path = fixtures_dir / "crm-import" / "organization_multiple_duplicates_invalid.csv"
    with pytest.raises(CommandError) as caught:
        call_command("import_partners", str(path), "--affiliate", "alpha")
    assert caught.value.returncode == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Row ")]
    assert len(lines) == 1 and lines[0].startswith("Row 4: This row is ambiguous")
    assert Organisation.objects.count() == 0


def test_command_dry_run_writes_nothing(
    affiliate_a: Any, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    call_command(
        "import_partners", str(fixtures_dir / "crm-import" / "individual_unicode.csv"), "--dry-run"
    )
    assert "Dry run" in capsys.readouterr().out
    assert Organisation.objects.count() == Contact.objects.count() == 0


def test_command_needs_the_affiliate_when_there_are_several(
    affiliate_a: Any, affiliate_b: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, "p.csv", b"Organisation\nMuseum\n")
    with pytest.raises(CommandError, match="--affiliate"):
        call_command("import_partners", path)
    with pytest.raises(CommandError, match="no affiliate with the short name"):
        call_command("import_partners", path, "--affiliate", "nope")
    call_command("import_partners", path, "--affiliate", "beta")
    assert Organisation.objects.get().affiliate == affiliate_b


def test_command_refuses_unreadable_files_and_takes_mapping_overrides(
    affiliate_a: Any, tmp_path: Path
) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="binary data"):
        call_command("import_partners", _write(tmp_path, "g.csv", b"\x00\x01" * 100))
    with pytest.raises(CommandError, match="cannot be opened"):
        call_command("import_partners", str(tmp_path / "missing.csv"))
    path = _write(tmp_path, "p.csv", b"Institution,Street Address\nArchive,1 Main St\n")
    call_command("import_partners", path, "--map", "street address=description")
    assert Organisation.objects.get().description == "1 Main St"


# --- importing the same spreadsheet again -------------------------------------------------------

REIMPORT = [
    ["Organisation", "Website", "First name", "Last name", "Email"],
    ["Národní muzeum", "https://nm.cz", "Jana", "Nováková", "jana@nm.cz"],
    ["Serlo Education", "", "", "", ""],
    ["", "", "Ada", "Lovelace", "ada@example.org"],
]


def import_again(affiliate: Any, rows: list[list[str]]) -> imports.ImportCounts:
    """Import rows, skipping those already in the directory."""
    table = imports.read_bytes(csv_bytes(rows), "partners.csv")
    return imports.apply_import(
        actor=None,
        affiliate=affiliate,
        table=table,
        mapping=imports.guess_mapping(table.headers),
        skip_existing=True,
    )


def test_skipping_existing_rows_imports_nothing_the_second_time(affiliate_a: Any) -> None:
    first = import_again(affiliate_a, REIMPORT)
    assert (first.rows, first.organisations, first.contacts, first.skipped) == (3, 2, 2, 0)

    plan = imports.plan_import(
        table=imports.read_bytes(csv_bytes(REIMPORT), "partners.csv"),
        mapping=imports.guess_mapping(REIMPORT[0]),
        affiliate=affiliate_a,
        skip_existing=True,
    )
    assert plan.is_valid and not plan.accepted
    assert [r.number for r in plan.skipped] == [2, 3, 4]

    second = import_again(affiliate_a, REIMPORT)
    assert (second.rows, second.organisations, second.contacts, second.skipped) == (0, 0, 0, 3)
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 2
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 2


def test_skipping_existing_rows_adds_only_the_new_row_and_the_new_contact(
    affiliate_a: Any,
) -> None:
    import_again(affiliate_a, REIMPORT)
    grown = [
        *REIMPORT,
        ["Narodni Muzeum", "", "Petr", "Novák", "petr@nm.cz"],
        ["Wikimedia Česká republika", "", "", "", ""],
    ]
    counts = import_again(affiliate_a, grown)
    assert (counts.rows, counts.organisations, counts.contacts, counts.skipped) == (2, 1, 1, 3)
    museum = Organisation.objects.get(affiliate=affiliate_a, name="Národní muzeum")
    assert set(museum.contacts.values_list("name", flat=True)) == {"Jana Nováková", "Petr Novák"}
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 3
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 3


def test_skipping_existing_rows_still_rejects_ambiguous_and_default_rejects(
    affiliate_a: Any,
) -> None:
    import_again(affiliate_a, REIMPORT)
    factories.organisation(affiliate_a, name="Other museum")
    rows = [
        ["Organisation", "Email"],
        ["Other museum", "jana@nm.cz"],  # the name → one record, the e-mail → another
        ["Serlo Education", ""],
    ]
    table = imports.read_bytes(csv_bytes(rows), "partners.csv")
    mapping = imports.guess_mapping(table.headers)
    skipping = imports.plan_import(
        table=table, mapping=mapping, affiliate=affiliate_a, skip_existing=True
    )
    assert "This row is ambiguous" in errors_of(skipping)[2]
    assert [r.number for r in skipping.skipped] == [3]
    default = imports.plan_import(table=table, mapping=mapping, affiliate=affiliate_a)
    assert set(errors_of(default)) == {2, 3}
    assert "already in your directory" in errors_of(default)[3]


def test_command_skip_existing_flag(
    affiliate_a: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import CommandError, call_command

    path = _write(tmp_path, "p.csv", csv_bytes(REIMPORT))
    call_command("import_partners", path)
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("import_partners", path)
    capsys.readouterr()
    call_command("import_partners", path, "--skip-existing")
    out = capsys.readouterr().out
    assert "3 rows already in your directory, skipped: rows 2, 3, 4." in out
    assert "Nothing new to import" in out
    grown = [*REIMPORT, ["Narodni Muzeum", "", "Petr", "Novák", "petr@nm.cz"]]
    call_command("import_partners", _write(tmp_path, "q.csv", csv_bytes(grown)), "--skip-existing")
    assert "0 new organisations, 1 new contacts" in capsys.readouterr().out
    assert Contact.objects.filter(affiliate=affiliate_a).count() == 3
