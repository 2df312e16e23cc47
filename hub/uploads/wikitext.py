"""Write a file's page text: a template the affiliate picks or edits, filled with a row's values.

The built-in sources are written in the same template language as Pattypan's (see
:mod:`hub.uploads.pattypan`), so a batch can start from one and edit it. Values from the sheet
are neutralised first: a stray "|" or "}}" in a description cannot break the template around it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from hub.uploads.fields import languages, split_list, template_values
from hub.uploads.licences import Licence, licence_for
from hub.uploads.pattypan import CompiledTemplate, compile_template, render
from hub.wikimedia.errors import InvalidTitle
from hub.wikimedia.titles import category_name

_HEAD = "=={{int:filedesc}}==\n"
_TAIL = """
=={{int:license-header}}==
${license}

<#if categories?has_content>
<#list categories?split(";") as category>
[[Category:${category}]]
</#list>
</#if>
"""

INFORMATION = (
    _HEAD
    + """{{Information
 |description = ${description}
 |date = ${date}
 |source = ${source}<#if institution?has_content> ${institution}</#if>
 |author = ${author}
 |permission = ${permission}
 |other versions = ${other_versions}
 |other fields = ${other_fields}
}}
"""
    + _TAIL
)


def _source(template: str, parameters: str) -> str:
    """Return a template's source: one "|parameter = ${variable}" line per parameter."""
    lines = [f" |{name} = ${{{name.replace(' ', '_')}}}" for name in parameters.split(",")]
    return _HEAD + "{{" + template + "\n" + "\n".join(lines) + "\n}}\n" + _TAIL


# Parameter names as Commons' {{Artwork}} and {{Photograph}} define them; each reads the
# variable of the same name with "_" for spaces ("title" is the work's title).
ARTWORK = _source(
    "Artwork",
    "artist,author,title,object type,description,depicted people,depicted place,date,medium,"
    "dimensions,institution,department,accession number,place of creation,place of discovery,"
    "object history,exhibition history,credit line,inscriptions,notes,references,source,"
    "permission,other_versions,other_fields,wikidata",
)
PHOTOGRAPH = _source(
    "Photograph",
    "photographer,title,description,depicted people,depicted place,date,medium,dimensions,"
    "institution,department,references,object history,exhibition history,credit line,"
    "inscriptions,notes,accession number,source,permission,other_versions,other_fields,wikidata",
)

BUILT_IN = {"information": INFORMATION, "artwork": ARTWORK, "photograph": PHOTOGRAPH}

_MARKUP_RE = re.compile(r"\{\{|\}\}|\[\[|\]\]|\||~~~")
_PAIRS = {"}}": "{{", "]]": "[["}


def neutralise(value: str) -> str:
    """Return a cell's text safe inside a template parameter, its own markup kept.

    Balanced ``{{…}}`` and ``[[…]]`` (a language template, a link) stay as they are. A "|"
    outside them becomes ``{{!}}``; braces or brackets that open or close nothing are wrapped
    in ``<nowiki>``; "~~~" (a signature) is kept from expanding.
    """
    tokens = list(_MARKUP_RE.finditer(value))
    matched: set[int] = set()
    stack: list[int] = []
    for index, token in enumerate(tokens):
        text = token.group(0)
        if text in ("{{", "[["):
            stack.append(index)
        elif text in _PAIRS and stack and tokens[stack[-1]].group(0) == _PAIRS[text]:
            matched.update({stack.pop(), index})
    out: list[str] = []
    cursor, depth = 0, 0
    for index, token in enumerate(tokens):
        out.append(value[cursor : token.start()])
        text = token.group(0)
        if index in matched:
            depth += 1 if text in ("{{", "[[") else -1
            out.append(text)
        elif text == "|":
            out.append("|" if depth else "{{!}}")
        elif text == "~~~":
            out.append("~<nowiki/>~~")
        else:
            out.append(f"<nowiki>{text}</nowiki>")
        cursor = token.end()
    out.append(value[cursor:])
    return "".join(out)


@functools.lru_cache(maxsize=16)
def _compiled(source: str) -> CompiledTemplate:
    """Return a parsed template; a batch renders the same source for every row."""
    return compile_template(source)


def institution_wikitext(name: str) -> str:
    """Return the institution template: "Rijksmuseum" → "{{Institution:Rijksmuseum}}"."""
    name = name.strip()
    if not name or name.startswith("{{"):
        return name
    name = re.sub(r"^(?:template:)?institution:", "", name, flags=re.I).strip()
    return "{{Institution:" + name + "}}" if name else ""


def _category(name: str) -> str:
    try:
        return category_name(name)
    except InvalidTitle:
        return name.strip()  # validation refuses the row; never drop a category silently


def _descriptions(values: Mapping[str, str]) -> str:
    """Return the plain description followed by one {{xx|1=…}} per language column."""
    parts = [neutralise(values.get("description", "").strip())]
    for language, text in languages(values, "description").items():
        parts.append("{{" + language + "|1=" + neutralise(text) + "}}")
    return " ".join(part for part in parts if part)


def page_context(
    values: Mapping[str, str],
    *,
    institution_template: str,
    licence: Licence,
    categories: Sequence[str],
) -> dict[str, str]:
    """Return the variables a page template sees for one row (values already neutralised)."""
    context = {key: neutralise(value) for key, value in template_values(values).items()}
    context["description"] = _descriptions(values)
    context["institution"] = context.get("institution") or institution_wikitext(
        institution_template
    )
    context["license"] = context["licence"] = licence.template
    names = [_category(c) for c in [*split_list(values.get("categories", "")), *categories]]
    context["categories"] = ";".join(dict.fromkeys(n for n in names if n))
    return context


def page_text(
    *,
    source: str,
    values: Mapping[str, str],
    institution_template: str,
    licence: str | Licence,
    categories: Sequence[str],
    tracking_category: str,
) -> str:
    """Return a file's page text: the template filled in, with licence and categories ensured.

    ``licence``: the row's licence (or the batch's) as written or as a :class:`Licence`; it
    must be one :func:`licence_for` knows (validation refuses other rows). The licence
    template, every category and the tracking category are added after the template's own text
    when the template left them out. Raises ``TemplateError`` for a source it cannot read.
    """
    resolved = licence if isinstance(licence, Licence) else licence_for(licence)
    if resolved is None:
        raise ValueError(f"not a licence Commons accepts: {licence!r}")
    context = page_context(
        values,
        institution_template=institution_template,
        licence=resolved,
        categories=categories,
    )
    text = render(_compiled(source), context).rstrip()
    if resolved.template not in text:
        text += "\n\n=={{int:license-header}}==\n" + resolved.template
    missing = [
        name
        for name in [*context["categories"].split(";"), _category(tracking_category)]
        if name and f"[[Category:{name}]]" not in text
    ]
    if missing:
        text += "\n" + "\n".join(f"[[Category:{name}]]" for name in missing)
    return text
