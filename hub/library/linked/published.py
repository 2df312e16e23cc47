"""Gather what an affiliate published, for the linked-data export: nothing else is ever read.

Partnerships come from the showcase's ``published()`` (published and not archived), and each
one's partners, activities and figures from the showcase's ``public_page()``: the export says
what the public pages say. Contacts, interactions, notes, money (contributions, budgets) and
unpublished partnerships are not read at all, so they cannot leak into the RDF, the
QuickStatements or the Metabase comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hub.core.models import Affiliate
from hub.library import showcase
from hub.partners.models import Organisation
from hub.partnerships.models import Activity, Goal, Partnership, PartnershipPartner
from hub.partnerships.slots import Figure
from hub.wikimedia.errors import InvalidEntityId
from hub.wikimedia.wikidata import entity_id


def qid_or_blank(value: str) -> str:
    """Return a normalised Wikidata id (``q42`` → ``Q42``), or "" for none or a malformed one."""
    if not value or not value.strip():
        return ""
    try:
        found = entity_id(value)
    except InvalidEntityId:
        return ""
    return found if found.startswith("Q") else ""


@dataclass(frozen=True)
class PublicOrganisation:
    """A partner organisation as the showcase shows it: name, type, place, Wikidata id."""

    pk: int
    name: str
    partner_type: str
    country: str
    city: str
    qid: str


@dataclass(frozen=True)
class PublicPartner:
    """A partner of a published partnership, with its role."""

    organisation: PublicOrganisation
    role: str


@dataclass
class PublicPartnership:
    """A published partnership with what its public page shows."""

    pk: int
    title: str
    summary: str
    goals: list[str]
    start_date: dt.date | None
    end_date: dt.date | None
    partners: list[PublicPartner]
    activities: list[Activity]
    figures: list[Figure]

    @property
    def participants(self) -> int | None:
        """Return the participants of its published activities, summed; None when none say."""
        counted = [a.participants for a in self.activities if a.participants is not None]
        return sum(counted) if counted else None


@dataclass
class Published:
    """What one affiliate published: itself, its published partnerships and their partners."""

    affiliate: Affiliate
    affiliate_qid: str
    partnerships: list[PublicPartnership] = field(default_factory=list)

    @property
    def organisations(self) -> list[PublicOrganisation]:
        """Return the partner organisations of the published partnerships, each once, by name."""
        seen: dict[int, PublicOrganisation] = {}
        for partnership in self.partnerships:
            for partner in partnership.partners:
                seen.setdefault(partner.organisation.pk, partner.organisation)
        return sorted(seen.values(), key=lambda o: (o.name.casefold(), o.pk))


def _organisation(org: Organisation) -> PublicOrganisation:
    return PublicOrganisation(
        pk=org.pk,
        name=org.name,
        partner_type=org.partner_type,
        country=str(org.country or ""),
        city=org.city,
        qid=qid_or_blank(org.wikidata_qid),
    )


def _public(partnership: Partnership) -> PublicPartnership:
    # Case studies are not exported: saying there is none spares public_page() their query.
    partnership.has_case_study = False  # type: ignore[attr-defined]
    page = showcase.public_page(partnership)
    partners: list[PartnershipPartner] = page.partners
    return PublicPartnership(
        pk=partnership.pk,
        title=partnership.title,
        summary=partnership.summary,
        goals=[Goal(g).value for g in partnership.goals],
        start_date=partnership.start_date,
        end_date=partnership.end_date,
        partners=[PublicPartner(_organisation(p.organisation), p.role) for p in partners],
        activities=page.activities,
        figures=page.figures,
    )


def for_affiliate(affiliate: Affiliate) -> Published:
    """Return everything the affiliate published (its published, unarchived partnerships)."""
    partnerships = (
        showcase.published().filter(affiliate=affiliate).select_related("affiliate").order_by("pk")
    )
    return Published(
        affiliate=affiliate,
        affiliate_qid=qid_or_blank(affiliate.wikidata_qid),
        partnerships=[_public(p) for p in partnerships],
    )


def for_partnership(pk: int) -> Published:
    """Return one published partnership with its affiliate; 404 for any other id."""
    partnership = showcase.public_partnership(pk)
    affiliate = partnership.affiliate
    return Published(
        affiliate=affiliate,
        affiliate_qid=qid_or_blank(affiliate.wikidata_qid),
        partnerships=[_public(partnership)],
    )
