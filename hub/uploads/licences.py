"""Recognise the licence a row names, in any common spelling, and refuse what Commons refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

COPYRIGHTED = "Q50423863"  # P6216 copyright status: copyrighted
PUBLIC_DOMAIN = "Q19652"  # P6216 copyright status: public domain


@dataclass(frozen=True)
class Licence:
    """A licence Commons accepts: its template, its Wikidata item (P275) and its status (P6216)."""

    key: str  # "cc-by-sa-4.0", "cc0", "pd-old-70"
    label: str  # "CC BY-SA 4.0"
    template: str  # "{{cc-by-sa-4.0}}"
    qid: str  # the value of P275 (licence); "" for public-domain marks, which are no licence
    status_qid: str  # the value of P6216 (copyright status)
    url: str = ""


# Wikidata items of the Creative Commons licences (the generic, "unported" versions).
_CC_QIDS = {
    ("by", "1.0"): "Q30942811",
    ("by", "2.0"): "Q19125117",
    ("by", "2.5"): "Q18810333",
    ("by", "3.0"): "Q14947546",
    ("by", "4.0"): "Q20007257",
    ("by-sa", "1.0"): "Q47001652",
    ("by-sa", "2.0"): "Q19068220",
    ("by-sa", "2.5"): "Q19113751",
    ("by-sa", "3.0"): "Q14946043",
    ("by-sa", "4.0"): "Q18199165",
}
CC0 = Licence(
    key="cc0",
    label="CC0 1.0",
    template="{{cc-zero}}",
    qid="Q6938433",
    status_qid=COPYRIGHTED,
    url="https://creativecommons.org/publicdomain/zero/1.0/",
)
_VERSIONS = ("1.0", "2.0", "2.5", "3.0", "4.0")
# Jurisdiction ports Commons has templates for ({{cc-by-sa-3.0-de}}); their items differ from
# the generic licence's, so no P275 value is guessed for them.
_PORT_RE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")


def _cc(kind: str, version: str, port: str = "") -> Licence:
    suffix = f"-{port}" if port else ""
    key = f"cc-{kind}-{version}{suffix}"
    label = f"CC {kind.upper()} {version}" + (f" ({port.upper()})" if port else "")
    path = f"{kind}/{version}/" + (f"{port}/" if port else "")
    return Licence(
        key=key,
        label=label,
        template="{{" + key + "}}",
        qid="" if port else _CC_QIDS[(kind, version)],
        status_qid=COPYRIGHTED,
        url=f"https://creativecommons.org/licenses/{path}",
    )


def _squash(text: str) -> str:
    """Return text lower case with every run of separators as one hyphen."""
    text = text.strip().lower()
    text = text.removeprefix("{{").removesuffix("}}").strip()
    text = re.sub(r"^self\s*\|\s*", "", text)
    return re.sub(r"[\s_\-–—/,.:()]+", "-", text).strip("-")


_URL_RE = re.compile(
    r"^(?:https?:)?//(?:www\.)?creativecommons\.org/(licenses|publicdomain)/([a-z\-]+)/"
    r"(\d\.\d)(?:/([a-z]{2}(?:-[a-z]{2})?))?(?:/[a-z_\-.]*)?/?$"
)
_WORDS = (
    ("creative commons", "cc"),
    ("attribution", "by"),
    ("share alike", "sa"),
    ("sharealike", "sa"),
    ("share-alike", "sa"),
    ("noncommercial", "nc"),
    ("non commercial", "nc"),
    ("non-commercial", "nc"),
    ("no derivatives", "nd"),
    ("noderivatives", "nd"),
    ("no derivs", "nd"),
    ("noderivs", "nd"),
    ("no-derivatives", "nd"),
    ("international", ""),
    ("unported", ""),
    ("generic", ""),
    ("license", ""),
    ("licence", ""),
)
_PD_TEMPLATE_RE = re.compile(r"^(?:\{\{)?\s*(pd-[a-z0-9\- ]+?)\s*(?:\|[^{}]*)?(?:\}\})?$", re.I)


def _parts(text: str) -> tuple[str, list[str], str, str]:
    """Return (family, elements, version, port) read from any spelling, or ("", [], "", "")."""
    raw = text.strip()
    match = _URL_RE.match(raw.lower())
    if match:
        family, kinds, version, port = match.groups()
        if family == "publicdomain":
            return kinds, [], version, ""
        return "cc", kinds.split("-"), version, port or ""
    lowered = " " + raw.lower() + " "
    for words, short in _WORDS:
        lowered = lowered.replace(words, f" {short} " if short else " ")
    tokens = _squash(lowered).split("-")
    tokens = [t for t in tokens if t]
    if not tokens:
        return "", [], "", ""
    version = ""
    # "4.0" survives as "4" "0" after squashing dots; "4" alone means 4.0.
    joined = "-".join(tokens)
    version_match = re.search(r"(?:^|-)([1-4])(?:-(0|5))?(?:-([a-z]{2}))?$", joined)
    port = ""
    if version_match:
        version = f"{version_match.group(1)}.{version_match.group(2) or '0'}"
        port = version_match.group(3) or ""
        tokens = joined[: version_match.start()].split("-") if version_match.start() else []
    if tokens and tokens[0] == "cc0":
        return "zero", [], version or "1.0", ""
    if tokens[:1] == ["cc"] and tokens[1:2] == ["0"]:
        return "zero", [], "1.0", ""
    if tokens and tokens[0] in {"cc", "ccby", "ccbysa"}:
        head = tokens[0]
        rest = tokens[1:]
        if head == "ccby":
            rest = ["by", *rest]
        elif head == "ccbysa":
            rest = ["by", "sa", *rest]
        elements: list[str] = []
        for token in rest:
            if token in {"by", "sa", "nc", "nd", "bysa", "bync", "bynd", "byncsa", "byncnd"}:
                elements.extend([token] if len(token) == 2 else re.findall(r"by|sa|nc|nd", token))
            else:
                return "", [], "", ""
        return "cc", elements, version, port
    if tokens and tokens[0] in {"by", "by-sa"}:
        return "cc", tokens, version, port
    return "", tokens, version, port


def licence_for(text: str) -> Licence | None:
    """Return the licence a cell names (a URL, a template, "CC-BY-SA-4.0", "cc by sa 4.0"...).

    None when the text names no licence Commons accepts; :func:`licence_problem` says why.
    """
    text = (text or "").strip()
    if not text:
        return None
    pd = _PD_TEMPLATE_RE.match(text)
    if pd and not text.lower().startswith(("http", "//")):
        name = "PD" + pd.group(1).strip()[2:]
        inner = text.strip().removeprefix("{{").removesuffix("}}").strip()
        return Licence(
            key=name.lower().replace(" ", "-"),
            label=name,
            template="{{PD" + inner[2:] + "}}",
            qid="",
            status_qid=PUBLIC_DOMAIN,
        )
    family, elements, version, port = _parts(text)
    if family == "zero":
        return CC0
    if family != "cc" or not version or version not in _VERSIONS:
        return None
    if port and not _PORT_RE.match(port):
        return None
    if elements == ["by"]:
        return _cc("by", version, port)
    if elements == ["by", "sa"] or elements == ["sa", "by"]:
        return _cc("by-sa", version, port)
    return None


def licence_problem(text: str) -> str | None:
    """Return why a cell's licence cannot be used, in plain words, or None when it can."""
    text = (text or "").strip()
    if not text:
        return _(
            "No licence is given. Name one Commons accepts, such as CC BY-SA 4.0, CC BY 4.0 or "
            "CC0, or a public-domain template such as PD-old-70."
        )
    if licence_for(text) is not None:
        return None
    shown = text[:80]
    family, elements, version, _port = _parts(text)
    if family == "mark" or re.fullmatch(r"(the )?(public domain( mark)?|pdm|pd)", text.lower()):
        return _(
            "“%(value)s” does not say why the file is in the public domain, which Commons needs. "
            "Use a public-domain template such as PD-old-70 (the author died more than 70 years "
            "ago) or PD-US-expired."
        ) % {"value": shown}
    if family == "cc" and ("nc" in elements or "nd" in elements):
        reasons = []
        if "nc" in elements:
            reasons.append(
                _(
                    "it forbids commercial use (NC), and Wikimedia Commons only keeps files "
                    "that anyone may reuse, also commercially"
                )
            )
        if "nd" in elements:
            reasons.append(
                _(
                    "it forbids changes (ND), and Wikimedia Commons only keeps files that anyone "
                    "may adapt"
                )
            )
        return _(
            "“%(value)s” cannot be used on Commons: %(reasons)s. Ask the partner whether they can "
            "release the file under CC BY-SA 4.0, CC BY 4.0 or CC0."
        ) % {"value": shown, "reasons": _("; and ").join(reasons)}
    if family == "cc" and elements in (["by"], ["by", "sa"]) and not version:
        return _(
            "“%(value)s” does not say which version of the licence applies. Add it, for "
            "example CC BY-SA 4.0."
        ) % {"value": shown}
    if family == "cc" and version and version not in _VERSIONS:
        return _("“%(value)s” names a version of the licence that does not exist.") % {
            "value": shown
        }
    return _(
        "The Hub does not recognise “%(value)s” as a licence Commons accepts. Use CC BY-SA, "
        "CC BY (with a version, such as 4.0), CC0, or a public-domain template such as "
        "PD-old-70."
    ) % {"value": shown}
