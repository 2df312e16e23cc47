"""Batch upload: a row's captions and statements for structured data on Commons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub.uploads.checks import row_problems
from hub.uploads.licences import licence_for
from hub.uploads.statements import caption_problems, captions_for_row, claims_for_row


def recorded_claims(fixtures_dir: Path) -> dict[str, dict[str, Any]]:
    """Return the statements of a real wbeditentity Commons accepted, by property."""
    path = fixtures_dir / "commons-sdc" / "flickypedia_test_upload_single_photo__commons_flow.json"
    for interaction in json.loads(path.read_text())["interactions"]:
        form = interaction["request"].get("form") or {}
        if form.get("action") == "wbeditentity":
            claims = json.loads(form["data"])["claims"]
            return {c["mainsnak"]["property"]: c for c in claims}
    raise AssertionError("no wbeditentity in the recording")


def by_property(values: dict[str, str], licence: str | None = "CC BY 2.0") -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for claim in claims_for_row(values, licence=licence):
        statement = claim.statement()
        out.setdefault(statement["mainsnak"]["property"], []).append(statement)
    return out


def test_statements_have_the_shape_commons_accepted(fixtures_dir: Path) -> None:
    recorded = recorded_claims(fixtures_dir)
    ours = by_property(
        {
            "author": "Alex Chan",
            "date": "2021-09-22",
            "source": "https://www.flickr.com/photos/199246608@N02/53370809793",
        }
    )
    for prop in ("P6216", "P275", "P571", "P170", "P7482"):
        assert ours[prop][0]["mainsnak"] == recorded[prop]["mainsnak"], prop
    assert ours["P170"][0]["qualifiers"]["P2093"] == recorded["P170"]["qualifiers"]["P2093"]
    assert ours["P7482"][0]["qualifiers"]["P973"] == recorded["P7482"]["qualifiers"]["P973"]


def test_a_rich_row_gives_every_statement_once() -> None:
    statements = by_property(
        {
            "depicts": "Q42; q1 ;Q42",
            "creator_qid": "Q5582",
            "author": "Vincent",
            "date": "1890-5",
            "collection_qid": "Q190804",
            "accession_number": "SK-A-1234",
            "url": "https://museum.example/a.tif",
            "sdc:P1071": "Q90",
            "sdc:P577": "1891",
            "sdc:P2048": "12 cm",
            "sdc:P854": "https://museum.example/object/1",
        },
        licence="cc-by-sa-4.0",
    )
    ids = {
        p: [s["mainsnak"].get("datavalue", {}).get("value") for s in v]
        for p, v in statements.items()
    }
    assert [v["id"] for v in ids["P180"]] == ["Q42", "Q1"]
    assert [v["id"] for v in ids["P170"]] == ["Q5582"]  # the item wins over the name
    assert ids["P6216"][0]["id"] == "Q50423863"
    assert ids["P275"][0]["id"] == "Q18199165"
    assert ids["P571"][0]["time"] == "+1890-05-00T00:00:00Z"
    assert ids["P571"][0]["precision"] == 10
    assert statements["P195"][0]["qualifiers"]["P217"][0]["datavalue"]["value"] == "SK-A-1234"
    assert statements["P7482"][0]["qualifiers"]["P973"][0]["datavalue"]["value"] == (
        "https://museum.example/a.tif"
    )
    assert ids["P1071"][0]["id"] == "Q90"
    assert ids["P577"][0]["precision"] == 9
    assert ids["P2048"] == ["12 cm"]
    assert ids["P854"] == ["https://museum.example/object/1"]


def test_public_domain_has_a_status_but_no_licence_and_wikitext_authors_are_not_names() -> None:
    statements = by_property(
        {"author": "{{Creator:Rembrandt}}", "date": "around 1642"}, licence="PD-old-100"
    )
    assert set(statements) == {"P6216"}
    assert statements["P6216"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q19652"
    assert by_property({}, licence=None) == {}
    licence = licence_for("CC0")
    assert licence is not None
    assert {c.property for c in claims_for_row({}, licence=licence)} == {"P6216", "P275"}


def test_captions_by_language_on_one_line_and_too_long_ones_refused() -> None:
    values = {"caption_en": " A  hill\nat dawn ", "caption_fr": "", "caption_de": "x" * 251}
    assert captions_for_row(values) == {"en": "A hill at dawn", "de": "x" * 251}
    [problem] = caption_problems(values)
    assert problem["field"] == "caption_de" and "250" in problem["message"]
    problems = row_problems(
        {"url": "https://x.example/a.jpg", "title": "A hill [at dawn]", **values},
        file_info=None,
        licence_default="CC0",
    )
    assert [p["field"] for p in problems] == ["title", "caption_de"]
