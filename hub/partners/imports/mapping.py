"""Map a spreadsheet's columns to the Hub's fields: guess from the headings, check the choice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.partners.keys import fold as fold_letters

IGNORE = "ignore"
FIELD_CHOICES: tuple[tuple[str, Any], ...] = (
    (IGNORE, gettext_lazy("Ignore: not imported")),
    ("org_name", gettext_lazy("Organisation: name")),
    ("org_other_names", gettext_lazy("Organisation: other names")),
    ("partner_type", gettext_lazy("Organisation: partner type")),
    ("country", gettext_lazy("Organisation: country")),
    ("region", gettext_lazy("Organisation: region")),
    ("city", gettext_lazy("Organisation: city")),
    ("website", gettext_lazy("Organisation: website")),
    ("wikidata_qid", gettext_lazy("Organisation: Wikidata item")),
    ("description", gettext_lazy("Organisation: description")),
    ("status", gettext_lazy("Organisation: status")),
    ("tags", gettext_lazy("Organisation: tags")),
    ("created", gettext_lazy("Organisation: date added to the directory")),
    ("contact_name", gettext_lazy("Contact: full name")),
    ("first_name", gettext_lazy("Contact: first name")),
    ("last_name", gettext_lazy("Contact: last name")),
    ("email", gettext_lazy("Contact: e-mail")),
    ("email_extra", gettext_lazy("Contact: another e-mail")),
    ("role", gettext_lazy("Contact: role")),
    ("phone", gettext_lazy("Contact: phone")),
    ("preferred_language", gettext_lazy("Contact: preferred language")),
    ("legal_basis", gettext_lazy("Contact: legal basis")),
    ("legal_basis_source", gettext_lazy("Contact: source of the data")),
    ("legal_basis_date", gettext_lazy("Contact: date of consent or collection")),
    ("do_not_contact", gettext_lazy("Contact: do not contact")),
    ("notes", gettext_lazy("Contact: notes")),
)
FIELD_KEYS = frozenset(key for key, _label in FIELD_CHOICES)
# Fields that several columns may feed; every other field takes at most one column.
MULTI_FIELDS = frozenset({IGNORE, "email_extra", "tags", "notes", "org_other_names"})
ORG_DETAIL_FIELDS = (
    "org_other_names",
    "partner_type",
    "country",
    "city",
    "website",
    "wikidata_qid",
    "description",
    "status",
    "tags",
    "region",
    "created",
)
CONTACT_IDENTITY_FIELDS = ("contact_name", "first_name", "last_name", "email", "email_extra")
CONTACT_DETAIL_FIELDS = (
    "role",
    "phone",
    "preferred_language",
    "legal_basis",
    "legal_basis_source",
    "legal_basis_date",
    "do_not_contact",
    "notes",
)


def field_label(key: str) -> str:
    """Return the label of a mapping target."""
    return str(dict(FIELD_CHOICES).get(key, key))


def fold(text: str) -> str:
    """Return text folded for matching: no accents, case, apostrophes or punctuation."""
    text = fold_letters(text)
    text = re.sub(r"['’ʼ`´]", "", text).replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


_EMAIL_RE = re.compile(r"\be ?mail\b|\bemail\w*|\bcourriel\b|\bcorreo\b")
_EMAIL_NOT_ADDRESS_RE = re.compile(
    r"\b(greeting|format|hold|location|type|signature|bounce|verified|opt|do not|dont|no)\b"
)
_DO_NOT_CONTACT_RE = re.compile(
    r"^(do not|dont|no) (contact|email|e mail)$|^(opt(ed)? out|unsubscribed?)$"
)
_HEADER_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), target)
    for pattern, target in (
        (r"^expected$", IGNORE),  # the answer key of a test file, not data
        (r"\b(wikidata|qid)\b", "wikidata_qid"),
        (r"\b(birth|born|dob|deceased|death|died|age|gender|sex)\b", IGNORE),
        (r"\b(ids?|identifier|external|custom|internal|legacy|import id)\b", IGNORE),
        (r"\b(do not|dont|opt out|opted out)\b", IGNORE),
        (
            r"\b(first ?name|given ?names?|fore ?names?|christian name|prenom|vorname|imie)\b",
            "first_name",
        ),
        (
            r"\b(last ?name|surname|family ?name|nom de famille|apellidos?|nachname|nazwisko)\b",
            "last_name",
        ),
        (r"\b(middle ?name|nick ?name|prefix|suffix|salutation|addressee)\b", IGNORE),
        (
            r"^(full name|contact name|contact person|person|person name|display name|"
            r"sort name|contact|name of contact|individual)$",
            "contact_name",
        ),
        (
            r"^(organi[sz]ations?|organi[sz]ation name|org|org name|company|company name|"
            r"employer|current employer|employer name|institution|institution name|partner|"
            r"partner name|partner organi[sz]ation|organi[sz]ation legal name|organisme|"
            r"organizacion|institucion|organizacja|entreprise|empresa|unternehmen)$",
            "org_name",
        ),
        (r"\borgani[sz]ation name\b", "org_name"),
        (
            r"^(other names?|also known as|aka|alias(es)?|acronyms?|abbreviation|short name|"
            r"alternative names?)$",
            "org_other_names",
        ),
        (
            r"^((partner|organi[sz]ation|org|institution) (type|category|kind)|"
            r"type of (partner|organi[sz]ation)|sector)$",
            "partner_type",
        ),
        (
            r"^(status|partner status|organi[sz]ation status|relationship status|"
            r"relationship)$",
            "status",
        ),
        (r"\b(country|nation|country code|iso country|pays|pais|land|kraj)\b", "country"),
        (
            r"^(city|town|city town|municipality|locality|ville|ciudad|stadt|miasto)$|\bcity\b",
            "city",
        ),
        (
            r"\b(website|web site|homepage|home page|url|web address|www|web|site internet|"
            r"sitio web|webseite|strona internetowa)\b",
            "website",
        ),
        (r"^(region|wikimedia region|world region)$", "region"),
        (r"^(created|created on|created at|date created|date added|added on)$", "created"),
        (r"^(description|about|summary|organi[sz]ation description|profile)$", "description"),
        (r"^(tags?|keywords?|labels?|categories|category)$", "tags"),
        (r"\b(role|job title|job|position|function|occupation)\b", "role"),
        (r"\b(phone|telephone|tel|mobile|cell|cellphone|phone number|telefon\w*)\b", "phone"),
        (r"\b(preferred language|language|lang)\b", "preferred_language"),
        (r"\b(legal basis|lawful basis|gdpr basis|basis for processing)\b", "legal_basis"),
        (
            r"^(source|contact source|data source|lead source|source of (the )?data)$",
            "legal_basis_source",
        ),
        (
            r"\b(consent date|date of consent|consented on|consent given on|legal basis date|"
            r"collected on|date collected|collection date|date of collection)\b",
            "legal_basis_date",
        ),
        (r"^(notes?|comments?|remarks?)$", "notes"),
    )
)


def guess_field(header: str) -> str:
    """Return the field a column heading most likely means, or "ignore"."""
    folded = fold(header)
    if not folded:
        return IGNORE
    if _DO_NOT_CONTACT_RE.search(folded):
        return "do_not_contact"
    if _EMAIL_RE.search(folded):
        return IGNORE if _EMAIL_NOT_ADDRESS_RE.search(folded) else "email"
    if folded in {"name", "nom", "nombre", "naam", "nazwa", "imya"}:
        return "name"  # decided by guess_mapping from the other columns
    if folded == "type":
        return "type"  # a partner type only beside an organisation's name
    for pattern, target in _HEADER_RULES:
        if pattern.search(folded):
            return target
    return IGNORE


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """Return a field for every column, guessed from its heading; the user can change it."""
    guesses = [guess_field(h) for h in headers]
    mapping: list[str] = []
    used: set[str] = set()
    for guess in guesses:
        if guess == "email" and "email" in used:
            guess = "email_extra"
        if guess == "name":
            contactish = {"first_name", "last_name", "email", "phone", "role"} & set(guesses)
            guess = "contact_name" if contactish or "org_name" in guesses else "org_name"
        if guess == "type":
            guess = "partner_type" if "org_name" in mapping or "org_name" in guesses else IGNORE
        if guess not in MULTI_FIELDS and guess in used:
            guess = IGNORE
        used.add(guess)
        mapping.append(guess)
    return mapping


def check_mapping(headers: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """Return the problems of a mapping in plain words (an empty list when it is usable)."""
    problems: list[str] = []
    if len(mapping) != len(headers):
        return [_("Choose a field for every column.")]
    seen: dict[str, str] = {}
    for header, target in zip(headers, mapping, strict=True):
        if target not in FIELD_KEYS:
            problems.append(_("“%(column)s”: choose a field from the list.") % {"column": header})
        elif target not in MULTI_FIELDS and target in seen:
            problems.append(
                _("“%(first)s” and “%(second)s” both go into “%(field)s”; choose one of them.")
                % {"first": seen[target], "second": header, "field": field_label(target)}
            )
        else:
            seen.setdefault(target, header)
    if not set(mapping) - {IGNORE} and not problems:
        problems.append(_("Every column is ignored: choose at least one field to import."))
    return problems
