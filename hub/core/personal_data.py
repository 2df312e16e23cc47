"""Find and export every record the Hub keeps about a person (data-protection rights).

Each app knows its own records: it registers a finder in `finders` from its AppConfig.ready,
as erasure's scrubbers are registered (hub.core.erasure). A finder takes the `Person` looked
for (hub.core.erasure.Person: the affiliate whose records are searched, names, e-mails,
phones) and yields one `Found` per record that is about the person or mentions them. Erasing
runs the scrubbers of hub.core.erasure; a finder and a scrubber of an app cover the same rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from hub.core.erasure import (
    MARKER,
    MIN_PHONE_DIGITS,
    Person,
    erase_person,
    looks_like_phone,
    mail_addresses,
    phone_digits,
    rows_mentioning,
)
from hub.core.models import Affiliate, AuditEvent, Membership, User
from hub.core.registry import Registry
from hub.core.tasks import send_mail_task


@dataclass(frozen=True)
class Found:
    """One record about the person."""

    kind: str  # what the record is, translated ("Contact", "Survey answer")
    label: str  # which one (a title or date), shown to the person searching
    url: str = ""  # where a signed-in member sees it, or ""
    data: dict[str, Any] = field(default_factory=dict)  # the person's data in it (JSON-ready)


Finder = Callable[[Person], Iterable[Found]]
finders: Registry[Finder] = Registry("personal-data finders")


def find_everywhere(person: Person) -> list[Found]:
    """Return every registered finder's records about the person."""
    return [found for finder in finders for found in finder(person)]


@dataclass(frozen=True)
class Identity:
    """A record that is the person themself (a contact, a requester), with what names them."""

    key: str  # "partners.contact:12": Person.records holds it once chosen for erasure
    kind: str
    label: str
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    url: str = ""


Identifier = Callable[[Affiliate | None, str], Iterable[Identity]]
# Each app returns the records that ARE the person searched for (by e-mail, by phone through
# hub.core.erasure.phone_lookup, or by exact name), so a search by e-mail also finds the
# texts that only give the name or phone.
identifiers: Registry[Identifier] = Registry("personal-data identifiers")


# A name shorter than this would match too many words to be about one person.
MIN_NAME = 3


class QueryError(ValueError):
    """What was typed cannot be searched for; the message says why, in a volunteer's words."""


def clean_query(text: str) -> str:
    """Return one e-mail address, phone number or name from what was typed, or raise
    QueryError."""
    if "\n" in text.strip() or "\r" in text.strip():
        raise QueryError(_("Type one e-mail address, phone number or name, on one line."))
    query = " ".join(text.split())
    if looks_like_phone(query):
        if len(phone_digits(query)) < MIN_PHONE_DIGITS:
            raise QueryError(
                _("Type at least %(n)d digits of the phone number.") % {"n": MIN_PHONE_DIGITS}
            )
        return query
    if "@" in query:
        try:
            validate_email(query)
        except ValidationError:
            raise QueryError(
                _("“%(text)s” is not an e-mail address. Check it, or search by name.")
                % {"text": query[:100]}
            ) from None
        return query.casefold()
    if len(query) < MIN_NAME or not any(c.isalnum() for c in query):
        raise QueryError(_("Type at least %(n)d letters of the name.") % {"n": MIN_NAME})
    if len(query) > 200:
        raise QueryError(_("A name is at most 200 characters."))
    return query


@dataclass
class Lookup:
    """What a search for one person found: who they are, and every record about them."""

    query: str
    person: Person
    people: list[Identity]
    found: list[Found]

    @property
    def fingerprint(self) -> str:
        """Return a digest of exactly the records found: the erase form carries it, so the
        records erased are the ones the page showed (not merely as many of them)."""
        digest = hashlib.sha256()
        for item in self.found:
            shown = [str(item.kind), item.label, item.url, item.data]
            digest.update(json.dumps(shown, sort_keys=True, default=str).encode("utf-8"))
        return digest.hexdigest()[:32]

    @property
    def groups(self) -> list[tuple[str, list[Found]]]:
        """Return the records grouped by kind, in the order the finders gave them."""
        groups: dict[str, list[Found]] = {}
        for item in self.found:
            groups.setdefault(str(item.kind), []).append(item)
        return list(groups.items())

    @property
    def one_word(self) -> bool:
        """Return whether the search was a single word, not an e-mail address or phone: it
        matches that whole word, so it may find records about other people of that name."""
        query = self.query
        return not ("@" in query or looks_like_phone(query)) and len(query.split()) == 1

    @property
    def distinct_people(self) -> int:
        """Return how many different people the records seem to be (by address, else name)."""
        keys = {
            (p.emails[0].casefold() if p.emails else " ".join(p.names).casefold())
            for p in self.people
        }
        return len(keys)

    def as_json(self) -> dict[str, Any]:
        """Return everything found, ready for json.dumps (the export a person receives)."""
        return {
            "searched_for": self.query,
            "exported_at": timezone.now().isoformat(),
            "names": list(self.person.names),
            "emails": list(self.person.emails),
            "phones": list(self.person.phones),
            "records": [
                {"kind": str(f.kind), "label": str(f.label), "data": f.data} for f in self.found
            ],
        }


def look_up(affiliate: Affiliate | None, query: str) -> Lookup:
    """Find the person by e-mail address, phone or name in the affiliate's records (None:
    hub-wide). Phones match by their digits (hub.core.erasure.phone_lookup says how).

    The records that are the person (contacts, requesters) add their other names, addresses
    and phones to what is looked for, so a text that names them only by phone is found too.
    """
    query = clean_query(query)
    people = [p for identify in identifiers for p in identify(affiliate, query)]
    is_email, is_phone = "@" in query, looks_like_phone(query)
    names = {query} if not (is_email or is_phone) else set()
    emails = {query} if is_email else set()
    phones: set[str] = {query} if is_phone else set()
    for p in people:
        names.update(n for n in p.names if n.strip() and n != MARKER)
        emails.update(e for e in p.emails if e.strip())
        phones.update(ph for ph in p.phones if len(ph.strip()) >= MIN_NAME)
    person = Person(
        affiliate=affiliate,
        names=tuple(sorted(names)),
        emails=tuple(sorted(emails)),
        phones=tuple(sorted(phones)),
        records=tuple(p.key for p in people),
    )
    found = find_everywhere(person)
    # The apps' own records first; the history, the mail queue and accounts (core's) after.
    last = {_("History entry"), _("E-mail in the outgoing queue"), _("Hub account")}
    found.sort(key=lambda f: str(f.kind) in last)
    return Lookup(query=query, person=person, people=people, found=found)


@transaction.atomic
def erase_found(
    *, actor: User | None, lookup: Lookup, accounts: Iterable[User] = ()
) -> dict[str, int]:
    """Erase the person the lookup found from every record, in one audited action; close and
    anonymise the Hub accounts chosen among closable_accounts(lookup, actor=actor)."""
    allowed = {u.pk: u for u in closable_accounts(lookup, actor=actor)}
    chosen = [allowed[u.pk] for u in accounts if u.pk in allowed]
    if len(chosen) != len({u.pk for u in accounts}):
        raise QueryError(_("That account cannot be closed from here."))
    person = lookup.person
    # The account's own name is theirs too: texts naming the member are scrubbed with it.
    names = {n for u in chosen for n in (u.get_full_name().strip(),) if len(n) >= MIN_NAME}
    if names - set(person.names):
        person = replace(person, names=tuple(sorted(set(person.names) | names)))
    for user in chosen:
        _close_account(user)
    return erase_person(
        actor=actor,
        person=person,
        action="person.erased",
        also={"accounts closed": len(chosen)} if chosen else None,
    )


def closable_accounts(lookup: Lookup, *, actor: User | None) -> list[User]:
    """Return the Hub accounts with the person's address that may be closed with the erasure:
    never hub staff or a superuser, never the person erasing, and from an affiliate's page
    only accounts that belong to no other affiliate (hub staff close those)."""
    # An account already deactivated may still hold the name and address: closable too.
    users = _accounts_of(lookup.person).filter(is_hub_staff=False, is_superuser=False)
    if actor is not None and actor.pk:
        users = users.exclude(pk=actor.pk)
    if lookup.person.affiliate is not None:
        users = users.exclude(
            pk__in=Membership.objects.exclude(affiliate=lookup.person.affiliate).values("user_id")
        )
    return list(users.order_by("pk"))


def _close_account(user: User) -> None:
    """Deactivate an account and remove what names the person: name, address, username,
    password, the addresses and Wikimedia link the log-in keeps. Its API tokens and calendar
    feeds stop working with it (they check the account is active)."""
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # its tokens go with it
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = user.language = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


# The core's own records: the audit trail, the mail queue, and hub accounts.


def _audit_rows(person: Person) -> Iterator[Found]:
    return history_mentioning(person, AuditEvent.objects.filter(affiliate=person.affiliate))


def history_mentioning(person: Person, events: QuerySet[AuditEvent]) -> Iterator[Found]:
    """Yield the audit events that name the person."""
    for row in rows_mentioning(person, events, ["target_repr"], json_fields=["changes"]):
        yield Found(
            kind=_("History entry"),
            label=f"{row.created_at:%Y-%m-%d %H:%M} · {row.label} · {row.target_repr}",
            data={
                "when": row.created_at.isoformat(),
                "action": row.action,
                "record": row.target_repr,
                "changes": row.changes,
            },
        )


def _queued_mail_rows(person: Person) -> Iterator[Found]:
    # Mail to the affiliate's members, and to the person when they are one of its contacts
    # or requesters. Hub staff's mail is the helpdesk's, about every affiliate: not shown.
    members = User.objects.filter(memberships__affiliate=person.affiliate).exclude(email="")
    recipients = {e.casefold() for e in members.values_list("email", flat=True)}
    if person.records:
        recipients |= {e.casefold() for e in person.emails}
    mails = DBTaskResult.objects.filter(task_path=send_mail_task.module_path)
    ours = []
    for row in mails.only("pk", "args_kwargs"):
        if mail_addresses(row) & recipients:
            ours.append(row.pk)
    rows = rows_mentioning(
        person, DBTaskResult.objects.filter(pk__in=ours), ["traceback"], ["args_kwargs"]
    )
    for row in rows:
        args = row.args_kwargs.get("args") or []
        subject = str(args[0]) if args else ""
        yield Found(
            kind=_("E-mail in the outgoing queue"),
            label=f"{row.enqueued_at:%Y-%m-%d %H:%M} · {subject}",
            data={"queued_at": row.enqueued_at.isoformat(), "status": row.status, "mail": args},
        )


def _accounts_of(person: Person) -> QuerySet[User]:
    """Return the Hub accounts with one of the person's addresses (the affiliate's members)."""
    q = Q(pk__in=[])
    for email in person.emails:
        q |= Q(email__iexact=email)
    users = User.objects.filter(q)
    if person.affiliate is not None:
        users = users.filter(
            pk__in=Membership.objects.filter(affiliate=person.affiliate).values("user_id")
        )
    return users


def _accounts(person: Person) -> Iterator[Found]:
    """Hub accounts with the person's address: closed with the erasure only when chosen."""
    if not person.emails:
        return
    for user in _accounts_of(person).order_by("pk"):
        yield Found(
            kind=_("Hub account"),
            label=_("%(user)s (closed and anonymised only if you tick it when erasing)")
            % {"user": user.get_username()},
            data={
                "username": user.get_username(),
                "name": user.get_full_name(),
                "email": user.email,
                "active": user.is_active,
            },
        )


finders.register(_audit_rows)
finders.register(_queued_mail_rows)
finders.register(_accounts)
