"""Render page templates written in Pattypan's subset of FreeMarker; refuse everything else.

Understood: ``${name}`` and ``${name?trim}``; ``<#if name?has_content>…<#elseif …>…<#else>…
</#if>``; ``<#list name?split(";") as item>…<#else>…</#list>``; comments ``<#-- … -->``. Lines
holding only tags lose their indentation and line break, as FreeMarker's white-space stripping
does. A variable no column provides reads as empty (FreeMarker would stop with an error; the
batch page lists such variables through :func:`variables`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from hub.uploads.sheets import sheet_heads, workbook_template

SUPPORTED = '${name}, ${name?trim}, <#if name?has_content>…<#else>…</#if>, <#list name?split(";") as item>…</#list>'  # noqa: E501
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_INTERP_RE = re.compile(rf"^\s*({_NAME})((?:\s*\?\s*trim)*)\s*$")
_IF_RE = re.compile(rf"^\s*({_NAME})\s*\?\s*has_content\s*$")
_LIST_RE = re.compile(rf"^\s*({_NAME})\s*\?\s*split\s*\(\s*({_STRING})\s*\)\s+as\s+({_NAME})\s*$")
_TAG_RE = re.compile(r"<#--|<(/?)#([A-Za-z_]*)|<(/?)@|\$\{|#\{")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "{": "{"}


class TemplateError(Exception):
    """The template uses something the Hub does not understand; the message says what, where."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Var:
    name: str
    trim: bool


@dataclass
class _If:
    branches: list[tuple[str | None, list[_Node]]]


@dataclass
class _List:
    source: str
    separator: str
    item: str
    body: list[_Node] = field(default_factory=list)
    empty: list[_Node] | None = None


_Node = str | _Var | _If | _List


@dataclass
class CompiledTemplate:
    """A parsed template: render it with :func:`render`."""

    source: str
    nodes: list[_Node]


@dataclass
class _Token:
    kind: str  # "text" | "var" | "open" | "close" | "comment"
    start: int
    end: int
    line: int
    name: str = ""
    body: str = ""


def _line_of(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def _unsupported(what: str, line: int) -> TemplateError:
    return TemplateError(
        _("Line %(line)s: %(what)s is not supported. Page templates can use only %(supported)s.")
        % {"line": line, "what": what, "supported": SUPPORTED},
        line=line,
    )


def _tag_end(source: str, start: int, line: int, opening: str) -> int:
    """Return the index just past the ">" that closes a tag opened at start."""
    position, quote = start, ""
    while position < len(source):
        char = source[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ">":
            return position + 1
        position += 1
    raise TemplateError(
        _("Line %(line)s: %(tag)s is never closed with “>”.") % {"line": line, "tag": opening},
        line=line,
    )


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    for match in _TAG_RE.finditer(source):
        if match.start() < position:
            continue
        start, line = match.start(), _line_of(source, match.start())
        if start > position:
            tokens.append(_Token("text", position, start, _line_of(source, position)))
        text = match.group(0)
        if text == "<#--":
            end = source.find("-->", start)
            if end < 0:
                raise TemplateError(
                    _("Line %(line)s: a comment “<#--” is never closed with “-->”.")
                    % {"line": line},
                    line=line,
                )
            tokens.append(_Token("comment", start, end + 3, line))
            position = end + 3
        elif text == "#{":
            raise _unsupported("#{…}", line)
        elif text == "${":
            end = source.find("}", start)
            if end < 0:
                raise TemplateError(
                    _("Line %(line)s: “${” is never closed with “}”.") % {"line": line},
                    line=line,
                )
            tokens.append(_Token("var", start, end + 1, line, body=source[start + 2 : end]))
            position = end + 1
        elif match.group(3) is not None:
            raise _unsupported(_("a macro call <@…>"), line)
        else:
            closing, name = match.group(1), match.group(2)
            end = _tag_end(source, start, line, text)
            inner = source[match.end() : end - 1].rstrip("/")
            kind = "close" if closing else "open"
            tokens.append(_Token(kind, start, end, line, name=name, body=inner))
            position = end
    if position < len(source):
        tokens.append(_Token("text", position, len(source), _line_of(source, position)))
    return tokens


def _stripped_ranges(source: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    """Return the spans FreeMarker's white-space stripping removes around tag-only lines."""
    tag_at = {t.start: t.end for t in tokens if t.kind in {"open", "close", "comment"}}
    ranges: list[tuple[int, int]] = []
    position = 0
    while position < len(source):
        first = position
        while first < len(source) and source[first] in " \t":
            first += 1
        last = first
        while last in tag_at:
            last = tag_at[last]
        if last > first:
            after = last
            while after < len(source) and source[after] in " \t\r":
                after += 1
            if after >= len(source) or source[after] == "\n":
                ranges.append((position, first))
                ranges.append((last, min(after + 1, len(source))))
                position = after + 1
                continue
        # Not a tag-only line: go on after its line break (one inside a tag does not count).
        cursor = max(first, last)
        while cursor < len(source) and source[cursor] != "\n":
            cursor = tag_at.get(cursor, cursor + 1)
        position = cursor + 1
    return ranges


def _kept_text(source: str, start: int, end: int, ranges: list[tuple[int, int]]) -> str:
    pieces, cursor = [], start
    for a, b in ranges:
        if b <= cursor or a >= end:
            continue
        pieces.append(source[cursor:a])
        cursor = max(cursor, b)
    pieces.append(source[cursor:end])
    return "".join(pieces)


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def _expression_problem(body: str, line: int, tag: str) -> TemplateError:
    """Return the error for an expression outside the subset, naming what it uses."""
    builtin = re.search(rf"\?\s*({_NAME})", body)
    if builtin and builtin.group(1) not in {"trim", "has_content", "split"}:
        return _unsupported(f"?{builtin.group(1)}", line)
    if "!" in body:
        return _unsupported(_("the default value “!” in %(tag)s") % {"tag": tag}, line)
    return _unsupported(tag, line)


def compile_template(source: str) -> CompiledTemplate:
    """Parse a template; raise :class:`TemplateError` naming the first construct not understood."""
    source = source.replace("\r\n", "\n")
    tokens = _tokens(source)
    ranges = _stripped_ranges(source, tokens)
    root: list[_Node] = []
    # Each open block: (directive name, its node, the body being filled, opening line).
    stack: list[tuple[str, _If | _List, list[_Node], int]] = []

    def body() -> list[_Node]:
        return stack[-1][2] if stack else root

    for token in tokens:
        if token.kind == "comment":
            continue
        if token.kind == "text":
            text = _kept_text(source, token.start, token.end, ranges)
            if text:
                body().append(text)
            continue
        if token.kind == "var":
            match = _INTERP_RE.match(token.body)
            if not match:
                raise _expression_problem(token.body, token.line, "${" + token.body + "}")
            body().append(_Var(match.group(1), trim=bool(match.group(2))))
            continue
        tag = f"<{'/' if token.kind == 'close' else ''}#{token.name}>"
        if token.kind == "open" and token.name in {"if", "elseif"}:
            match = _IF_RE.match(token.body)
            if not match:
                raise _expression_problem(token.body, token.line, f"<#{token.name}{token.body}>")
            if token.name == "if":
                node = _If(branches=[(match.group(1), [])])
                body().append(node)
                stack.append(("if", node, node.branches[0][1], token.line))
                continue
            if_node = stack[-1][1] if stack else None
            if not isinstance(if_node, _If):
                raise _stray(tag, token.line)
            if_node.branches.append((match.group(1), []))
            stack[-1] = ("if", if_node, if_node.branches[-1][1], stack[-1][3])
        elif token.kind == "open" and token.name == "list":
            match = _LIST_RE.match(token.body)
            if not match:
                raise _expression_problem(token.body, token.line, f"<#list{token.body}>")
            list_node = _List(match.group(1), _unquote(match.group(2)), match.group(3))
            body().append(list_node)
            stack.append(("list", list_node, list_node.body, token.line))
        elif token.kind == "open" and token.name == "else":
            if token.body.strip() or not stack:
                raise _stray(tag, token.line) if not stack else _unsupported(tag, token.line)
            kind, block, _filling, line = stack[-1]
            if isinstance(block, _If):
                if block.branches[-1][0] is None:
                    raise _stray(tag, token.line)
                block.branches.append((None, []))
                stack[-1] = (kind, block, block.branches[-1][1], line)
            else:
                if block.empty is not None:
                    raise _stray(tag, token.line)
                block.empty = []
                stack[-1] = (kind, block, block.empty, line)
        elif token.kind == "close" and token.name in {"if", "list"}:
            if not stack or stack[-1][0] != token.name:
                raise _stray(tag, token.line)
            stack.pop()
        else:
            raise _unsupported(f"<{'/' if token.kind == 'close' else ''}#{token.name}>", token.line)
    if stack:
        name, _block, _filling, line = stack[-1]
        raise TemplateError(
            _("Line %(line)s: <#%(name)s> is never closed with </#%(name)s>.")
            % {"line": line, "name": name},
            line=line,
        )
    return CompiledTemplate(source=source, nodes=root)


def _stray(tag: str, line: int) -> TemplateError:
    return TemplateError(
        _("Line %(line)s: %(tag)s does not belong to any open <#if> or <#list>.")
        % {"line": line, "tag": tag},
        line=line,
    )


def _java_trim(text: str) -> str:
    """Return text without leading and trailing characters up to U+0020, as Java's trim does."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _render(nodes: list[_Node], scope: Mapping[str, str], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Var):
            value = scope.get(node.name) or ""
            out.append(_java_trim(value) if node.trim else value)
        elif isinstance(node, _If):
            for condition, branch in node.branches:
                if condition is None or scope.get(condition):
                    _render(branch, scope, out)
                    break
        else:
            value = scope.get(node.source) or ""
            # FreeMarker's split keeps empty pieces, also the last one ("a;" → "a", "").
            items = value.split(node.separator) if node.separator else list(value)
            if not items and node.empty is not None:
                _render(node.empty, scope, out)
            for item in items:
                _render(node.body, {**scope, node.item: item}, out)


def render(template: CompiledTemplate, values: Mapping[str, str]) -> str:
    """Return the template's text for one row's values (missing variables read as empty)."""
    out: list[str] = []
    _render(template.nodes, values, out)
    return "".join(out)


def variables(template: CompiledTemplate) -> set[str]:
    """Return the variables a template reads from a row (loop items left out)."""
    found: set[str] = set()

    def walk(nodes: list[_Node], local: frozenset[str]) -> None:
        for node in nodes:
            if isinstance(node, _Var) and node.name not in local:
                found.add(node.name)
            elif isinstance(node, _If):
                for condition, branch in node.branches:
                    if condition and condition not in local:
                        found.add(condition)
                    walk(branch, local)
            elif isinstance(node, _List):
                if node.source not in local:
                    found.add(node.source)
                walk(node.body, local | {node.item})
                walk(node.empty or [], local)

    walk(template.nodes, frozenset())
    return found


def is_pattypan_workbook(path: Path) -> bool:
    """Return whether a file is a workbook laid out as Pattypan writes it (data, template)."""
    try:
        return workbook_template(sheet_heads(path)) is not None
    except Exception:  # noqa: BLE001 - not readable means not a Pattypan workbook
        return False
