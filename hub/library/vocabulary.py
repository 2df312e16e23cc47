"""The words resources are described with: DESIGN's vocabulary, languages and search facets."""

from __future__ import annotations

from typing import Any

from django.conf import global_settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from hub.core.regions import Region
from hub.library.models import Kind
from hub.partners.models import PartnerType
from hub.partnerships.models import Activity


class Topic(models.TextChoices):
    """What a resource is about: the goals and contribution types of DESIGN, and the seeds' asks."""

    CONTENT = "content", _("Content for Wikimedia projects")
    FUNDING = "funding", _("Funding and resources")
    ADVOCACY = "advocacy", _("Advocacy and outreach")
    AGREEMENTS = "agreements", _("Agreements and licences")
    TRAINING = "training", _("Training and sharing knowledge")
    CAPACITY = "capacity", _("Building organisational capacity")
    COMMUNICATIONS = "communications", _("Communications and promotion")
    IMPACT = "impact", _("Impact and statistics")
    VOLUNTEERS = "volunteers", _("Contributors and audiences")


# Every language Django knows, by code; resources may be in any of them.
LANGUAGES: list[tuple[str, str]] = sorted(global_settings.LANGUAGES, key=lambda pair: pair[1])
LANGUAGE_CODES = {code for code, _name in LANGUAGES}

# The facets of the search page, in their order: name -> (label, choices).
FACETS: dict[str, tuple[Any, list[tuple[str, Any]]]] = {
    "kind": (_("Kind"), Kind.choices),
    "language": (_("Language"), LANGUAGES),
    "region": (_("Region"), Region.choices),
    "partner_type": (_("Partner type"), PartnerType.choices),
    "topic": (_("Topic"), Topic.choices),
    "activity_kind": (_("Activity kind"), Activity.Kind.choices),
}
# The resource's list field that each many-valued facet is read from.
LIST_FACETS = {
    "region": "regions",
    "partner_type": "partner_types",
    "topic": "topics",
    "activity_kind": "activity_kinds",
}

# PostgreSQL's built-in text-search configurations, by language code: stemming in the
# resource's own language. Any other language is indexed word for word ("simple").
POSTGRES_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "pt-br": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


def search_config(language: str) -> str:
    """Return the PostgreSQL text-search configuration for a language code."""
    code = (language or "").lower()
    return POSTGRES_CONFIGS.get(code) or POSTGRES_CONFIGS.get(code.split("-")[0], "simple")


def language_name(code: str) -> str:
    """Return the language's name in the interface language (its code if unknown)."""
    for known, name in LANGUAGES:
        if known == code:
            return str(_(name))
    return code


def label(facet: str, value: str) -> str:
    """Return the words shown for a facet value."""
    if facet == "language":
        return language_name(value)
    for code, name in FACETS[facet][1]:
        if code == value:
            return str(name)
    return value


def english_labels(facet: str, values: list[str]) -> list[str]:
    """Return the English words of facet values: indexed, so a search for them finds them."""
    with override("en"):
        return [label(facet, value) for value in values]
