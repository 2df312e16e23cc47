"""Batch upload: the page text from a built-in or edited template, values that cannot break it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.uploads.licences import licence_for
from hub.uploads.pattypan import compile_template, variables
from hub.uploads.wikitext import BUILT_IN, institution_wikitext, neutralise, page_text

# The parameters Commons' templates define (Template:Artwork/doc, Template:Photograph/doc,
# Template:Information/doc), in the order they document them.
ARTWORK_PARAMETERS = [
    "artist", "author", "title", "object type", "description", "depicted people",
    "depicted place", "date", "medium", "dimensions", "institution", "department",
    "accession number", "place of creation", "place of discovery", "object history",
    "exhibition history", "credit line", "inscriptions", "notes", "references", "source",
    "permission", "other_versions", "other_fields", "wikidata",
]  # fmt: skip
PHOTOGRAPH_PARAMETERS = [
    "photographer", "title", "description", "depicted people", "depicted place", "date",
    "medium", "dimensions", "institution", "department", "references", "object history",
    "exhibition history", "credit line", "inscriptions", "notes", "accession number", "source",
    "permission", "other_versions", "other_fields", "wikidata",
]  # fmt: skip
INFORMATION_PARAMETERS = [
    "description", "date", "source", "author", "permission", "other versions", "other fields",
]  # fmt: skip


def top_level_parameters(text: str, template: str) -> dict[str, str]:
    """Return the named parameters of the first {{template …}} the way MediaWiki splits them."""
    start = text.index("{{" + template)
    depth, position, parts, current = 0, start, [], ""
    while True:
        two = text[position : position + 2]
        if text.startswith("<nowiki>", position):  # MediaWiki reads nothing inside
            end = text.index("</nowiki>", position) + len("</nowiki>")
            current += text[position:end]
            position = end
        elif two in ("{{", "[["):
            depth += 1
            current += two
            position += 2
        elif two in ("}}", "]]"):
            depth -= 1
            position += 2
            if depth == 0:
                parts.append(current)
                break
            current += two
        elif text[position] == "|" and depth == 1:
            parts.append(current)
            current, position = "", position + 1
        else:
            current += text[position]
            position += 1
    params = {}
    for part in parts[1:]:
        name, _sep, value = part.partition("=")
        params[name.strip()] = value.strip()
    return params


@pytest.mark.parametrize(
    ("key", "template", "names"),
    [
        ("information", "Information", INFORMATION_PARAMETERS),
        ("artwork", "Artwork", ARTWORK_PARAMETERS),
        ("photograph", "Photograph", PHOTOGRAPH_PARAMETERS),
    ],
)
def test_built_in_templates_use_commons_parameter_names(
    key: str, template: str, names: list[str]
) -> None:
    text = page_text(
        source=BUILT_IN[key],
        values={"description": "x"},
        institution_template="",
        licence="CC0",
        categories=[],
        tracking_category="Uploads by the Hub (batch 1)",
    )
    assert list(top_level_parameters(text, template)) == names


def test_a_stray_pipe_or_braces_in_a_value_cannot_break_the_template() -> None:
    values = {
        "description": "Left | right }} and {{ and [[ half",
        "description_fr": "Vue {{!}} du port",
        "author": "KDE artists | Silstor",
        "date": "1890 ~~~~",
        "source": "{{en|1=Scanned by the museum}} [[w:Museum|museum]]",
        "categories": "Harbours; harbours",
    }
    text = page_text(
        source=BUILT_IN["information"],
        values=values,
        institution_template="Museum of the Port",
        licence="https://creativecommons.org/licenses/by-sa/4.0/",
        categories=["Photographs by the Museum of the Port"],
        tracking_category="Category:Batch 7 of the Museum of the Port",
    )
    params = top_level_parameters(text, "Information")
    assert list(params) == INFORMATION_PARAMETERS
    assert params["description"] == (
        "Left {{!}} right <nowiki>}}</nowiki> and <nowiki>{{</nowiki> and <nowiki>[[</nowiki> "
        "half {{fr|1=Vue {{!}} du port}}"
    )
    assert params["author"] == "KDE artists {{!}} Silstor"
    assert params["date"] == "1890 ~<nowiki/>~~~"
    assert params["source"] == (
        "{{en|1=Scanned by the museum}} [[w:Museum|museum]] {{Institution:Museum of the Port}}"
    )
    assert text.endswith(
        "=={{int:license-header}}==\n{{cc-by-sa-4.0}}\n\n"
        "[[Category:Harbours]]\n"
        "[[Category:Photographs by the Museum of the Port]]\n"
        "[[Category:Batch 7 of the Museum of the Port]]"
    )


def test_artwork_gets_the_institution_template_and_the_works_title() -> None:
    text = page_text(
        source=BUILT_IN["artwork"],
        values={
            "title": "SK-A-1234.jpg",
            "object_title": "The Night Watch",
            "artist": "{{Creator:Rembrandt}}",
            "accession_number": "SK-C-5",
        },
        institution_template="Institution:Rijksmuseum",
        licence="PD-old-100",
        categories=[],
        tracking_category="Rijksmuseum batch",
    )
    params = top_level_parameters(text, "Artwork")
    assert params["title"] == "The Night Watch"
    assert params["artist"] == "{{Creator:Rembrandt}}"
    assert params["institution"] == "{{Institution:Rijksmuseum}}"
    assert "{{PD-old-100}}" in text
    assert text.endswith("[[Category:Rijksmuseum batch]]")


def test_an_edited_template_without_licence_or_categories_still_gets_them() -> None:
    text = page_text(
        source="{{Information|description=${description}}}",
        values={"description": "A hill", "categories": "Hills"},
        institution_template="",
        licence=licence_for("CC BY 4.0"),  # type: ignore[arg-type]
        categories=[],
        tracking_category="Batch 3",
    )
    assert text == (
        "{{Information|description=A hill}}\n\n=={{int:license-header}}==\n{{cc-by-4.0}}\n"
        "[[Category:Hills]]\n[[Category:Batch 3]]"
    )


def test_a_pattypan_template_reads_the_resolved_licence_and_clean_categories(
    fixtures_dir: Path,
) -> None:
    source = (fixtures_dir / "pattypan" / "Information.ftl").read_text()
    text = page_text(
        source=source,
        values={"description": "A hill", "licence": "cc by sa 4.0", "categories": "hills;"},
        institution_template="",
        licence="cc by sa 4.0",
        categories=[],
        tracking_category="Batch 3",
    )
    assert "{{cc-by-sa-4.0}}\n\n[[Category:Hills]]\n[[Category:Batch 3]]" in text
    assert "{{subst:unc}}" not in text


def test_built_in_sources_are_editable_in_the_template_language() -> None:
    for source in BUILT_IN.values():
        assert {"description", "license", "categories"} <= variables(compile_template(source))


def test_neutralise_keeps_balanced_markup_and_institution_names_normalise() -> None:
    assert neutralise("{{en|a|b}} [[x|y]]") == "{{en|a|b}} [[x|y]]"
    assert neutralise("a }} b {{ c") == "a <nowiki>}}</nowiki> b <nowiki>{{</nowiki> c"
    assert neutralise("ok ]] fine") == "ok <nowiki>]]</nowiki> fine"
    assert institution_wikitext("{{Institution:X}}") == "{{Institution:X}}"
    assert institution_wikitext("Template:Institution:X ") == "{{Institution:X}}"
    assert institution_wikitext("") == ""
    assert re.fullmatch(
        r"\{\{Institution:Museu Nacional\}\}", institution_wikitext("Museu Nacional")
    )


def test_a_licence_commons_refuses_is_a_programming_error_here() -> None:
    with pytest.raises(ValueError, match="not a licence"):
        page_text(
            source=BUILT_IN["information"],
            values={},
            institution_template="",
            licence="CC BY-NC 4.0",
            categories=[],
            tracking_category="x",
        )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab |{}[]~=<>/\n")), max_size=60))
def test_no_cell_can_add_or_close_a_template_parameter(value: str) -> None:
    params = top_level_parameters("{{X\n |a = " + neutralise(value) + "\n |b = end\n}}", "X")
    assert list(params) == ["a", "b"]
    assert params["b"] == "end"
