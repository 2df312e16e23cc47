"""Map a spreadsheet's columns to partner fields, judge every row, import all rows or none."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from hub.core.models import Affiliate, User
from hub.partners import services
from hub.partners.keys import fold as fold_letters
from hub.partners.keys import normalise_name, normalise_qid, website_domain
from hub.partners.models import (
    Contact,
    ContactEmail,
    ImportBatch,
    Organisation,
    PartnerType,
)
from hub.partners.spreadsheets import (
    ImportFileError,
    Limits,
    SourceRow,
    Table,
    clean_cell,
    read_bytes,
    read_file,
    read_path,
)
from hub.partners.validators import clean_email_lines, validate_qid

__all__ = [
    "ImportFileError",
    "ImportRejected",
    "Limits",
    "SourceRow",
    "Table",
    "apply_batch",
    "apply_import",
    "check_mapping",
    "clean_cell",
    "create_batch",
    "guess_mapping",
    "plan_import",
    "read_bytes",
    "read_file",
    "read_path",
]


class ImportRejected(Exception):
    """At least one row cannot be imported, so nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(_("Some rows cannot be imported; nothing was written."))
        self.plan = plan


def row_message(number: int, message: str) -> str:
    """Return a message about one row, e.g. "Row 4: … is not a valid e-mail address."."""
    return _("Row %(number)s: %(message)s") % {"number": number, "message": message}


# ---------------------------------------------------------------------------------------------
# Mapping columns to fields
# ---------------------------------------------------------------------------------------------

IGNORE = "ignore"
FIELD_CHOICES: tuple[tuple[str, Any], ...] = (
    (IGNORE, gettext_lazy("Ignore: not imported")),
    ("org_name", gettext_lazy("Organisation: name")),
    ("org_other_names", gettext_lazy("Organisation: other names")),
    ("partner_type", gettext_lazy("Organisation: partner type")),
    ("country", gettext_lazy("Organisation: country")),
    ("city", gettext_lazy("Organisation: city")),
    ("website", gettext_lazy("Organisation: website")),
    ("wikidata_qid", gettext_lazy("Organisation: Wikidata item")),
    ("description", gettext_lazy("Organisation: description")),
    ("status", gettext_lazy("Organisation: status")),
    ("tags", gettext_lazy("Organisation: tags")),
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


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

# fmt: off
_COUNTRY_ALIASES = {
    "ivory coast": "CI", "usa": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "russia": "RU", "russian federation": "RU",
    "korea": "KR", "republic of korea": "KR", "north korea": "KP", "vietnam": "VN",
    "viet nam": "VN", "czech republic": "CZ", "czechia": "CZ", "turkey": "TR", "turkiye": "TR",
    "syria": "SY", "iran": "IR", "laos": "LA", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "macedonia": "MK", "north macedonia": "MK",
    "swaziland": "SZ", "eswatini": "SZ", "burma": "MM", "myanmar": "MM", "cape verde": "CV",
    "cabo verde": "CV", "drc": "CD", "dr congo": "CD", "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD", "congo kinshasa": "CD", "congo brazzaville": "CG",
    "republic of the congo": "CG", "palestine": "PS", "taiwan": "TW", "holland": "NL",
    "the netherlands": "NL", "vatican": "VA", "brunei": "BN", "east timor": "TL", "uae": "AE",
    "the gambia": "GM", "the bahamas": "BS", "micronesia": "FM", "hong kong": "HK",
    "macau": "MO", "macao": "MO",
}
# fmt: on


@functools.lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Return folded country names in the Hub's languages, each with its ISO code."""
    index: dict[str, str] = {}
    languages = ["en", *(code for code, _name in settings.LANGUAGES)]
    for language in languages:
        with translation.override(language):
            for country in countries:
                index.setdefault(fold(str(country.name)), str(country.code))
    for alias, code in _COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    return index


@functools.lru_cache(maxsize=4096)
def resolve_country(value: str) -> str | None:
    """Return the ISO 3166 code for a country name or code (any case, with or without accents)."""
    text = value.strip()
    if not text:
        return ""
    if len(text) <= 3 and text.isalnum():
        code = countries.alpha2(text.upper())
        if code:
            return str(code)
    folded = fold(text)
    found = _country_index().get(folded)
    if found is None and folded.startswith("the "):
        found = _country_index().get(folded[4:])
    if found is None:
        # django-countries also knows the names it was configured with (COUNTRIES_OVERRIDE).
        by_name = countries.by_name(text)
        found = by_name if isinstance(by_name, str) and by_name else None
    return found


def _choice_index(choices: Iterable[tuple[str, Any]], synonyms: dict[str, str]) -> dict[str, str]:
    index: dict[str, str] = {}
    choices = list(choices)
    for language in ["en", *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(language):
            for value, label in choices:
                index.setdefault(fold(str(value)), value)
                index.setdefault(fold(str(label)), value)
    for synonym, value in synonyms.items():
        index.setdefault(synonym, value)
    return index


# fmt: off
_PARTNER_TYPE_SYNONYMS = {
    "glam": "museum", "research": "university", "research institute": "university",
    "college": "university", "higher education": "university", "uni": "university",
    "government": "government", "ministry": "government", "public body": "government",
    "public administration": "government", "municipality": "government",
    "intergovernmental": "intergovernmental", "igo": "intergovernmental",
    "international organisation": "intergovernmental",
    "international organization": "intergovernmental", "un agency": "intergovernmental",
    "ngo": "ngo", "association": "ngo", "nonprofit": "ngo", "non profit": "ngo",
    "charity": "ngo", "civil society": "ngo", "company": "company", "business": "company",
    "corporation": "company", "private sector": "company", "media": "media",
    "newspaper": "media", "journalist": "media", "journalists": "media",
    "broadcaster": "media", "professional group": "professional", "translators": "professional",
    "individual": "expert", "expert": "expert", "individual expert": "expert",
    "affiliate": "affiliate", "wikimedia affiliate": "affiliate", "chapter": "affiliate",
    "user group": "affiliate", "fiscal sponsor": "fiscal_sponsor", "embassy": "embassy",
    "foundation": "foundation", "school": "school", "library": "library", "archive": "archive",
    "museum": "museum", "gallery": "gallery", "galleries": "gallery", "libraries": "library",
}
# fmt: on
# fmt: off
_STATUS_SYNONYMS = {
    "current": "active", "ongoing": "active", "partner": "active", "inactive": "dormant",
    "paused": "dormant", "on hold": "dormant", "past": "former", "ended": "former",
    "previous": "former", "closed": "former", "lead": "prospect", "potential": "prospect",
    "new": "prospect",
}
# fmt: on
_LEGAL_BASIS_SYNONYMS = {
    "consented": "consent",
    "legitimate interests": "legitimate_interest",
    "legitimate": "legitimate_interest",
    "contractual": "contract",
}


@functools.lru_cache(maxsize=1)
def _partner_type_index() -> dict[str, str]:
    return _choice_index(PartnerType.choices, _PARTNER_TYPE_SYNONYMS)


@functools.lru_cache(maxsize=1)
def _status_index() -> dict[str, str]:
    return _choice_index(Organisation.Status.choices, _STATUS_SYNONYMS)


@functools.lru_cache(maxsize=1)
def _legal_basis_index() -> dict[str, str]:
    return _choice_index(Contact.LegalBasis.choices, _LEGAL_BASIS_SYNONYMS)


def _lookup(index: dict[str, str], value: str) -> str | None:
    folded = fold(value)
    found = index.get(folded)
    if found is None and folded.endswith("s"):
        found = index.get(folded[:-1])
    return found


_TRUE = {"1", "yes", "y", "true", "x", "oui", "si", "sí", "ja", "tak", "так", "t"}
_FALSE = {"0", "no", "n", "false", "non", "nein", "nie", "ні", "f", "-"}


def parse_bool(value: str) -> bool | None:
    """Return True or False for yes/no-like text, None when it is neither."""
    folded = value.strip().casefold()
    if not folded:
        return False
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


_MONTH_NAMES = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
)  # fmt: skip
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
EXCEL_EPOCH = dt.date(1899, 12, 30)


class DateError(ValueError):
    """A date cell that cannot be read; the message says why in plain words."""


def parse_date(value: str) -> dt.date:
    """Return the date in a cell: ISO, YYYYMMDD, D/M/YYYY when unambiguous, month names, or an
    Excel serial number. Raise DateError with a plain message otherwise."""
    text = value.strip()
    folded = text.casefold().replace(",", " ")
    unreadable = DateError(
        _(
            "“%(value)s” is not a date the Hub understands. Write dates as YYYY-MM-DD, for example "
            "2024-03-31."
        )
        % {"value": text[:60]}
    )
    try:
        if m := re.fullmatch(r"(\d{1,5})(?:\.\d+)?", text):
            serial = int(m.group(1))
            if 1 <= serial <= 2_958_465:
                return EXCEL_EPOCH + dt.timedelta(days=serial)
            raise unreadable
        if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}.*)?", text):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
            first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if first > 12 or first == second:
                return dt.date(year, second, first)
            if second > 12:
                return dt.date(year, first, second)
            day_first, month_first = dt.date(year, second, first), dt.date(year, first, second)
            raise DateError(
                _("“%(value)s” could be %(one)s or %(other)s. Write it as YYYY-MM-DD.")
                % {"value": text, "one": day_first.isoformat(), "other": month_first.isoformat()}
            )
        if m := re.fullmatch(r"(\d{1,2})\.?\s+([^\W\d]+)\.?\s+(\d{4})", folded):
            if m.group(2) in _MONTHS:
                return dt.date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
        if m := re.fullmatch(r"([^\W\d]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})", folded):
            if m.group(1) in _MONTHS:
                return dt.date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    except ValueError as exc:
        if isinstance(exc, DateError):
            raise
        raise unreadable from None
    raise unreadable


_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def clean_website(value: str) -> str:
    """Return a website address with a scheme; raise ValidationError if it is not one."""
    text = value.strip()
    if text and "://" not in text:
        text = "https://" + text
    error = ValidationError(
        _("“%(value)s” is not a website address.") % {"value": value.strip()[:80]}
    )
    if len(text) > 300:
        raise ValidationError(_("The website address is longer than 300 characters."))
    try:
        _URL_VALIDATOR(text)
    except ValidationError:
        raise error from None
    return text


# ---------------------------------------------------------------------------------------------
# Planning: what every row would do
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgRef:
    """An organisation a row points to: one already in the directory, or one an earlier row
    creates."""

    name: str
    existing_id: int | None = None
    row: int | None = None

    def where(self) -> str:
        """Return where this organisation is, in words."""
        if self.existing_id is not None:
            return _("“%(name)s” (in your directory)") % {"name": self.name}
        return _("“%(name)s” (row %(row)s)") % {"name": self.name, "row": self.row}


@dataclass(frozen=True)
class ContactRef:
    """A contact an e-mail address belongs to: in the directory, or created by an earlier row."""

    name: str
    organisation: OrgRef | None
    existing_id: int | None = None
    row: int | None = None

    def where(self) -> str:
        """Return who this contact is and where, in words."""
        if self.existing_id is not None:
            place = _("in your directory")
        else:
            place = _("row %(row)s") % {"row": self.row}
        if "@" in self.name and self.organisation:
            # A contact known only by its address: name the organisation instead.
            return _("a contact at “%(org)s” (%(place)s)") % {
                "org": self.organisation.name,
                "place": place,
            }
        if "@" in self.name:
            return _("a contact (%(place)s)") % {"place": place}
        if self.organisation:
            return _("“%(name)s” at “%(org)s” (%(place)s)") % {
                "name": self.name,
                "org": self.organisation.name,
                "place": place,
            }
        return _("“%(name)s” (%(place)s)") % {"name": self.name, "place": place}


@dataclass
class RowPlan:
    """What one row would do, or why it cannot be imported."""

    number: int
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    org_action: str = ""  # "create", "existing" or "file" (created by an earlier row)
    organisation: OrgRef | None = None
    org_fields: dict[str, Any] = field(default_factory=dict)
    org_tags: list[str] = field(default_factory=list)
    contact_fields: dict[str, Any] | None = None
    # Already in the directory, and the user chose to skip such rows: nothing is written.
    skipped: bool = False

    @property
    def ok(self) -> bool:
        """Return True when the row can be imported."""
        return not self.errors

    @property
    def contact_name(self) -> str:
        """Return the name of the contact this row creates, if any."""
        return str(self.contact_fields["name"]) if self.contact_fields else ""

    @property
    def contact_emails(self) -> str:
        """Return the e-mail addresses of the contact this row creates, comma-separated."""
        if not self.contact_fields:
            return ""
        return ", ".join(str(self.contact_fields.get("emails", "")).splitlines())

    def error_line(self) -> str:
        """Return one line that says why the row cannot be imported."""
        return row_message(self.number, " ".join(self.errors))


@dataclass
class ImportPlan:
    """The verdict on every row, the columns left out, and what would be created."""

    rows: list[RowPlan]
    ignored_columns: list[str]
    notes: list[str]
    mapping_problems: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[RowPlan]:
        """Return the rows that cannot be imported."""
        return [r for r in self.rows if not r.ok]

    @property
    def accepted(self) -> list[RowPlan]:
        """Return the rows that can be imported and are not skipped."""
        return [r for r in self.rows if r.ok and not r.skipped]

    @property
    def skipped(self) -> list[RowPlan]:
        """Return the rows skipped because they are already in the directory."""
        return [r for r in self.rows if r.ok and r.skipped]

    @property
    def is_valid(self) -> bool:
        """Return True when every row can be imported and there is at least one."""
        return bool(self.rows) and not self.mapping_problems and not self.rejected

    @property
    def new_organisations(self) -> int:
        """Return how many organisations the accepted rows would create."""
        return sum(1 for r in self.accepted if r.org_action == "create")

    @property
    def new_contacts(self) -> int:
        """Return how many contacts the accepted rows would create."""
        return sum(1 for r in self.accepted if r.contact_fields is not None)


@dataclass(frozen=True)
class ImportCounts:
    """What an import wrote."""

    rows: int
    organisations: int
    contacts: int
    skipped: int = 0


class _Directory:
    """The affiliate's existing organisations and contact e-mails that the file's keys hit."""

    def __init__(
        self,
        affiliate: Affiliate,
        names: set[str],
        domains: set[str],
        qids: set[str],
        emails: set[str],
    ) -> None:
        self.orgs_by_name: dict[str, set[OrgRef]] = {}
        self.orgs_by_domain: dict[str, set[OrgRef]] = {}
        self.orgs_by_qid: dict[str, set[OrgRef]] = {}
        self.contacts_by_email: dict[str, set[ContactRef]] = {}
        live = Organisation.objects.filter(affiliate=affiliate, archived_at__isnull=True)
        rows: list[tuple[int, str, str, str, str]] = []
        for lookup, keys in (
            ("normalised_name__in", names),
            ("website_domain__in", domains),
            ("wikidata_qid__in", qids),
        ):
            for chunk in _chunks(sorted(keys)):
                rows += live.filter(**{lookup: chunk}).values_list(
                    "id", "name", "normalised_name", "website_domain", "wikidata_qid"
                )
        for pk, name, norm, domain, qid in set(rows):
            ref = OrgRef(name=name, existing_id=pk)
            if norm:
                self.orgs_by_name.setdefault(norm, set()).add(ref)
            if domain:
                self.orgs_by_domain.setdefault(domain, set()).add(ref)
            if qid:
                self.orgs_by_qid.setdefault(qid, set()).add(ref)
        for chunk in _chunks(sorted(emails)):
            found = ContactEmail.objects.filter(
                affiliate=affiliate, email__in=chunk, contact__archived_at__isnull=True
            ).values_list(
                "email",
                "contact_id",
                "contact__name",
                "contact__organisation_id",
                "contact__organisation__name",
            )
            for email, contact_id, contact_name, org_id, org_name in found:
                org = OrgRef(name=org_name, existing_id=org_id) if org_id else None
                self.contacts_by_email.setdefault(email, set()).add(
                    ContactRef(name=contact_name, organisation=org, existing_id=contact_id)
                )


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _RowValues:
    single: dict[str, str]
    emails: list[str]
    tags: list[str]
    other_names: list[str]
    notes: list[str]


def _row_values(row: SourceRow, headers: Sequence[str], mapping: Sequence[str]) -> _RowValues:
    values = _RowValues(single={}, emails=[], tags=[], other_names=[], notes=[])
    notes_columns = sum(1 for t in mapping if t == "notes")
    for header, target, cell in zip(headers, mapping, row.cells, strict=False):
        if not cell or target == IGNORE:
            continue
        if target in {"email", "email_extra"}:
            values.emails.append(cell)
        elif target == "tags":
            values.tags += services.parse_tags(cell)
        elif target == "org_other_names":
            values.other_names += [n.strip() for n in cell.splitlines() if n.strip()]
        elif target == "notes":
            values.notes.append(f"{header}: {cell}" if notes_columns > 1 else cell)
        else:
            values.single[target] = cell
    return values


def _model_errors(instance: Organisation | Contact, exclude: list[str]) -> list[str]:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        messages = []
        for name, errors in exc.message_dict.items():
            label = str(getattr(instance._meta.get_field(name), "verbose_name", name))
            label = label.capitalize()
            messages += [f"{label}: {e}" for e in errors]
        return messages
    return []


class _Planner:
    """Walk the rows in order, remembering what earlier rows create, and judge each one."""

    def __init__(
        self,
        table: Table,
        mapping: Sequence[str],
        affiliate: Affiliate,
        source: str,
        skip_existing: bool = False,
    ) -> None:
        self.table, self.mapping, self.affiliate = table, list(mapping), affiliate
        self.source, self.skip_existing = source, skip_existing
        self.values = [_row_values(r, table.headers, self.mapping) for r in table.rows]
        names, domains, qids, emails = set(), set(), set(), set()
        for v in self.values:
            for key in (v.single.get("org_name", ""), _person_name(v)):
                if normalise_name(key):
                    names.add(normalise_name(key))
            if website := v.single.get("website"):
                domains.add(website_domain(website))
            if qid := v.single.get("wikidata_qid"):
                qids.add(normalise_qid(qid))
            for cell in v.emails:
                emails.update(_split_emails(cell))
        self.directory = _Directory(affiliate, names - {""}, domains - {""}, qids - {""}, emails)
        self.file_orgs: dict[tuple[str, str], OrgRef] = {}
        self.file_contacts: dict[str, ContactRef] = {}
        self.file_people: dict[tuple[str, OrgRef | None], int] = {}

    def plan(self) -> list[RowPlan]:
        """Return the verdict on every row, in file order."""
        return [
            self._plan_row(row, values)
            for row, values in zip(self.table.rows, self.values, strict=True)
        ]

    def _plan_row(self, row: SourceRow, v: _RowValues) -> RowPlan:
        plan = RowPlan(number=row.number, errors=list(row.errors))
        has_contact = bool(v.emails) or any(v.single.get(k) for k in CONTACT_IDENTITY_FIELDS)
        org_details = [k for k in ORG_DETAIL_FIELDS if v.single.get(k)]
        if v.tags:
            org_details.append("tags")
        if v.other_names:
            org_details.append("org_other_names")
        has_contact_details = bool(v.notes) or any(v.single.get(k) for k in CONTACT_DETAIL_FIELDS)
        if not (has_contact or has_contact_details or org_details or v.single.get("org_name")):
            plan.errors.append(_("Nothing in this row goes into a field the Hub keeps."))
            return plan

        contact = self._contact_fields(v, plan) if has_contact or has_contact_details else None
        org_name = v.single.get("org_name", "")
        person = _person_name(v)
        if not org_name and org_details:
            if contact is not None and person:
                # An individual with a website or a country is a partner in their own right:
                # DESIGN's partner types include "individual expert".
                org_name = person
                plan.notes.append(
                    _(
                        "No organisation is named: “%(name)s” will be recorded as an "
                        "individual-expert partner with this row's organisation details."
                    )
                    % {"name": person}
                )
            else:
                plan.errors.append(
                    _("The row has organisation details (%(fields)s) but no organisation name.")
                    % {"fields": ", ".join(field_label(k) for k in org_details)}
                )
        if org_name:
            self._organisation(
                v,
                plan,
                org_name,
                is_person=org_name == person and not v.single.get("org_name"),
                with_contact=contact is not None,
            )
        if contact is not None:
            self._match_contact(plan, contact)
            plan.contact_fields = contact
        return plan

    # -- organisations --

    def _org_fields(
        self, v: _RowValues, plan: RowPlan, name: str, is_person: bool
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"name": name}
        if v.other_names:
            fields["other_names"] = "\n".join(dict.fromkeys(v.other_names))
        if raw := v.single.get("partner_type"):
            partner_type = _lookup(_partner_type_index(), raw)
            if partner_type is None:
                plan.errors.append(
                    _("“%(value)s” is not a partner type the Hub knows. Use one of: %(choices)s.")
                    % {
                        "value": raw[:60],
                        "choices": ", ".join(str(lbl) for _v, lbl in PartnerType.choices),
                    }
                )
            else:
                fields["partner_type"] = partner_type
        elif is_person:
            fields["partner_type"] = PartnerType.EXPERT
        if raw := v.single.get("status"):
            status = _lookup(_status_index(), raw)
            if status is None:
                plan.errors.append(
                    _("“%(value)s” is not a status the Hub knows. Use one of: %(choices)s.")
                    % {
                        "value": raw[:60],
                        "choices": ", ".join(str(lbl) for _v, lbl in Organisation.Status.choices),
                    }
                )
            else:
                fields["status"] = status
        if raw := v.single.get("country"):
            code = resolve_country(raw)
            if not code:
                plan.errors.append(
                    _(
                        "“%(value)s” is not a country the Hub knows. Use its English name or its "
                        "two-letter ISO code (for example CI for Côte d'Ivoire)."
                    )
                    % {"value": raw[:60]}
                )
            else:
                fields["country"] = code
        if raw := v.single.get("website"):
            try:
                fields["website"] = clean_website(raw)
            except ValidationError as exc:
                plan.errors += exc.messages
        if raw := v.single.get("wikidata_qid"):
            try:
                validate_qid(raw)
                fields["wikidata_qid"] = normalise_qid(raw)
            except ValidationError as exc:
                plan.errors += exc.messages
        for key in ("city", "description"):
            if raw := v.single.get(key):
                fields[key] = raw
        candidate = Organisation(affiliate=self.affiliate, **fields)
        plan.errors += _model_errors(
            candidate, exclude=["affiliate", "country", "website", "wikidata_qid", "tags"]
        )
        for tag in v.tags:
            if len(tag) > 60:
                plan.errors.append(
                    _("The tag “%(tag)s…” is longer than 60 characters.") % {"tag": tag[:40]}
                )
        return fields

    def _organisation(
        self, v: _RowValues, plan: RowPlan, name: str, *, is_person: bool, with_contact: bool
    ) -> None:
        fields = self._org_fields(v, plan, name, is_person)
        keys = {
            "name": normalise_name(name),
            "website": website_domain(fields.get("website", "")),
            "qid": fields.get("wikidata_qid", ""),
        }
        found: dict[OrgRef, list[str]] = {}
        existing = {
            "name": self.directory.orgs_by_name,
            "website": self.directory.orgs_by_domain,
            "qid": self.directory.orgs_by_qid,
        }
        for kind, key in keys.items():
            if not key:
                continue
            for ref in existing[kind].get(key, set()):
                found.setdefault(ref, []).append(kind)
            if ref_in_file := self.file_orgs.get((kind, key)):
                found.setdefault(ref_in_file, []).append(kind)
        words = {"name": _("name"), "website": _("website"), "qid": _("Wikidata item")}
        if len(found) > 1:
            described = "; ".join(
                _("%(where)s by %(keys)s")
                % {"where": ref.where(), "keys": ", ".join(words[k] for k in kinds)}
                for ref, kinds in sorted(found.items(), key=lambda item: item[0].where())
            )
            plan.errors.append(
                _(
                    "This row matches more than one organisation: %(matches)s. Make the row point "
                    "to one of them, or merge the duplicates first."
                )
                % {"matches": described}
            )
            return
        if found:
            ref, kinds = next(iter(found.items()))
            same = ", ".join(words[k] for k in kinds)
            if not with_contact:
                if ref.existing_id is not None and self.skip_existing:
                    plan.organisation, plan.org_action = ref, "existing"
                    plan.skipped = True
                    return
                if ref.existing_id is not None:
                    message = _(
                        "“%(name)s” is already in your directory as “%(other)s” (same %(keys)s)."
                    )
                else:
                    message = _(
                        "“%(name)s” is already in this file at row %(row)s as "
                        "“%(other)s” (same %(keys)s)."
                    )
                plan.errors.append(
                    message % {"name": name, "other": ref.name, "row": ref.row, "keys": same}
                )
                return
            plan.organisation = ref
            plan.org_action = "existing" if ref.existing_id is not None else "file"
            if "name" not in kinds:
                plan.notes.append(
                    _("The organisation was matched to %(where)s by its %(keys)s.")
                    % {"where": ref.where(), "keys": same}
                )
            extra = [k for k in ORG_DETAIL_FIELDS if v.single.get(k)]
            if extra and not is_person:
                plan.notes.append(
                    _(
                        "%(where)s already exists; this row's organisation details (%(fields)s) "
                        "are not applied to it."
                    )
                    % {"where": ref.where(), "fields": ", ".join(field_label(k) for k in extra)}
                )
            return
        ref = OrgRef(name=name, row=plan.number)
        plan.organisation, plan.org_action = ref, "create"
        plan.org_fields, plan.org_tags = fields, list(dict.fromkeys(v.tags))
        for kind, key in keys.items():
            if key:
                self.file_orgs.setdefault((kind, key), ref)

    # -- contacts --

    def _contact_fields(self, v: _RowValues, plan: RowPlan) -> dict[str, Any] | None:
        s = v.single
        emails: list[str] = []
        for cell in v.emails:
            try:
                emails += [e for e in clean_email_lines(cell) if e not in emails]
            except ValidationError as exc:
                plan.errors += exc.messages
        full, first, last = (
            s.get("contact_name", ""),
            s.get("first_name", ""),
            s.get("last_name", ""),
        )
        if full:
            name = full
        elif first and last:
            name = f"{first} {last}"
        elif (first or last) and (emails or v.emails):
            name = first or last
        elif emails or v.emails:
            name = emails[0] if emails else ""
        else:
            if first or last:
                plan.errors.append(
                    _(
                        "“%(name)s” alone is not enough to identify a contact: add a last name or "
                        "an e-mail address."
                    )
                    % {"name": (first or last)[:80]}
                )
            else:
                plan.errors.append(
                    _(
                        "There is not enough to identify a contact: add a name (first and last) "
                        "or an e-mail address, or leave the contact columns empty."
                    )
                )
            return None
        fields: dict[str, Any] = {"name": name, "emails": "\n".join(emails)}
        for key in ("role", "phone", "preferred_language"):
            if s.get(key):
                fields[key] = s[key]
        if raw := s.get("legal_basis"):
            basis = _lookup(_legal_basis_index(), raw)
            if basis is None:
                plan.errors.append(
                    _("“%(value)s” is not a legal basis the Hub knows. Use one of: %(choices)s.")
                    % {
                        "value": raw[:60],
                        "choices": ", ".join(str(lbl) for _v, lbl in Contact.LegalBasis.choices),
                    }
                )
            else:
                fields["legal_basis"] = basis
        fields["legal_basis_source"] = s.get("legal_basis_source") or self.source
        if raw := s.get("legal_basis_date"):
            try:
                fields["legal_basis_date"] = parse_date(raw)
            except DateError as exc:
                plan.errors.append(str(exc))
        if raw := s.get("do_not_contact"):
            flag = parse_bool(raw)
            if flag is None:
                plan.errors.append(
                    _("“%(value)s” in “do not contact” is neither yes nor no.")
                    % {"value": raw[:40]}
                )
            else:
                fields["do_not_contact"] = flag
        if v.notes:
            fields["notes"] = "\n".join(v.notes)
        candidate = Contact(affiliate=self.affiliate, **fields)
        plan.errors += _model_errors(candidate, exclude=["affiliate", "organisation", "emails"])
        return fields

    def _match_contact(self, plan: RowPlan, fields: dict[str, Any]) -> None:
        emails = [e for e in str(fields.get("emails", "")).splitlines() if e]
        found: dict[ContactRef, list[str]] = {}
        for email in emails:
            for ref in self.directory.contacts_by_email.get(email, set()):
                found.setdefault(ref, []).append(email)
            if ref_in_file := self.file_contacts.get(email):
                found.setdefault(ref_in_file, []).append(email)
        if len(found) > 1:
            described = "; ".join(
                _("%(emails)s belongs to %(who)s")
                % {"emails": ", ".join(addrs), "who": ref.where()}
                for ref, addrs in sorted(found.items(), key=lambda item: item[0].where())
            )
            plan.errors.append(
                _(
                    "This row's e-mail addresses belong to different contacts: %(matches)s. Split "
                    "the row, or merge the contacts first."
                )
                % {"matches": described}
            )
            return
        if found:
            ref, addrs = next(iter(found.items()))
            if (
                self.skip_existing
                and ref.existing_id is not None
                and plan.org_action in ("existing", "")
                and ref.organisation == plan.organisation
            ):
                # The same contact at the same organisation: the row is already imported.
                plan.skipped = True
                return
            if plan.organisation is not None and ref.organisation != plan.organisation:
                plan.errors.append(
                    _(
                        "This row is ambiguous: the organisation matches %(org)s, but %(emails)s "
                        "belongs to %(who)s. Fix the row, or merge the records first."
                    )
                    % {
                        "org": plan.organisation.where(),
                        "emails": ", ".join(addrs),
                        "who": ref.where(),
                    }
                )
            else:
                plan.errors.append(
                    _("%(emails)s already belongs to %(who)s: this contact is a duplicate.")
                    % {"emails": ", ".join(addrs), "who": ref.where()}
                )
            return
        ref = ContactRef(name=str(fields["name"]), organisation=plan.organisation, row=plan.number)
        for email in emails:
            self.file_contacts.setdefault(email, ref)
        person_key = (normalise_name(str(fields["name"])), plan.organisation)
        if person_key[0] and (earlier := self.file_people.get(person_key)):
            plan.notes.append(
                _(
                    "The contact in row %(row)s has the same name; check that they are different "
                    "people."
                )
                % {"row": earlier}
            )
        else:
            self.file_people.setdefault(person_key, plan.number)


def _person_name(v: _RowValues) -> str:
    s = v.single
    if s.get("contact_name"):
        return s["contact_name"]
    if s.get("first_name") and s.get("last_name"):
        return f"{s['first_name']} {s['last_name']}"
    if v.emails:
        return s.get("first_name") or s.get("last_name") or ""
    return ""


def _split_emails(cell: str) -> list[str]:
    parts = cell.replace(",", "\n").replace(";", "\n").splitlines()
    return [p.strip().lower() for p in parts if p.strip()]


def default_source(filename: str) -> str:
    """Return the "source of the data" recorded for contacts imported from a file."""
    today = timezone.localdate().isoformat()
    return (_("Imported from %(file)s on %(date)s") % {"file": filename, "date": today})[:200]


def plan_import(
    *,
    table: Table,
    mapping: Sequence[str],
    affiliate: Affiliate,
    source: str | None = None,
    skip_existing: bool = False,
) -> ImportPlan:
    """Judge every row of a table under a mapping: what it would create, or why it cannot."""
    problems = check_mapping(table.headers, mapping)
    ignored = [h for h, t in zip(table.headers, mapping, strict=False) if t == IGNORE]
    if problems:
        return ImportPlan(
            rows=[], ignored_columns=ignored, notes=list(table.notes), mapping_problems=problems
        )
    notes = list(table.notes)
    if not table.rows:
        notes.append(_("The file has a header row but no data rows."))
    planner = _Planner(
        table, mapping, affiliate, source or default_source(table.filename), skip_existing
    )
    return ImportPlan(rows=planner.plan(), ignored_columns=ignored, notes=notes)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def apply_import(
    *,
    actor: User | None,
    affiliate: Affiliate,
    table: Table,
    mapping: Sequence[str],
    source: str | None = None,
    skip_existing: bool = False,
) -> ImportCounts:
    """Import every row through the services in one transaction, or nothing at all.

    The rows are judged again inside the transaction, against the directory as it is now;
    any rejected row raises ImportRejected and nothing is written. With skip_existing, rows
    already in the directory are left out and counted instead of rejected.
    """
    with transaction.atomic():
        plan = plan_import(
            table=table,
            mapping=mapping,
            affiliate=affiliate,
            source=source,
            skip_existing=skip_existing,
        )
        if not plan.is_valid:
            raise ImportRejected(plan)
        created: dict[int, Organisation] = {}
        existing_ids = {
            r.organisation.existing_id
            for r in plan.rows
            if r.organisation and r.organisation.existing_id is not None
        }
        existing = Organisation.objects.filter(affiliate=affiliate).in_bulk(existing_ids)
        contacts = 0
        for row in plan.accepted:
            try:
                organisation: Organisation | None = None
                if row.org_action == "create":
                    organisation = services.create_organisation(
                        actor=actor, affiliate=affiliate, tags=row.org_tags, **row.org_fields
                    )
                    created[row.number] = organisation
                elif row.organisation is not None and row.organisation.existing_id is not None:
                    organisation = existing[row.organisation.existing_id]
                elif row.organisation is not None and row.organisation.row is not None:
                    organisation = created[row.organisation.row]
                if row.contact_fields is not None:
                    services.create_contact(
                        actor=actor,
                        affiliate=affiliate,
                        organisation=organisation,
                        **row.contact_fields,
                    )
                    contacts += 1
            except ValidationError as exc:
                row.errors += exc.messages
                raise ImportRejected(plan) from None
        return ImportCounts(
            rows=len(plan.accepted),
            organisations=len(created),
            contacts=contacts,
            skipped=len(plan.skipped),
        )


# ---------------------------------------------------------------------------------------------
# Import batches: a file read in the browser, kept until it is confirmed
# ---------------------------------------------------------------------------------------------


def create_batch(*, actor: User | None, affiliate: Affiliate, table: Table) -> ImportBatch:
    """Keep a read file's rows (not the file) and a guessed mapping until the user confirms."""
    return ImportBatch.objects.create(
        affiliate=affiliate,
        created_by=actor if actor is not None and actor.pk else None,
        filename=table.filename,
        headers=table.headers,
        rows=[{"n": r.number, "c": r.cells, "e": r.errors} for r in table.rows],
        mapping=guess_mapping(table.headers),
        notes=table.notes,
    )


def table_for_batch(batch: ImportBatch) -> Table:
    """Return the table kept in an import batch."""
    rows = [
        SourceRow(
            number=int(r["n"]),
            cells=[str(c) for c in r["c"]],
            errors=[str(e) for e in r.get("e", [])],
        )
        for r in batch.rows
    ]
    return Table(
        filename=batch.filename,
        headers=[str(h) for h in batch.headers],
        rows=rows,
        notes=[str(n) for n in batch.notes],
    )


def set_batch_mapping(
    *, batch: ImportBatch, mapping: Sequence[str], existing_rows: str | None = None
) -> ImportBatch:
    """Store the user's choice of field for every column, and what to do with known rows."""
    problems = check_mapping(batch.headers, mapping)
    if problems:
        raise ValidationError(problems)
    batch.mapping = list(mapping)
    if existing_rows is not None:
        batch.existing_rows = ImportBatch.ExistingRows(existing_rows)
    batch.save(update_fields=["mapping", "existing_rows"])
    return batch


def apply_batch(*, actor: User | None, batch: ImportBatch) -> ImportCounts:
    """Import a pending batch all-or-nothing, then forget its rows (they hold personal data)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.QUEUED):
            raise ValidationError(_("This import has already been confirmed or discarded."))
        counts = apply_import(
            actor=actor,
            affiliate=locked.affiliate,
            table=table_for_batch(locked),
            mapping=locked.mapping,
            source=default_source(locked.filename),
            skip_existing=locked.existing_rows == ImportBatch.ExistingRows.SKIP,
        )
        locked.status = ImportBatch.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.rows = []
        locked.result = {
            "rows": counts.rows,
            "organisations": counts.organisations,
            "contacts": counts.contacts,
        }
        if counts.skipped:
            locked.result["skipped_rows"] = counts.skipped
        locked.save(update_fields=["status", "applied_at", "rows", "result"])
    return counts


def queue_batch(*, actor: User | None, batch: ImportBatch) -> ImportBatch:
    """Hand a large pending batch to a background worker; the page then follows its status."""
    from hub.core.queue import enqueue_on_commit
    from hub.partners.tasks import apply_import_batch

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PENDING:
            raise ValidationError(_("This import has already been confirmed or discarded."))
        locked.status = ImportBatch.Status.QUEUED
        locked.result = {}
        locked.save(update_fields=["status", "result"])
        enqueue_on_commit(apply_import_batch, locked.pk, actor.pk if actor else None)
    return locked


def run_queued_batch(*, batch_id: int, actor: User | None) -> dict[str, Any]:
    """Apply a queued batch in the background; safe to run twice.

    The whole import is one transaction, so a worker killed half-way leaves nothing behind and
    the re-run starts from scratch. A batch no longer queued (already applied, or sent back)
    is left alone. Rejected rows send the batch back to its preview with the reason.
    """
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).first()
    if batch is None:
        return {"skipped": True}
    try:
        counts = apply_batch(actor=actor, batch=batch)
    except (ImportRejected, ValidationError):
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
            status=ImportBatch.Status.PENDING,
            result={
                "error": str(
                    _(
                        "Some rows can no longer be imported (the directory changed "
                        "since the preview), so nothing was written."
                    )
                )
            },
        )
        return {"rejected": True}
    result = {
        "rows": counts.rows,
        "organisations": counts.organisations,
        "contacts": counts.contacts,
    }
    if counts.skipped:
        result["skipped_rows"] = counts.skipped
    return result


def discard_batch(*, batch: ImportBatch) -> None:
    """Delete a pending batch and the rows it kept."""
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PENDING).delete()


def delete_stale_batches(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete batches never confirmed within the given time; return how many went."""
    cutoff = timezone.now() - older_than
    deleted, _details = ImportBatch.objects.filter(
        status=ImportBatch.Status.PENDING, created_at__lt=cutoff
    ).delete()
    return deleted
