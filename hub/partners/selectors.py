"""Reads for the partner directory, always scoped to one affiliate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from hub.core import audit
from hub.core.models import Affiliate, AuditEvent, User
from hub.core.params import text_param
from hub.core.permissions import get_for_affiliate_or_404
from hub.core.sections import Section
from hub.partners import search
from hub.partners.keys import (
    normalise_email,
    normalise_name,
    normalise_qid,
    search_words,
    website_domain,
)
from hub.partners.models import Contact, ContactEmail, Interaction, Organisation, Tag
from hub.partners.slots import MY_WORK

ORGANISATION_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "country": ("country", "name", "id"),
    "-country": ("-country", "name", "id"),
    "status": ("status", "name", "id"),
    "-status": ("-status", "name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
CONTACT_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "organisation": ("organisation__name", "name", "id"),
    "-organisation": ("-organisation__name", "name", "id"),
}


@dataclass(frozen=True)
class OrganisationFilters:
    """What a user asked of the organisation list; empty means "any"."""

    q: str = ""
    partner_type: str = ""
    country: str = ""
    region: str = ""
    status: str = ""
    tag: str = ""
    archived: bool = False
    sort: str = "name"

    @classmethod
    def from_params(cls, params: Any) -> OrganisationFilters:
        """Return filters read from a query string, ignoring values that make no sense."""
        sort = params.get("sort", "name")
        return cls(
            q=text_param(params, "q"),
            partner_type=text_param(params, "type", 30),
            country=text_param(params, "country", 2).upper(),
            region=text_param(params, "region", 10),
            status=text_param(params, "status", 10),
            tag=text_param(params, "tag", 60),
            archived=params.get("archived") in ("1", "on"),
            sort=sort if sort in ORGANISATION_SORTS else "name",
        )


_Searched = TypeVar("_Searched", Organisation, Contact)


def _search_terms(q: str) -> list[str]:
    return [t for t in search_words(q).split() if t][:8]


def _search(qs: QuerySet[_Searched], q: str, index: search.SearchIndex) -> QuerySet[_Searched]:
    """Narrow rows to those whose search text contains every word of q.

    The search text is stored folded (lower case, no accents, ø as o), so a plain LIKE on it
    matches "Museo" for "museo" and "Sao Paulo" for "São Paulo" on SQLite and PostgreSQL
    alike. A trigram index answers the LIKE on PostgreSQL (pg_trgm); on SQLite the FTS5
    trigram table finds the candidates first and the LIKE confirms them (see
    hub.partners.search).
    """
    terms = _search_terms(q)
    indexed = [t for t in terms if len(t) >= search.MIN_INDEXED_CHARS]
    if indexed and connections[qs.db].vendor == "sqlite":
        # A constant query; the user's words travel as a parameter.
        match = RawSQL(  # noqa: S611
            index.sqlite_match_sql(),
            [search.sqlite_match_expression(indexed)],
        )
        qs = qs.filter(pk__in=match)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    return qs


def search_organisations(qs: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    """Narrow organisations to those whose names, city or contacts contain every word of q."""
    return _search(qs, q, search.ORGANISATIONS)


def organisation_list(affiliate: Affiliate, filters: OrganisationFilters) -> QuerySet[Organisation]:
    """Return the affiliate's organisations matching the filters, sorted (tags: with_tag_names)."""
    qs = Organisation.objects.filter(affiliate=affiliate)
    qs = qs.exclude(archived_at=None) if filters.archived else qs.filter(archived_at=None)
    if filters.partner_type:
        qs = qs.filter(partner_type=filters.partner_type)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.tag:
        qs = qs.filter(tags__affiliate=affiliate, tags__name=filters.tag)
    qs = search_organisations(qs, filters.q)
    return qs.order_by(*ORGANISATION_SORTS[filters.sort]).only(
        "id",
        "name",
        "partner_type",
        "country",
        "region",
        "city",
        "status",
        "updated_at",
        "archived_at",
        "affiliate_id",
    )


def with_tag_names(organisations: Iterable[Organisation]) -> list[Organisation]:
    """Return the organisations with ``tag_names`` set, in one query for all of them.

    Cheaper than prefetch_related for a page of rows: no Tag instances, no related managers.
    """
    rows = list(organisations)
    names: dict[int, list[str]] = {org.pk: [] for org in rows}
    through = Organisation.tags.through.objects.filter(organisation_id__in=names)
    for org_id, name in through.order_by("tag__name").values_list("organisation_id", "tag__name"):
        names[org_id].append(name)
    for org in rows:
        org.tag_names = names[org.pk]
    return rows


def get_organisation(affiliate: Affiliate, pk: int) -> Organisation:
    """Return one of the affiliate's organisations, or raise 404."""
    return get_for_affiliate_or_404(Organisation, affiliate, pk)


@dataclass
class TimelineEntry:
    """One line on a record's timeline: an interaction or an audit event."""

    when: dt.datetime
    kind: str
    interaction: Interaction | None = None
    event: AuditEvent | None = None


@dataclass
class OrganisationPage:
    """Everything the organisation page shows."""

    organisation: Organisation
    contacts: list[Contact]
    timeline: list[TimelineEntry]
    tags: list[Tag] = field(default_factory=list)


def _as_datetime(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def organisation_page(
    affiliate: Affiliate, pk: int, *, timeline_limit: int = 100
) -> OrganisationPage:
    """Return an organisation with its contacts and a timeline of interactions and changes."""
    org = get_organisation(affiliate, pk)
    contacts = list(org.contacts.filter(archived_at=None).order_by("name"))
    interactions = list(
        org.interactions.order_by("-date", "-id")
        .select_related("created_by")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.only("id", "name")),
            Prefetch(
                "users", queryset=User.objects.only("id", "username", "first_name", "last_name")
            ),
        )[:timeline_limit]
    )
    events = list(audit.events_for(org)[:timeline_limit])
    timeline = [
        TimelineEntry(_as_datetime(i.date), "interaction", interaction=i) for i in interactions
    ]
    timeline += [
        TimelineEntry(e.created_at, "event", event=e)
        for e in events
        if e.action != "interaction.logged"
    ]
    timeline.sort(key=lambda entry: entry.when, reverse=True)
    return OrganisationPage(
        organisation=org,
        contacts=contacts,
        timeline=timeline[:timeline_limit],
        tags=list(org.tags.all()),
    )


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing organisation that looks like the one being entered, and why."""

    organisation: Organisation
    reasons: tuple[str, ...]


def find_duplicate_organisations(
    affiliate: Affiliate,
    *,
    name: str = "",
    website: str = "",
    wikidata_qid: str = "",
    emails: list[str] | None = None,
    exclude_pk: int | None = None,
) -> list[DuplicateMatch]:
    """Return the affiliate's live organisations sharing a name, domain, QID or contact e-mail."""
    from django.utils.translation import gettext as _

    keys = {
        "name": normalise_name(name),
        "domain": website_domain(website),
        "qid": normalise_qid(wikidata_qid),
    }
    cond = Q()
    if keys["name"]:
        cond |= Q(normalised_name=keys["name"])
    if keys["domain"]:
        cond |= Q(website_domain=keys["domain"])
    if keys["qid"]:
        cond |= Q(wikidata_qid=keys["qid"])
    email_keys = [normalise_email(e) for e in emails or [] if e]
    email_org_ids: set[int] = set()
    if email_keys:
        email_org_ids = set(
            ContactEmail.objects.filter(affiliate=affiliate, email__in=email_keys)
            .exclude(contact__organisation=None)
            .values_list("contact__organisation_id", flat=True)
        )
        cond |= Q(pk__in=email_org_ids)
    if not cond:
        return []
    qs = Organisation.objects.filter(cond, affiliate=affiliate, archived_at=None)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    matches = []
    for org in qs.order_by("name")[:20]:
        reasons = []
        if keys["name"] and org.normalised_name == keys["name"]:
            reasons.append(_("same name"))
        if keys["domain"] and org.website_domain == keys["domain"]:
            reasons.append(_("same website"))
        if keys["qid"] and org.wikidata_qid == keys["qid"]:
            reasons.append(_("same Wikidata item"))
        if org.pk in email_org_ids:
            reasons.append(_("a contact with the same e-mail"))
        matches.append(DuplicateMatch(org, tuple(reasons)))
    return matches


def find_duplicate_contacts(
    affiliate: Affiliate, *, emails: list[str], exclude_pk: int | None = None
) -> list[Contact]:
    """Return the affiliate's live contacts that share one of the e-mail addresses."""
    keys = [normalise_email(e) for e in emails if e.strip()]
    if not keys:
        return []
    qs = Contact.objects.filter(
        affiliate=affiliate,
        archived_at=None,
        email_keys__email__in=keys,
    ).select_related("organisation")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.distinct().order_by("name")[:20])


def contact_list(
    affiliate: Affiliate, *, q: str = "", sort: str = "name", archived: bool = False
) -> QuerySet[Contact]:
    """Return the affiliate's contacts with their organisations, each word of q somewhere in
    their name, e-mail addresses, role or organisation's name."""
    qs = Contact.objects.filter(affiliate=affiliate)
    qs = qs.exclude(archived_at=None) if archived else qs.filter(archived_at=None)
    qs = _search(qs, q, search.CONTACTS)
    return qs.select_related("organisation").order_by(*CONTACT_SORTS.get(sort, ("name", "id")))


def get_contact(affiliate: Affiliate, pk: int) -> Contact:
    """Return one of the affiliate's contacts, or raise 404."""
    return get_for_affiliate_or_404(Contact.objects.select_related("organisation"), affiliate, pk)


def contact_page(affiliate: Affiliate, pk: int, *, limit: int = 50) -> dict[str, Any]:
    """Return a contact with their latest interactions and the history of their record."""
    contact = get_contact(affiliate, pk)
    return {
        "contact": contact,
        "interactions": list(
            contact.interactions.select_related("organisation").order_by("-date", "-id")[:limit]
        ),
        "events": list(audit.events_for(contact)[:limit]),
    }


def get_interaction(affiliate: Affiliate, pk: int) -> Interaction:
    """Return one of the affiliate's interactions, or raise 404."""
    return get_for_affiliate_or_404(
        Interaction.objects.select_related("organisation"), affiliate, pk
    )


# How many rows of each list My work shows: the most urgent, with a link to the whole list.
MY_WORK_ROWS = 20
FOLLOW_UP_HORIZON_DAYS = 14
# My work's directory counts are kept under the affiliate's audit stamp (a change makes a new
# key); the day is part of the key too, so overdue follow-ups move at midnight.
MY_WORK_COUNTS_SECONDS = 600


@dataclass
class MyWork:
    """What a person sees first: the most urgent follow-ups, recent partners, counts."""

    follow_ups: Sequence[Interaction]
    recent: list[Organisation]
    counts: dict[str, int]
    # What apps higher up add (the partnerships app: the person's reminders and open tasks).
    sections: list[Section] = field(default_factory=list)


def _due_by(today: dt.date, horizon_days: int) -> Q:
    """Return the condition of an open follow-up due by the end of the horizon."""
    return Q(
        follow_up_done=False,
        follow_up_on__lte=today + dt.timedelta(days=horizon_days),
        organisation__archived_at=None,
    )


def _follow_up_rows(rows: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """Return the rows with just what a follow-up's line shows, and its organisation."""
    return rows.select_related("organisation").only(
        "id",
        "affiliate_id",
        "date",
        "kind",
        "summary",
        "follow_up_on",
        "organisation__id",
        "organisation__name",
    )


def _theirs(user: User) -> Q:
    """Return the condition of an interaction logged by the user or with them."""
    with_user = Interaction.users.through.objects.filter(user=user).values("interaction_id")
    return Q(created_by=user) | Q(pk__in=with_user)


def follow_ups_due(
    affiliate: Affiliate,
    user: User,
    *,
    today: dt.date | None = None,
    horizon_days: int = FOLLOW_UP_HORIZON_DAYS,
) -> QuerySet[Interaction]:
    """Return the affiliate's open follow-ups due within the horizon with their organisations,
    the user's own first (theirs: logged by them or with them), each part soonest due first."""
    today = today or timezone.localdate()
    due = Interaction.objects.filter(_due_by(today, horizon_days), affiliate=affiliate)
    return (
        _follow_up_rows(due)
        .annotate(mine=ExpressionWrapper(_theirs(user), BooleanField()))
        .order_by("-mine", "follow_up_on", "id")
    )


def most_urgent_follow_ups(
    affiliate: Affiliate, user: User, *, today: dt.date, horizon_days: int, limit: int
) -> list[Interaction]:
    """Return the first ``limit`` of ``follow_ups_due``, in two reads that each stop early.

    Ordering every open follow-up by "theirs first" sorts all of them; the user's own and then
    the others, each soonest first, read only as many rows as are shown.
    """
    due = _follow_up_rows(
        Interaction.objects.filter(_due_by(today, horizon_days), affiliate=affiliate)
    ).order_by("follow_up_on", "id")
    theirs = _theirs(user)
    rows = list(due.filter(theirs)[:limit])
    for row in rows:
        row.mine = True  # type: ignore[attr-defined]  # as follow_ups_due annotates
    if len(rows) < limit:
        others = list(due.exclude(theirs)[: limit - len(rows)])
        for row in others:
            row.mine = False  # type: ignore[attr-defined]
        rows += others
    return rows


def directory_counts(affiliate: Affiliate, *, today: dt.date, horizon_days: int) -> dict[str, int]:
    """Count the affiliate's organisations, active partners, prospects, contacts, recent
    interactions and the follow-ups due and overdue (three grouped queries over the directory)."""
    org_counts = Organisation.objects.filter(affiliate=affiliate, archived_at=None).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=Organisation.Status.ACTIVE)),
        prospect=Count("id", filter=Q(status=Organisation.Status.PROSPECT)),
    )
    due = _due_by(today, horizon_days)
    interaction_counts = Interaction.objects.filter(affiliate=affiliate).aggregate(
        recent=Count("id", filter=Q(date__gte=today - dt.timedelta(days=30))),
        due=Count("id", filter=due),
        overdue=Count("id", filter=due & Q(follow_up_on__lt=today)),
    )
    return {
        "organisations": org_counts["total"],
        "active": org_counts["active"],
        "prospects": org_counts["prospect"],
        "contacts": Contact.objects.filter(affiliate=affiliate, archived_at=None).count(),
        "follow_ups": interaction_counts["due"],
        "overdue": interaction_counts["overdue"],
        "interactions_30d": interaction_counts["recent"],
    }


def my_work(
    affiliate: Affiliate,
    user: User,
    *,
    today: dt.date | None = None,
    horizon_days: int = FOLLOW_UP_HORIZON_DAYS,
) -> MyWork:
    """Return the most urgent open follow-ups (the user's own first), recent partners and the
    directory's counts, among them every follow-up due and overdue."""
    today = today or timezone.localdate()
    follow_ups = most_urgent_follow_ups(
        affiliate, user, today=today, horizon_days=horizon_days, limit=MY_WORK_ROWS
    )
    recent = list(
        Organisation.objects.filter(affiliate=affiliate, archived_at=None)
        .only("id", "name", "status", "updated_at", "partner_type", "country")
        .order_by("-updated_at")[:10]
    )
    key = audit.stamped_key(affiliate, "my-work-counts", today.isoformat(), str(horizon_days))
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = directory_counts(affiliate, today=today, horizon_days=horizon_days)
        cache.set(key, counts, MY_WORK_COUNTS_SECONDS)
    return MyWork(
        follow_ups=follow_ups,
        recent=recent,
        counts=counts,
        sections=MY_WORK.sections(affiliate, user, today),
    )


def affiliate_tags(affiliate: Affiliate) -> QuerySet[Tag]:
    """Return the affiliate's tags, for filter menus."""
    return Tag.objects.filter(affiliate=affiliate).order_by("name")


def affiliate_members(affiliate: Affiliate) -> QuerySet[User]:
    """Return the users who belong to the affiliate."""
    return User.objects.filter(memberships__affiliate=affiliate).order_by("username")


def contact_personal_data(contact: Contact) -> dict[str, Any]:
    """Return everything the Hub holds about a person, for a subject access request."""
    return {
        "name": contact.name,
        "organisation": contact.organisation.name if contact.organisation else None,
        "role": contact.role,
        "emails": contact.email_list,
        "phone": contact.phone,
        "preferred_language": contact.preferred_language,
        "legal_basis": contact.legal_basis,
        "legal_basis_source": contact.legal_basis_source,
        "legal_basis_date": contact.legal_basis_date.isoformat()
        if contact.legal_basis_date
        else None,
        "do_not_contact": contact.do_not_contact,
        "notes": contact.notes,
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat(),
        "interactions": [
            {
                "date": i.date.isoformat(),
                "kind": i.kind,
                "organisation": i.organisation.name,
                "summary": i.summary,
            }
            for i in contact.interactions.select_related("organisation").order_by("date")
        ],
        "history": [
            {"when": e.created_at.isoformat(), "action": e.action, "changes": e.changes}
            for e in audit.events_for(contact).order_by("created_at")
        ],
    }
