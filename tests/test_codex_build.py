"""The committed stylesheets are what the Codex build makes, and each direction gets its own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from hub.core.templatetags.hub_icons import icon

ROOT = Path(__file__).resolve().parent.parent
CODEX = ROOT / "node_modules" / "@wikimedia" / "codex" / "package.json"


def test_committed_css_is_what_the_build_script_makes() -> None:
    node = shutil.which("node")
    if node is None or not CODEX.exists():
        message = "node or node_modules/@wikimedia/codex missing: run `make browser`"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this check may not be skipped)")
        pytest.skip(message)
    result = subprocess.run(  # noqa: S603 - our own script, no user input
        [node, "scripts/build_css.mjs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_built_css_keeps_only_the_codex_rules_the_hub_uses() -> None:
    css = (ROOT / "static" / "css" / "hub.css").read_text(encoding="utf-8")
    assert ".cdx-message--error" in css  # a form's errors
    assert ".cdx-button" in css
    assert ".cdx-menu" not in css  # a component the Hub does not use
    assert ".cdx-button--size-large" not in css  # a variant no template asks for
    assert "--color-progressive:" in css  # a token a kept rule uses
    assert "--color-visited" not in css  # a token nothing uses


def test_right_to_left_css_mirrors_the_codex_rules() -> None:
    ltr = (ROOT / "static" / "css" / "hub.css").read_text(encoding="utf-8")
    rtl = (ROOT / "static" / "css" / "hub-rtl.css").read_text(encoding="utf-8")
    # The language menu's arrow sits at the end of the select box in both directions.
    assert "background-position:center right 12px" in ltr
    assert "background-position:center left 12px" in rtl
    assert "background-position:center right" not in rtl


@pytest.mark.django_db
def test_arabic_pages_load_the_right_to_left_stylesheet(settings) -> None:
    settings.LANGUAGES = [("en", "English"), ("ar", "Arabic")]
    english = Client().get("/login/", headers={"accept-language": "en"}).content.decode()
    arabic = Client().get("/login/", headers={"accept-language": "ar"}).content.decode()
    assert 'dir="ltr"' in english and "css/hub.css" in english and "hub-rtl" not in english
    assert 'dir="rtl"' in arabic and "css/hub-rtl.css" in arabic


def test_arrow_icons_point_the_way_of_the_language() -> None:
    with translation.override("en"):
        assert "cdx-icon--flipped" not in icon("cdxIconNext")
    with translation.override("ar"):
        drawn = icon("cdxIconNext")
    assert "cdx-icon--flipped" in drawn
    assert 'aria-hidden="true"' in drawn and "<path" in drawn
