"""Draw Wikimedia Codex icons as inline SVG: {% icon "cdxIconNext" %}."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi

register = template.Library()

# Written by scripts/build_css.mjs with only the icons the templates name (from codex-icons).
ICONS_FILE = Path(__file__).resolve().parent.parent / "codex_icons.json"


@functools.cache
def _icons() -> dict[str, Any]:
    return json.loads(ICONS_FILE.read_text(encoding="utf-8"))


def _paths(icon: str | dict[str, Any], language: str, rtl: bool) -> tuple[str, bool]:
    """Return the icon's SVG paths for the language and whether to mirror them."""
    if isinstance(icon, str):
        return icon, False
    if "langCodeMap" in icon:
        chosen = icon["langCodeMap"].get(language.split("-")[0], icon["default"])
        return _paths(chosen, language, rtl)
    if "rtl" in icon:
        return (icon["rtl"] if rtl else icon["ltr"]), False
    exceptions = icon.get("shouldFlipExceptions", [])
    return icon["ltr"], bool(icon.get("shouldFlip")) and rtl and language not in exceptions


@register.simple_tag
def icon(name: str) -> SafeString:
    """Return a decorative Codex icon (hidden from screen readers: the text beside it speaks)."""
    paths, flipped = _paths(_icons()[name], get_language() or "en", get_language_bidi())
    return format_html(
        '<span class="cdx-icon{}" aria-hidden="true"><svg xmlns="http://www.w3.org/2000/svg" '
        'width="20" height="20" viewBox="0 0 20 20" focusable="false">{}</svg></span>',
        " cdx-icon--flipped" if flipped else "",
        mark_safe(paths),  # noqa: S308 - paths from the committed codex-icons extract
    )
