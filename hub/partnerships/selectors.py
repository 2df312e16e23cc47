"""Reads for partnership pages, always scoped to one affiliate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from hub.core import audit
from hub.core.models import Affiliate, AuditEvent, User
from hub.core.params import text_param
from hub.core.permissions import get_for_affiliate_or_404
from hub.core.regions import Region
from hub.partners.keys import search_words
from hub.partners.models import Interaction, Organisation, PartnerType
from hub.partnerships import lifecycle
from hub.partnerships.models import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    Activity,
    AffiliateGoal,
    AgreementPoint,
    ChecklistPoint,
    Contribution,
    Document,
    Partnership,
    PartnershipPartner,
    Stage,
    StageChange,
    Task,
)

PARTNERSHIP_SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "start": ("start_date", "id"),
    "-start": ("-start_date", "-id"),
}
# The newest twenty timeline entries, then "Show more": a screenful on a phone, and a page that
# stays light on a slow connection.
TIMELINE_PAGE = 20
# What pages show of a person (str(user) is the full name, else the username).
PERSON_FIELDS = ("id", "username", "first_name", "last_name")


def with_related(qs: QuerySet[Any], **related: tuple[str, ...]) -> QuerySet[Any]:
    """Return qs joining each named relation but reading only the given columns of it.

    Pages show a person's name and an organisation's name; they need not load passwords or
    search text with them.
    """
    own = [f.name for f in qs.model._meta.concrete_fields]
    shown = [f"{name}__{column}" for name, columns in related.items() for column in columns]
    return qs.select_related(*related).only(*own, *shown)


@dataclass(frozen=True)
class PartnershipFilters:
    """What a user asked of the partnership list; empty means "any"."""

    q: str = ""
    stage: str = ""
    goal: str = ""
    contribution: str = ""
    partner_type: str = ""
    region: str = ""
    strategic: str = ""  # "yes", "no" or ""
    visibility: str = ""
    responsible: int | None = None
    archived: bool = False
    sort: str = "-updated"

    @classmethod
    def from_params(cls, params: Any) -> PartnershipFilters:
        """Return filters read from a query string, ignoring values that make no sense."""

        def choice(name: str, allowed: Iterable[str], length: int = 30) -> str:
            value = text_param(params, name, length)
            return value if value in allowed else ""

        responsible = text_param(params, "responsible", 12)
        sort = params.get("sort", "-updated")
        return cls(
            q=text_param(params, "q"),
            stage=choice("stage", Stage.values),
            goal=choice("goal", GOAL_FIELDS),
            contribution=choice("contribution", CONTRIBUTION_FIELDS),
            partner_type=choice("type", PartnerType.values),
            region=choice("region", Region.values),
            strategic=choice("strategic", ("yes", "no")),
            visibility=choice("visibility", Partnership.Visibility.values),
            responsible=int(responsible) if responsible.isdigit() else None,
            archived=params.get("archived") in ("1", "on"),
            sort=sort if sort in PARTNERSHIP_SORTS else "-updated",
        )

    @property
    def narrowed(self) -> bool:
        """Return whether any filter besides the sort is set."""
        return bool(
            self.q
            or self.stage
            or self.goal
            or self.contribution
            or self.partner_type
            or self.region
            or self.strategic
            or self.visibility
            or self.responsible
            or self.archived
        )


def partnership_list(affiliate: Affiliate, filters: PartnershipFilters) -> QuerySet[Partnership]:
    """Return the affiliate's partnerships matching the filters, sorted (partners:
    with_partner_names).

    Filters on partners and people are EXISTS subqueries: no join multiplies rows, so no
    DISTINCT, and counting stays a single pass over the affiliate's index.
    """
    qs = Partnership.objects.filter(affiliate=affiliate)
    qs = qs.exclude(archived_at=None) if filters.archived else qs.filter(archived_at=None)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.goal:
        qs = qs.filter(**{GOAL_FIELDS[filters.goal]: True})  # type: ignore[index]
    if filters.contribution:
        qs = qs.filter(**{CONTRIBUTION_FIELDS[filters.contribution]: True})  # type: ignore[index]
    if filters.strategic:
        qs = qs.filter(is_strategic=filters.strategic == "yes")
    if filters.visibility:
        qs = qs.filter(visibility=filters.visibility)
    partners = PartnershipPartner.objects.filter(partnership=OuterRef("pk"))
    if filters.partner_type:
        qs = qs.filter(Exists(partners.filter(organisation__partner_type=filters.partner_type)))
    if filters.region:
        qs = qs.filter(Exists(partners.filter(organisation__region=filters.region)))
    if filters.responsible:
        through = Partnership.responsible.through.objects.filter(
            partnership_id=OuterRef("pk"), user_id=filters.responsible
        )
        qs = qs.filter(Exists(through))
    for word in filters.q.split()[:8]:
        folded = search_words(word).strip()
        in_partners = (
            Exists(partners.filter(organisation__search_text__contains=folded))
            if folded
            else Q(pk__in=[])
        )
        qs = qs.filter(Q(title__icontains=word) | in_partners)
    return qs.order_by(*PARTNERSHIP_SORTS[filters.sort]).only(
        "id",
        "title",
        "stage",
        "start_date",
        "end_date",
        "visibility",
        "is_strategic",
        "updated_at",
        "archived_at",
        "affiliate_id",
    )


# What pages and exports show of a partnership's partners and their organisations.
PARTNER_COLUMNS = (
    "id",
    "role",
    "partnership_id",
    "organisation__id",
    "organisation__name",
    "organisation__partner_type",
    "organisation__country",
    "organisation__region",
)


def partner_rows() -> QuerySet[PartnershipPartner]:
    """Return partnership partners with what pages and exports show of each organisation."""
    return PartnershipPartner.objects.select_related("organisation").only(*PARTNER_COLUMNS)


def with_partner_names(partnerships: Iterable[Partnership]) -> list[Partnership]:
    """Return the partnerships with ``partner_names`` set, in one query for all of them."""
    rows = list(partnerships)
    names: dict[int, list[str]] = {p.pk: [] for p in rows}
    pairs = (
        PartnershipPartner.objects.filter(partnership_id__in=names)
        .order_by("id")
        .values_list("partnership_id", "organisation__name")
    )
    for partnership_id, name in pairs:
        names[partnership_id].append(name)
    for p in rows:
        p.partner_names = names[p.pk]  # type: ignore[attr-defined]
    return rows


def published_partnerships() -> QuerySet[Partnership]:
    """Return every partnership its affiliate published and has not archived: the only ones
    any public page (the showcase, an event's public page) ever reads."""
    return Partnership.objects.filter(
        visibility=Partnership.Visibility.PUBLISHED, archived_at__isnull=True
    )


def get_partnership(affiliate: Affiliate, pk: int) -> Partnership:
    """Return one of the affiliate's partnerships, or raise 404."""
    return get_for_affiliate_or_404(Partnership, affiliate, pk)


def get_document(affiliate: Affiliate, pk: int) -> Document:
    """Return one of the affiliate's documents with its partnership, or raise 404."""
    return get_for_affiliate_or_404(
        Document.objects.select_related("partnership"), affiliate, pk, through="partnership"
    )


def get_main_goal(affiliate: Affiliate, pk: int) -> AffiliateGoal:
    """Return one of the affiliate's main goals, or raise 404."""
    return get_for_affiliate_or_404(AffiliateGoal, affiliate, pk)


def main_goals(affiliate: Affiliate) -> QuerySet[AffiliateGoal]:
    """Return the affiliate's main goals in their order."""
    return AffiliateGoal.objects.filter(affiliate=affiliate).order_by("position", "name")


def member_choices(affiliate: Affiliate) -> QuerySet[User]:
    """Return the affiliate's members, who may be responsible for its partnerships."""
    return (
        User.objects.filter(memberships__affiliate=affiliate)
        .only("id", "username", "first_name", "last_name")
        .order_by("username")
    )


@dataclass
class TimelineEntry:
    """One line on a partnership's timeline."""

    when: dt.datetime
    kind: str  # stage, interaction, activity, task, document, contribution, event
    item: Any


@dataclass
class PartnershipPage:
    """Everything the partnership page shows."""

    partnership: Partnership
    partners: list[PartnershipPartner]
    checklist: list[AgreementPoint]
    checklist_reviewed: bool
    documents: list[Document]
    stage_history: list[StageChange]
    moves: list[lifecycle.Move]
    responsible: list[User]
    main_goals: list[AffiliateGoal]
    timeline: list[TimelineEntry] = field(default_factory=list)
    timeline_page: int = 1
    timeline_has_more: bool = False
    # Read off the timeline's own queries, so the page's other sections need not ask again.
    last_interaction: dt.date | None = None
    latest_activities: list[Activity] = field(default_factory=list)
    latest_tasks: list[Task] = field(default_factory=list)
    latest_contributions: list[Contribution] = field(default_factory=list)
    # Which of those lists hold every row of the partnership (the timeline asked for more than
    # there are): the sections then count and sum them here instead of asking the database.
    complete: frozenset[str] = frozenset()


def _day(value: dt.date) -> dt.datetime:
    return dt.datetime.combine(value, dt.time.max, tzinfo=dt.UTC)


# Audit events already shown by their own timeline entries.
_SHOWN_ELSEWHERE = {"partnership.stage_changed", "partnership.document_added"}


def _timeline(
    partnership: Partnership,
    organisation_ids: list[int],
    stage_history: list[StageChange],
    documents: list[Document],
    *,
    page: int,
    per_page: int,
) -> tuple[list[TimelineEntry], bool, dict[str, list[Any]]]:
    """Return one page of the merged timeline (newest first), whether more follows, and the
    newest rows it read of each source (newest first, at most page * per_page + 1).

    Each source gives at most the newest page * per_page + 1 rows, so a page costs one query
    per source however long the partnership's history.
    """
    upto = page * per_page + 1
    entries = [TimelineEntry(c.at, "stage", c) for c in stage_history[:upto]]
    entries += [TimelineEntry(d.uploaded_at, "document", d) for d in documents[:upto]]
    interactions: list[Interaction] = []
    if organisation_ids:
        interactions = list(
            Interaction.objects.filter(
                affiliate_id=partnership.affiliate_id, organisation_id__in=organisation_ids
            )
            .select_related("organisation")
            .only("id", "date", "kind", "summary", "organisation__id", "organisation__name")
            .order_by("-date", "-id")[:upto]
        )
        entries += [TimelineEntry(_day(i.date), "interaction", i) for i in interactions]
    # Read through the partnership's related managers, so each row knows its partnership.
    activities = list(partnership.activities.order_by("-starts_on", "-id")[:upto])
    entries += [TimelineEntry(_day(a.starts_on), "activity", a) for a in activities]
    tasks = list(
        with_related(partnership.tasks.all(), assignee=PERSON_FIELDS).order_by(
            "-created_at", "-id"
        )[:upto]
    )
    entries += [TimelineEntry(t.done_at or t.created_at, "task", t) for t in tasks]
    contributions = list(
        with_related(partnership.contributions.all(), organisation=("id", "name")).order_by(
            "-received_on", "-id"
        )[:upto]
    )
    entries += [TimelineEntry(_day(c.received_on), "contribution", c) for c in contributions]
    events: list[AuditEvent] = list(
        with_related(
            audit.events_for(partnership).exclude(action__in=_SHOWN_ELSEWHERE),
            actor=PERSON_FIELDS,
        )[:upto]
    )
    entries += [TimelineEntry(e.created_at, "event", e) for e in events]
    entries.sort(key=lambda e: e.when, reverse=True)
    start = (page - 1) * per_page
    read: dict[str, list[Any]] = {
        "interactions": interactions,
        "activities": activities,
        "tasks": tasks,
        "contributions": contributions,
    }
    return entries[start : start + per_page], len(entries) > start + per_page, read


def partnership_page(
    affiliate: Affiliate, pk: int, *, timeline_page: int = 1, per_page: int = TIMELINE_PAGE
) -> PartnershipPage:
    """Return a partnership with its partners, checklist, documents, stages and timeline."""
    partnership = get_partnership(affiliate, pk)
    partners = list(partnership.partners.select_related("organisation").only(*PARTNER_COLUMNS))
    checklist = list(partnership.agreement_points.all())
    order = {point: n for n, point in enumerate(ChecklistPoint.values)}
    checklist.sort(key=lambda ap: order.get(ap.point, 99))
    reviewed = len(checklist) >= len(order) and all(
        ap.status != AgreementPoint.Status.NOT_DISCUSSED for ap in checklist
    )
    documents = list(with_related(partnership.documents.all(), uploaded_by=PERSON_FIELDS))
    stage_history = list(with_related(partnership.stage_changes.all(), actor=PERSON_FIELDS))
    reopen_at = next(
        (c.from_stage for c in stage_history if c.to_stage == Stage.ENDED and c.from_stage),
        Stage.IDEA,
    )
    people = list(partnership.responsible.only(*PERSON_FIELDS).order_by("username"))
    goals = list(partnership.main_goals.order_by("position", "name"))
    # Older pages cost more rows per source; a hundred pages of twenty is years of history.
    timeline_page = max(1, min(timeline_page, 100))
    timeline, has_more, read = _timeline(
        partnership,
        [pp.organisation_id for pp in partners],
        stage_history,
        documents,
        page=timeline_page,
        per_page=per_page,
    )
    return PartnershipPage(
        partnership=partnership,
        partners=partners,
        checklist=checklist,
        checklist_reviewed=reviewed,
        documents=documents,
        stage_history=stage_history,
        moves=lifecycle.moves_from(
            partnership.stage, checklist_reviewed=reviewed, reopen_stage=reopen_at
        ),
        responsible=people,
        main_goals=goals,
        timeline=timeline,
        timeline_page=timeline_page,
        timeline_has_more=has_more,
        last_interaction=read["interactions"][0].date if read["interactions"] else None,
        latest_activities=read["activities"],
        latest_tasks=read["tasks"],
        latest_contributions=read["contributions"],
        complete=frozenset(
            name
            for name in ("activities", "tasks", "contributions")
            if len(read[name]) < timeline_page * per_page + 1
        ),
    )


def organisation_partnerships(
    affiliate: Affiliate, organisation: Organisation
) -> list[PartnershipPartner]:
    """Return the partnerships an organisation takes part in, with its role, newest first."""
    return list(
        PartnershipPartner.objects.filter(
            organisation=organisation, partnership__affiliate=affiliate
        )
        .select_related("partnership")
        .only(
            "id",
            "role",
            "organisation_id",
            "partnership__id",
            "partnership__title",
            "partnership__stage",
            "partnership__archived_at",
        )
        # Live partnerships first on both databases (they sort NULLs differently).
        .order_by(
            F("partnership__archived_at").asc(nulls_first=True),
            "-partnership__updated_at",
            "-id",
        )[:200]
    )
