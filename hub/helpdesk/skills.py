"""The skills people offer and requests need, and how a set of them is stored in one column."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.TextChoices):
    BATCH_UPLOAD = "batch_upload", _("Batch upload")
    WIKIDATA = "wikidata", _("Wikidata")
    STRUCTURED_DATA = "structured_data", _("Structured data")
    LICENSING = "licensing", _("Licensing and copyright")
    AGREEMENTS = "agreements", _("Agreements and legal")
    PROJECT_MANAGEMENT = "project_management", _("Project management")
    FUNDRAISING = "fundraising", _("Fundraising")
    TRAINING = "training", _("Training")
    GLAM_OUTREACH = "glam_outreach", _("GLAM outreach")
    ADVOCACY = "advocacy", _("Advocacy")


SKILL_VALUES = frozenset(Skill.values)


def pack_skills(skills: Iterable[str]) -> str:
    """Return skills as ",a,b," (known ones only, sorted) so one LIKE finds a skill in any row."""
    known = sorted({s for s in skills if s in SKILL_VALUES})
    return f",{','.join(known)}," if known else ""


def unpack_skills(packed: str) -> list[str]:
    """Return the skill values stored by pack_skills, in the order of the Skill choices."""
    found = set((packed or "").strip(",").split(","))
    return [s for s in Skill.values if s in found]


def skill_filter(skill: str) -> str:
    """Return the text a packed column contains exactly when it holds the skill."""
    return f",{skill},"


_LANGUAGE_SPLIT = re.compile(r"[,;/\n]+|\s+and\s+|\s+y\s+|\s+et\s+")


def split_languages(text: str) -> list[str]:
    """Return the languages of free text ("Spanish, Quechua / English") folded for matching."""
    seen: list[str] = []
    for part in _LANGUAGE_SPLIT.split((text or "").casefold()):
        word = " ".join(part.split())
        if word and word not in seen:
            seen.append(word)
    return seen[:20]
