"""The language menu offers only complete catalogues; placeholders match their source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from hub.core.catalogues import (
    catalogue_path,
    catalogue_problems,
    is_complete,
    missing_messages,
    placeholder_mismatches,
    placeholders,
    po_code,
    read_po,
    shipped_languages,
)
from tests.catalogue_fixtures import FRENCH, write_catalogue

LOCALE = Path(settings.BASE_DIR) / "locale"
IGNORE = [".venv", "node_modules", "var", "staticfiles", "build", "tests", "bench", "*.egg-info"]


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory: pytest.TempPathFactory) -> list:
    """Extract every translatable message of the source afresh (makemessages, ~2 s)."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is missing: `make gettext` (or `make setup`) installs it")
    out = tmp_path_factory.mktemp("extracted")
    # makemessages writes into any locale/ folder it meets under the current directory, so it
    # runs in a folder of links to the source without locale/: the shipped catalogues stay as
    # they are and the extracted messages land in `out`.
    source = tmp_path_factory.mktemp("source")
    for entry in Path(settings.BASE_DIR).iterdir():
        if entry.name != "locale" and not entry.name.startswith("."):
            (source / entry.name).symlink_to(entry)
    with pytest.MonkeyPatch.context() as mp, override_settings(LOCALE_PATHS=[out]):
        mp.chdir(source)
        call_command(
            "makemessages",
            locale=["xx"],
            ignore_patterns=IGNORE,
            no_location=True,
            symlinks=True,
            verbosity=0,
        )
    return read_po(catalogue_path(out, "xx"))


def test_extraction_finds_the_interface_messages(source_messages):
    ids = {e.msgid for e in source_messages}
    assert {"Partnerships Hub", "Language", "Skip to content"} <= ids
    assert not any("tests must not reach" in i for i in ids)  # tests are not translated


def test_every_shipped_language_translates_every_message(source_messages):
    shipped = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    for code in shipped:
        catalogue = read_po(catalogue_path(LOCALE, po_code(code)))
        missing = missing_messages(source_messages, catalogue)
        assert not missing, f"{code} is offered but misses {len(missing)}: {missing[:10]}"


def test_a_catalogue_missing_one_message_is_caught(source_messages, tmp_path):
    everything = {e.msgid: "x" for e in source_messages if not e.msgid_plural and not e.msgctxt}
    everything.pop("Skip to content")
    po = write_catalogue(tmp_path, "fr", everything, compile_it=False)
    assert "Skip to content" in missing_messages(source_messages, read_po(po))


def test_every_catalogue_keeps_its_sources_placeholders():
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        assert not placeholder_mismatches(read_po(po)), po


def test_placeholders_that_differ_are_reported(tmp_path):
    po = write_catalogue(
        tmp_path,
        "fr",
        {
            "Hello %(name)s,": "Bonjour %(nom)s,",
            "%(count)d files": "%(count)s fichiers",
            "Sent by {sender}": "Envoyé par {expediteur}",
            "%s of %d": "%s sur %d",
            "Due on %(date)s": "Pour le %(date)s",
            "100% done, {{literal}}": "100 % fait, {{literal}}",
        },
        compile_it=False,
    )
    problems = placeholder_mismatches(read_po(po))
    assert len(problems) == 3
    assert any("%(name)s" in p for p in problems)
    assert any("{sender}" in p for p in problems)
    assert placeholders("%(a)s {b} %d %%") == ["%(a)s", "%d", "{b}"]


def test_plural_form_may_leave_out_the_count_but_not_a_name(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid "%(count)d file for %(name)s"\nmsgid_plural "%(count)d files for %(name)s"\n'
        'msgstr[0] "un fichier pour %(name)s"\nmsgstr[1] "%(count)d fichiers pour %(name)s"\n\n'
        'msgid "%(count)d row"\nmsgid_plural "%(count)d rows"\n'
        'msgstr[0] "une ligne"\nmsgstr[1] "%(count)d lignes pour %(who)s"\n',
        encoding="utf-8",
    )
    problems = placeholder_mismatches(read_po(po))
    assert len(problems) == 1 and "%(who)s" in problems[0]


def test_only_complete_compiled_catalogues_are_offered(tmp_path):
    write_catalogue(tmp_path, "fr", FRENCH)
    write_catalogue(tmp_path, "es", {"Language": "Idioma", "Your account": ""})
    write_catalogue(tmp_path, "sv", {"Language": "Språk"}, fuzzy=frozenset({"Language"}))
    write_catalogue(tmp_path, "ar", {"Language": "اللغة"}, compile_it=False)
    codes = [code for code, _ in shipped_languages(tmp_path, settings.HUB_KNOWN_LANGUAGES)]
    assert codes == ["en", "fr"]


@pytest.mark.parametrize(
    ("body", "complete"),
    [
        ('msgid "A"\nmsgstr "B"\n', True),
        ('msgid ""\n"Long A"\nmsgstr ""\n"Long B"\n', True),
        ('msgid ""\n"Long A"\nmsgstr ""\n', False),
        ('#, fuzzy, python-format\nmsgid "A %(x)s"\nmsgstr "B %(x)s"\n', False),
        ('#, fuzzy\nmsgctxt "c"\nmsgid ""\n"A"\nmsgstr "B"\n', False),
        ('msgid "A"\nmsgid_plural "As"\nmsgstr[0] "B"\nmsgstr[1] ""\n', False),
        ('msgid "A"\nmsgstr "B"\n\n#~ msgid "Old"\n#~ msgstr ""\n', True),
        ("", False),
    ],
)
def test_completeness_read_at_start_agrees_with_the_full_reading(tmp_path, body, complete):
    """The start-up check reads by pattern; it must say what reading every entry says."""
    po = tmp_path / "django.po"
    po.write_text('#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: x\\n"\n\n' + body, encoding="utf-8")
    po.with_suffix(".mo").write_bytes(b"")
    entries = read_po(po)
    assert is_complete(po) is complete
    assert (bool(entries) and all(e.translated for e in entries)) is complete


def test_reading_keeps_contexts_plurals_and_long_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Plural-Forms: nplurals=6;\\n"\n\n'
        '#: hub/x.py:1\nmsgctxt "verb"\nmsgid "Open"\nmsgstr "افتح"\n\n'
        'msgid ""\n"A long "\n"line"\nmsgstr ""\n"Une longue "\n"ligne"\n\n'
        'msgid "%(count)d day"\nmsgid_plural "%(count)d days"\n'
        'msgstr[0] "a"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [(e.msgctxt, e.msgid) for e in entries] == [
        ("verb", "Open"),
        (None, "A long line"),
        (None, "%(count)d day"),
    ]
    assert entries[1].msgstr == {0: "Une longue ligne"}
    assert [e.translated for e in entries] == [True, True, False]


def test_folder_names_follow_gettext():
    assert po_code("pt-br") == "pt_BR"
    assert po_code("zh-hans") == "zh_Hans"
    assert po_code("fr") == "fr"


def test_catalogues_that_cannot_be_offered_are_reported(tmp_path):
    import os

    write_catalogue(tmp_path, "fr", FRENCH)
    write_catalogue(tmp_path, "es", {"Language": "Idioma"}, compile_it=False)
    stale = write_catalogue(tmp_path, "sv", {"Language": "Språk"})
    os.utime(stale.with_suffix(".mo"), (1, 1))
    write_catalogue(tmp_path, "tzm", {"Language": "ⵜⵓⵜⵍⴰⵢⵜ"})
    problems = catalogue_problems(tmp_path, settings.HUB_KNOWN_LANGUAGES)
    assert [p.split(":")[0] for p in problems] == ["es", "sv", "tzm"]


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext"}


def test_no_message_is_marked_inside_an_f_string():
    """xgettext does not look inside f-strings: a message marked there is never extracted, so
    no catalogue can translate it and it stays English in every language."""
    import ast

    found = []
    for path in sorted((Path(settings.BASE_DIR) / "hub").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for call in ast.walk(node):
                    func = getattr(call, "func", None)
                    if isinstance(call, ast.Call) and getattr(func, "id", "") in GETTEXT_NAMES:
                        found.append(f"{path.relative_to(settings.BASE_DIR)}:{call.lineno}")
    assert not found, f"gettext inside an f-string (move it to a variable first): {found}"
