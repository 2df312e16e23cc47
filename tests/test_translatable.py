"""Every piece of visible text in the templates is marked for translation."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Text that is not language: brand-free symbols, format names, separators.
ALLOWED = {"CSV", "XLSX", "·", "—", "→", "…"}
TAG_RE = re.compile(r"<[^>]*>", re.S)
# Attributes a person reads: they need translating too.
ATTR_RE = re.compile(r'\s(?:title|alt|placeholder|aria-label)="([^"{]*)"')


def _untranslated(source: str) -> list[str]:
    """Return the human-language text of a template that sits outside translation tags."""
    parts = []
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            if word in {"blocktranslate", "blocktrans"}:
                depth += 1
            elif word in {"endblocktranslate", "endblocktrans"}:
                depth -= 1
            parts.append(" X ")
        elif token.token_type == TokenType.TEXT and not depth:
            parts.append(token.contents)
        else:
            parts.append(" X ")
    html = "".join(parts)
    found = [a for a in ATTR_RE.findall(html) if re.search(r"[A-Za-z]{2,}", a)]
    text = TAG_RE.sub("\n", html)
    for chunk in text.splitlines():
        chunk = re.sub(r"\bX\b", "", chunk).strip(" ,.;:()-|&")
        if chunk and re.search(r"[A-Za-z]{2,}", chunk) and chunk not in ALLOWED:
            found.append(chunk)
    return found


def test_templates_have_no_untranslated_text() -> None:
    problems = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        if "<!doctype" in source.lower() and "{% load i18n" not in source:
            problems[str(path)] = ["template does not load i18n"]
        bad = _untranslated(source)
        if bad:
            problems[str(path.relative_to(TEMPLATES))] = bad
    assert problems == {}
