"""Batch upload: Pattypan's workbooks and its seven shipped templates, rendered as FreeMarker."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.uploads.fields import guess_mapping, template_values
from hub.uploads.pattypan import (
    TemplateError,
    compile_template,
    is_pattypan_workbook,
    render,
    variables,
)
from hub.uploads.sheets import read_sheet, rows_as_values
from tests.upload_fixtures import (
    PATTYPAN_TEMPLATES,
    pattypan_fields,
    pattypan_source,
    pattypan_workbook,
    pattypan_xls,
    xlsx_file,
)

INFORMATION_EXPECTED = """=={{int:filedesc}}==
{{Information
 |description = A view of the hill
 |date = 1890
 |source = Museum of the Hill
 |author = J. Smith
 |permission = 
 |other versions = 
}}

=={{int:license-header}}==
{{cc-zero}}

[[Category:Hills]]
[[Category:Maps of 1890]]
"""  # noqa: W291 - FreeMarker keeps the space before an empty value


def test_information_renders_exactly_as_freemarker(fixtures_dir: Path) -> None:
    template = compile_template(pattypan_source(fixtures_dir, "Information"))
    values = {
        "description": "A view of the hill",
        "date": "1890",
        "source": "Museum of the Hill",
        "author": "J. Smith",
        "permission": "",
        "other_versions": "",
        "license": "{{cc-zero}}",
        "categories": "Hills; Maps of 1890 ",
    }
    assert render(template, values) == INFORMATION_EXPECTED
    no_categories = render(template, {**values, "categories": ""})
    assert no_categories.endswith("=={{int:license-header}}==\n{{cc-zero}}\n\n{{subst:unc}}\n")
    assert variables(template) == set(values)


def _expected(source: str, values: dict[str, str], categories: list[str]) -> str:
    """Return what FreeMarker gives: the head with each ${var} replaced, then the category tail.

    Every shipped template ends with the same block: the lines holding only <#if>, <#list>,
    </#list> disappear with their line breaks; the <#else> line keeps its text.
    """
    head = source[: source.index("<#if categories")]
    head = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], head)
    if categories:
        return head + "".join(f"[[Category:{c}]]\n" for c in categories)
    return head + "{{subst:unc}}\n"


@pytest.mark.parametrize("name", PATTYPAN_TEMPLATES)
def test_every_shipped_template_renders_from_a_pattypan_workbook(
    fixtures_dir: Path, tmp_path: Path, name: str
) -> None:
    fields = pattypan_fields(fixtures_dir, name)
    source = pattypan_source(fixtures_dir, name)
    headers = ["path", "name", *fields, "categories"]
    rows = [
        ["C:\\photos\\one.jpg", "One", *[f"{f} of one" for f in fields], " Maps;Hills ;Art"],
        ["C:\\photos\\two.jpg", "Two", *["" for _f in fields], ""],
    ]
    path = pattypan_workbook(tmp_path / "sheet.xlsx", headers=headers, rows=rows, template=source)
    assert is_pattypan_workbook(path)
    sheet = read_sheet(path, original_name="sheet.xlsx")
    assert sheet.template_source == source
    template = compile_template(sheet.template_source)
    assert variables(template) <= set(headers)
    one, two = rows_as_values(sheet, guess_mapping(sheet.headers))

    rendered = render(template, template_values(one))
    full = {f: f"{f} of one" for f in fields}
    assert rendered == _expected(source, full, ["Maps", "Hills", "Art"])
    empty = render(template, template_values(two))
    assert empty == _expected(source, dict.fromkeys(fields, ""), [])


def test_split_keeps_empty_pieces_as_freemarker_does() -> None:
    template = compile_template(
        '<#list c?split(";") as x>\n  [${x?trim}]\n</#list>\nend ${missing}.'
    )
    assert render(template, {"c": "a;;b;"}) == "  [a]\n  []\n  [b]\n  []\nend ."


def test_tag_only_lines_lose_indentation_but_inline_tags_keep_their_spaces() -> None:
    template = compile_template(
        "A\n    <#if x ? has_content>\n  X=${x}\n    <#else>\n  none\n    </#if>\n"
        "B <#if x?has_content>yes</#if> C\n<#-- a comment -->\nD"
    )
    assert render(template, {"x": "1"}) == "A\n  X=1\nB yes C\nD"
    assert render(template, {}) == "A\n  none\nB  C\nD"


def test_elseif_and_list_else() -> None:
    template = compile_template("<#if a?has_content>a<#elseif b?has_content>b<#else>none</#if>")
    assert [render(template, v) for v in ({"a": "1"}, {"b": "1"}, {})] == ["a", "b", "none"]
    listing = compile_template("<#list a?split(',') as i>[${i}]<#else>none</#list>")
    # FreeMarker splits "" into one empty piece, so a list's <#else> never shows for a split.
    assert [render(listing, v) for v in ({"a": "x,y"}, {})] == ["[x][y]", "[]"]
    with pytest.raises(TemplateError, match="<#sep>"):
        compile_template("<#list a?split(',') as i>${i}<#sep>, </#list>")


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("one\n<#assign x = 1>", 2, "<#assign>"),
        ("${title?upper_case}", 1, "?upper_case"),
        ('a\nb\n${x!"default"}', 3, "default value"),
        ("<#macro m>x</#macro>", 1, "<#macro>"),
        ("x\n<@m/>", 2, "macro call"),
        ("<#include 'other.ftl'>", 1, "<#include>"),
        ("<#if x?has_content && y?has_content>x</#if>", 1, "is not supported"),
        ("<#if x?has_content>\nopen", 1, "never closed"),
        ("text\n</#list>", 2, "does not belong"),
        ("${x", 1, "never closed"),
        ("<#list x as y></#list>", 1, "<#list x as y>"),
        ("#{x}", 1, "#{…}"),
        ("<#-- open", 1, "never closed"),
    ],
)
def test_anything_else_is_refused_naming_it_and_its_line(
    source: str, line: int, words: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source)
    assert caught.value.line == line
    assert words in caught.value.message
    assert f"Line {line}" in caught.value.message


def test_windows_line_breaks_are_read_as_plain_ones() -> None:
    template = compile_template("<#if x?has_content>\r\nX\r\n</#if>\r\nY")
    assert render(template, {"x": "1"}) == "X\nY"


def test_an_ordinary_workbook_or_csv_is_not_pattypan(tmp_path: Path) -> None:
    assert not is_pattypan_workbook(xlsx_file(tmp_path / "a.xlsx", [["file"], ["a.jpg"]]))
    (tmp_path / "a.csv").write_text("file\na.jpg\n")
    assert not is_pattypan_workbook(tmp_path / "a.csv")


def test_a_pattypan_xls_as_pattypan_writes_it_renders_the_same(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    source = pattypan_source(fixtures_dir, "Information")
    fields = pattypan_fields(fixtures_dir, "Information")
    row = {
        "description": "A view of the hill",
        "date": dt.date(1890, 5, 3),
        "source": "Museum of the Hill",
        "author": "J. Smith",
        "permission": "",
        "other_versions": "",
        "license": "{{cc-zero}}",
    }
    path = pattypan_xls(
        tmp_path / "pattypan.xls",
        headers=["path", "name", *fields, "categories"],
        rows=[["C:\\a.jpg", "A view", *[row[f] for f in fields], "Hills; Maps of 1890 "]],
        template=source,
    )
    assert is_pattypan_workbook(path)
    sheet = read_sheet(path, original_name="pattypan.xls")
    assert sheet.template_source == source
    [values] = rows_as_values(sheet, guess_mapping(sheet.headers))
    assert values["title"] == "A view" and values["date"] == "1890-05-03"
    rendered = render(compile_template(source), template_values(values))
    assert rendered == INFORMATION_EXPECTED.replace(" |date = 1890\n", " |date = 1890-05-03\n")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<#/>${}?ifelsta x;\"'\n-")), max_size=80))
def test_any_text_compiles_or_fails_with_a_line(source: str) -> None:
    try:
        template = compile_template(source)
    except TemplateError as error:
        assert 1 <= error.line <= source.count("\n") + 1
    else:
        render(template, {"x": "1", "a": "2"})
