"""Read the values of cells: countries, choices, yes/no, dates and website addresses."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import dateparse, timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from hub.core.regions import Region
from hub.partners.imports.mapping import fold
from hub.partners.models import Contact, Organisation, PartnerType

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
    languages = ["en", *(code for code, _name in settings.HUB_KNOWN_LANGUAGES)]
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
    for language in ["en", *(code for code, _name in settings.HUB_KNOWN_LANGUAGES)]:
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
def partner_type_index() -> dict[str, str]:
    return _choice_index(PartnerType.choices, _PARTNER_TYPE_SYNONYMS)


@functools.lru_cache(maxsize=1)
def status_index() -> dict[str, str]:
    return _choice_index(Organisation.Status.choices, _STATUS_SYNONYMS)


@functools.lru_cache(maxsize=1)
def region_index() -> dict[str, str]:
    return _choice_index(Region.choices, {})


@functools.lru_cache(maxsize=1)
def legal_basis_index() -> dict[str, str]:
    return _choice_index(Contact.LegalBasis.choices, _LEGAL_BASIS_SYNONYMS)


def lookup(index: dict[str, str], value: str) -> str | None:
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


class _Unreadable(DateError):
    """A date cell the Hub cannot read at all (its message is only made when it is raised)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return _(
            "“%(value)s” is not a date the Hub understands. Write dates as YYYY-MM-DD, for example "
            "2024-03-31."
        ) % {"value": self.text[:60]}


def parse_date(value: str) -> dt.date:
    """Return the date in a cell: ISO, YYYYMMDD, D/M/YYYY when unambiguous, month names, or an
    Excel serial number. Raise DateError with a plain message otherwise."""
    text = value.strip()
    folded = text.casefold().replace(",", " ")
    unreadable = _Unreadable(text)
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


def parse_moment(value: str) -> dt.datetime:
    """Return the date and time in a cell (midnight when it holds a date only), timezone-aware.

    Raise DateError with a plain message when it is not a date."""
    moment = dateparse.parse_datetime(value.strip())
    if moment is None:
        day = parse_date(value)
        moment = dt.datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made aware below
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def clean_website(value: str) -> str:
    """Return a website address with a scheme; raise ValidationError if it is not one."""
    text = value.strip()
    if text and "://" not in text:
        text = "https://" + text
    if len(text) > 300:
        raise ValidationError(_("The website address is longer than 300 characters."))
    try:
        _URL_VALIDATOR(text)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a website address.") % {"value": value.strip()[:80]}
        ) from None
    return text
