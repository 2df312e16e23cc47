"""What the partner portal and the member pages about it read, each scoped to one affiliate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hub.core.models import Affiliate, User
from hub.core.sqlrows import Columns, fetch, marks, table
from hub.partners.models import Contact, Organisation
from hub.partnerships.models import Activity, Document, Partnership, PartnershipPartner, Stage
from hub.partnerships.slots import Figure, partnership_figures
from hub.surveys.models import ChangeRequest, PartnerUpdates, PortalLink
from hub.surveys.selectors import WaitingSurvey, waiting_surveys

UPCOMING_DAYS = 120
UPCOMING_ROWS = 20
RECENT_ROWS = 20
# What the portal and the update e-mail show of a partnership (and what figures need).
PARTNERSHIP_FIELDS = ("id", "affiliate_id", "title", "stage", "start_date", "end_date")


@dataclass(frozen=True)
class ActivityRow:
    """An activity as the portal and the update e-mail list it: plain values, no models."""

    pk: int
    title: str
    starts_on: dt.date
    place: str
    online: bool
    partnership_title: str


@dataclass(frozen=True)
class DocumentRow:
    """A document shared with the partner, as the portal lists it."""

    pk: int
    original_name: str
    size: int
    partnership_title: str


@dataclass(frozen=True)
class ContactRow:
    """One of the partner's own people, as the portal lists them."""

    pk: int
    name: str
    role: str
    main_email: str
    phone: str


@dataclass(frozen=True)
class Person:
    """Someone at the affiliate responsible for one of the partnerships: who to contact."""

    pk: int
    name: str
    email: str


@dataclass
class PortalPage:
    """Everything the partner's portal shows, read as plain values (no model instances but
    the partnerships, which the figures' providers are given)."""

    link: PortalLink
    organisation: Organisation
    partnerships: list[Partnership]
    figures: dict[int, list[Figure]]
    documents: list[DocumentRow]
    upcoming: list[ActivityRow]
    contacts: list[ContactRow]
    people: list[Person]  # who to contact at the affiliate
    waiting_surveys: list[WaitingSurvey]
    pending: int = 0  # the partner's corrections waiting for the affiliate's approval

    @property
    def rows(self) -> list[tuple[Partnership, list[Figure]]]:
        """Return each partnership with its figures, for the page's tables."""
        return [(p, self.figures.get(p.pk, [])) for p in self.partnerships]


def portal_partnerships(affiliate: Affiliate, organisation: Organisation) -> QuerySet[Partnership]:
    """Return the organisation's partnerships with the affiliate a partner may see.

    Ideas are the affiliate's own thinking and archived ones are gone: neither is shown.
    """
    # "id IN (the organisation's partnerships)": the few partner rows are read first, not every
    # partnership of the affiliate joined to its partners.
    mine = PartnershipPartner.objects.filter(organisation=organisation).values("partnership_id")
    return (
        Partnership.objects.filter(affiliate=affiliate, pk__in=mine, archived_at=None)
        .exclude(stage=Stage.IDEA)
        .only(*PARTNERSHIP_FIELDS)
        .order_by("-start_date", "title", "id")
    )


# The portal is drawn afresh on every visit, and compiling its queries with the ORM cost it
# ten times what running them does (and more than drawing the page). So what it reads by the
# ids of the partnerships a partner may see (portal_partnerships, the one rule of what is
# shown) is written out here (hub.core.sqlrows): simple statements, names from the models,
# every value a parameter. tests/test_portal.py checks each section against data made through
# the services, and the partnerships read against portal_partnerships itself.
_PARTNERSHIP = Columns(Partnership, "p", PARTNERSHIP_FIELDS)


def visible_partnerships(link: PortalLink) -> list[Partnership]:
    """Return portal_partnerships(link.affiliate, link.organisation), written out: the same
    rows, order and fields read (tests/test_portal.py compares them on both databases)."""
    rows = fetch(
        f"SELECT {_PARTNERSHIP.select()} FROM {_PARTNERSHIP.table()}"  # noqa: S608
        " WHERE p.affiliate_id = %s AND p.archived_at IS NULL AND NOT (p.stage = %s)"
        f" AND p.id IN (SELECT pp.partnership_id FROM {table(PartnershipPartner)} pp"
        " WHERE pp.organisation_id = %s)"
        " ORDER BY p.start_date DESC, p.title, p.id",
        [link.affiliate_id, Stage.IDEA.value, link.organisation_id],
    )
    read = _PARTNERSHIP.reader()
    return [read(row) for row in rows]


def _activity_rows(
    partnerships: Sequence[Partnership], window: str, params: list[Any], order: str, rows: int
) -> list[ActivityRow]:
    titles = {p.pk: p.title for p in partnerships}
    if not titles:
        return []
    ids = list(titles)
    found = fetch(
        f"SELECT id, title, starts_on, place, online, partnership_id FROM {table(Activity)}"  # noqa: S608
        f" WHERE partnership_id IN ({marks(ids)}) AND {window} ORDER BY {order} LIMIT %s",
        [*ids, *params, rows],
    )
    return [
        ActivityRow(pk, title, starts_on, place, bool(online), titles[partnership])
        for pk, title, starts_on, place, online, partnership in found
    ]


def upcoming_activities(
    partnerships: Sequence[Partnership], *, today: dt.date, days: int = UPCOMING_DAYS
) -> list[ActivityRow]:
    """Return the partnerships' activities starting from today for a while, soonest first."""
    window = "starts_on >= %s AND starts_on <= %s"
    params: list[Any] = [today, today + dt.timedelta(days=days)]
    return _activity_rows(partnerships, window, params, "starts_on, id", UPCOMING_ROWS)


def recent_activities(
    partnerships: Sequence[Partnership], *, since: dt.date, today: dt.date
) -> list[ActivityRow]:
    """Return the partnerships' activities that took place between since and today."""
    window = "starts_on >= %s AND starts_on < %s"
    return _activity_rows(
        partnerships, window, [since, today], "starts_on DESC, id DESC", RECENT_ROWS
    )


def _first_line(text: str) -> str:
    """Return the first non-blank line of a contact's e-mail addresses (Contact.main_email)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _day(value: dt.date | str) -> dt.date:
    """Return a date read through a UNION (SQLite gives it as text there, no column type)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class _Lists:
    pending: int = 0
    contacts: list[ContactRow] = field(default_factory=list)
    documents: list[DocumentRow] = field(default_factory=list)
    upcoming: list[ActivityRow] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _lists(link: PortalLink, titles: dict[int, str], today: dt.date) -> _Lists:
    """Return how many of the partner's corrections wait, its live people (by name), the
    documents shared with it (newest first), the partnerships' upcoming activities (soonest
    first) and the active people responsible for them (by name).

    One statement, not five: on PostgreSQL the portal's time went to round trips. The reads
    are rows of one shape (a kind, then columns each kind fills or leaves empty), each
    numbered in its own order by ROW_NUMBER() so no order of the UNION is relied on.
    """
    affiliate, organisation = link.affiliate_id, link.organisation_id
    sql = [
        "SELECT 'w' AS kind, 0 AS id, '' AS a, '' AS b, '' AS c, '' AS e,"  # noqa: S608
        " CAST(NULL AS DATE) AS day, COUNT(*) AS n, 0 AS p, 0 AS pos"
        f" FROM {table(ChangeRequest)}"
        " WHERE affiliate_id = %s AND organisation_id = %s AND status = %s",
        "SELECT 'c', id, name, role, emails, phone, CAST(NULL AS DATE), 0, 0,"  # noqa: S608
        " ROW_NUMBER() OVER (ORDER BY name, id)"
        f" FROM {table(Contact)}"
        " WHERE affiliate_id = %s AND organisation_id = %s AND archived_at IS NULL",
    ]
    pending = ChangeRequest.Status.PENDING.value
    params: list[Any] = [affiliate, organisation, pending, affiliate, organisation]
    if titles:
        ids = list(titles)
        placeholders = marks(ids)
        responsible = table(Partnership.responsible.through)
        sql += [
            "SELECT 'd', id, original_name, '', '', '', CAST(NULL AS DATE), size,"  # noqa: S608
            " partnership_id, ROW_NUMBER() OVER (ORDER BY uploaded_at DESC, id DESC)"
            f" FROM {table(Document)}"
            f" WHERE partnership_id IN ({placeholders}) AND shared_with_partner = %s",
            "SELECT * FROM (SELECT 'a' AS kind, id, title, place, '', '', starts_on,"  # noqa: S608
            " CASE WHEN online THEN 1 ELSE 0 END, partnership_id,"
            " ROW_NUMBER() OVER (ORDER BY starts_on, id) AS pos"
            f" FROM {table(Activity)} WHERE partnership_id IN ({placeholders})"
            " AND starts_on >= %s AND starts_on <= %s) upcoming WHERE pos <= %s",
            "SELECT DISTINCT 'p', u.id, u.username, u.first_name, u.last_name, u.email,"  # noqa: S608
            " CAST(NULL AS DATE), 0, 0, 0"
            f" FROM {responsible} r INNER JOIN {table(User)} u ON u.id = r.user_id"
            f" WHERE r.partnership_id IN ({placeholders}) AND u.is_active = %s",
        ]
        until = today + dt.timedelta(days=UPCOMING_DAYS)
        params += [*ids, True, *ids, today, until, UPCOMING_ROWS, *ids, True]
    rows = fetch(" UNION ALL ".join(sql), params)
    rows.sort(key=lambda row: (row[0], row[9]))
    found = _Lists()
    for kind, pk, a, b, c, e, day, n, partnership, _pos in rows:
        if kind == "w":
            found.pending = n
        elif kind == "c":
            found.contacts.append(ContactRow(pk, a, b, _first_line(c), e))
        elif kind == "d":
            found.documents.append(DocumentRow(pk, a, n, titles[partnership]))
        elif kind == "a":
            found.upcoming.append(ActivityRow(pk, a, _day(day), b, bool(n), titles[partnership]))
        else:
            # Named as User.__str__ names them: their full name, or their user name.
            found.people.append(Person(pk=pk, name=f"{b} {c}".strip() or a, email=e))
    found.people.sort(key=lambda person: (person.name.casefold(), person.pk))
    return found


def portal_page(link: PortalLink, *, today: dt.date | None = None) -> PortalPage:
    """Return the portal of the link's organisation: a fixed number of queries at any size
    (4), each reading plain values."""
    today = today or timezone.localdate()
    partnerships = visible_partnerships(link)
    found = _lists(link, {p.pk: p.title for p in partnerships}, today)
    return PortalPage(
        link=link,
        organisation=link.organisation,
        partnerships=partnerships,
        figures=partnership_figures(partnerships),
        documents=found.documents,
        upcoming=found.upcoming,
        contacts=found.contacts,
        people=found.people,
        waiting_surveys=waiting_surveys(link.organisation),
        pending=found.pending,
    )


def shared_document(link: PortalLink, pk: int) -> Document:
    """Return a document shared with the link's organisation, or raise 404."""
    partnerships = portal_partnerships(link.affiliate, link.organisation)
    document = Document.objects.filter(
        pk=pk, shared_with_partner=True, partnership__in=partnerships
    ).first()
    if document is None:
        raise Http404
    return document


def portal_contact(link: PortalLink, pk: int) -> Contact:
    """Return one of the link's organisation's own live contacts, or raise 404."""
    contact = Contact.objects.filter(
        pk=pk, affiliate=link.affiliate, organisation=link.organisation, archived_at=None
    ).first()
    if contact is None:
        raise Http404
    return contact


@dataclass
class OrganisationPortal:
    """The organisation page's portal section: its link, update setting and waiting changes."""

    link: PortalLink | None
    updates: PartnerUpdates | None
    pending: int


def organisation_portal(affiliate: Affiliate, organisation: Organisation) -> OrganisationPortal:
    """Return the organisation's link in force, its update setting and corrections waiting."""
    now = timezone.now()
    link = (
        PortalLink.objects.filter(
            affiliate=affiliate, organisation=organisation, revoked_at=None, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    updates = PartnerUpdates.objects.filter(affiliate=affiliate, organisation=organisation).first()
    pending = ChangeRequest.objects.filter(
        affiliate=affiliate, organisation=organisation, status=ChangeRequest.Status.PENDING
    ).count()
    return OrganisationPortal(link=link, updates=updates, pending=pending)


def change_requests(affiliate: Affiliate, *, decided: bool = False) -> list[ChangeRequest]:
    """Return the affiliate's corrections waiting (or the latest decided), oldest waiting first."""
    qs = ChangeRequest.objects.filter(affiliate=affiliate).select_related(
        "organisation", "contact", "decided_by"
    )
    if decided:
        return list(qs.exclude(status=ChangeRequest.Status.PENDING).order_by("-decided_at")[:50])
    return list(qs.filter(status=ChangeRequest.Status.PENDING).order_by("created_at", "id"))


def change_for(affiliate: Affiliate, pk: int) -> ChangeRequest:
    """Return one of the affiliate's corrections, or raise 404 (another affiliate's too)."""
    change = (
        ChangeRequest.objects.filter(affiliate=affiliate, pk=pk)
        .select_related("organisation", "contact")
        .first()
    )
    if change is None:
        raise Http404
    return change


def link_for(affiliate: Affiliate, organisation: Organisation, pk: int) -> PortalLink:
    """Return one of the organisation's portal links, or raise 404."""
    link = PortalLink.objects.filter(affiliate=affiliate, organisation=organisation, pk=pk).first()
    if link is None:
        raise Http404
    return link


def pending_count(affiliate: Affiliate) -> int:
    """Return how many of the affiliate's corrections wait for approval (one indexed count)."""
    return ChangeRequest.objects.filter(
        affiliate=affiliate, status=ChangeRequest.Status.PENDING
    ).count()
