"""Scrub an erased person's name, e-mail and phone from every record that mentions them.

Each app knows its own records: it registers a scrubber (a function taking the `Person` and
returning how many rows it changed) in `scrubbers`, from its AppConfig.ready, so the app that
erases (partners) reaches the helpdesk's or the partnerships' records without importing them.
Scrubbers write with `update`/`bulk_update` and no audit events: the erasure records one event
with the counts only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hub.core import audit
from hub.core.models import Affiliate, AuditEvent, User
from hub.core.registry import Registry
from hub.core.tasks import send_mail_task

MARKER = "[erased]"


@dataclass(frozen=True)
class Person:
    """Who is being erased, and from which affiliate's records."""

    # None: the hub-wide records (help requests sent to no affiliate), for hub staff.
    affiliate: Affiliate | None
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    # Records that are the person themself ("partners.contact:12"), chosen on the
    # personal-data page: erased whole even when no e-mail address ties them to the person.
    records: tuple[str, ...] = ()

    @property
    def phone_digits(self) -> list[str]:
        """Return the digits of each phone long enough to be matched by its digits."""
        return sorted({d for d in map(phone_digits, self.phones) if len(d) >= MIN_PHONE_DIGITS})

    @property
    def needles(self) -> list[str]:
        """Return every text looked for as written (names, addresses, phones too short to
        match by their digits), longest first."""
        found = {n.strip() for n in (*self.names, *self.emails) if n.strip()}
        found |= {
            p.strip() for p in self.phones if p.strip() and len(phone_digits(p)) < MIN_PHONE_DIGITS
        }
        return sorted(found, key=len, reverse=True)

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """Return one case-insensitive pattern matching any needle as a whole word, or any
        of the phones however it is written (see phone_in_text)."""
        parts = [phone_in_text(digits) for digits in self.phone_digits]
        for needle in self.needles:
            # Spaces in a name or phone match any run of spaces ("+48  123" is "+48 123").
            words = [re.escape(w) for w in needle.split()]
            parts.append(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def mentioned_in(self, text: str) -> bool:
        """Return whether the text names this person."""
        return self.pattern is not None and bool(self.pattern.search(text))

    def is_record(self, label: str, pk: object) -> bool:
        """Return whether the row ("app.model", id) was chosen as the person's own record."""
        return f"{label.lower()}:{pk}" in self.records

    def owns_email(self, email: str) -> bool:
        """Return whether an address is one of the person's own."""
        return email.strip().casefold() in {e.strip().casefold() for e in self.emails}

    def scrub(self, value: Any) -> Any:
        """Return the value (text, or JSON-like lists and dicts) with every mention replaced."""
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(MARKER, value)
        if isinstance(value, list | tuple):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        return value

    def prefilter(self, fields: Iterable[str], json_fields: Iterable[str] = ()) -> models.Q:
        """Return a filter for rows that may mention the person (the pattern decides).

        JSON columns are compared as text, in both the way PostgreSQL writes them and the
        escaped way SQLite stores them.
        """
        q = models.Q(pk__in=[])
        for digits in self.phone_digits:
            # Every written form of the phone holds its last digits, a few separators apart.
            near = f"[^0-9]{{0,{MAX_PHONE_SEPARATORS}}}"
            tail = near.join(digits[-MIN_PHONE_DIGITS:])
            for field in fields:
                q |= models.Q(**{f"{field}__regex": tail})
            for field in json_fields:
                q |= models.Q(**{f"_text_{field}__regex": tail})
        for needle in self.needles:
            first = needle.split()[0]
            escaped = json.dumps(first)[1:-1]
            for field in fields:
                q |= models.Q(**{f"{field}__icontains": first})
            for field in json_fields:
                q |= models.Q(**{f"_text_{field}__icontains": first})
                q |= models.Q(**{f"_text_{field}__icontains": escaped})
        return q


# Phones are matched by their digits ("601234567" is "+48 601 234 567"): two numbers are the
# same when the digits of one end with all the digits of the other (a country code or a
# national prefix written on one side only), and the shorter has at least MIN_PHONE_DIGITS.
# A phone with fewer digits is looked for as written.
MIN_PHONE_DIGITS = 7
# Between two digits of a written phone: spaces, dots, dashes, slashes, brackets.
MAX_PHONE_SEPARATORS = 3
_SEPARATORS = rf"[\s().\-/]{{0,{MAX_PHONE_SEPARATORS}}}"
_PHONE_TEXT = re.compile(r"^[\s().\-/+0-9]*$")


def phone_digits(text: str) -> str:
    """Return the digits of a phone number ("+48 601-234" -> "48601234"), ASCII."""
    values = (unicodedata.digit(c, None) for c in text if c.isdigit())
    return "".join(str(v) for v in values if v is not None)


def looks_like_phone(text: str) -> bool:
    """Return whether a search is a phone number (digits, spaces, + ( ) . - / only)."""
    return bool(_PHONE_TEXT.match(text)) and any(c.isdigit() for c in text)


def phone_in_text(digits: str) -> str:
    """Return a pattern matching the phone in free text, however it is written: the digits
    with separators, after any other digits (a country code), or its last digits alone."""
    full = r"\+?(?:\d" + _SEPARATORS + r")*" + _SEPARATORS.join(digits)
    tails = [
        _SEPARATORS.join(digits[-n:]) for n in range(len(digits) - 1, MIN_PHONE_DIGITS - 1, -1)
    ]
    return r"(?<!\d)(?:" + "|".join([full, *tails]) + r")(?!\d)"


def phone_lookup(field: str, text: str) -> models.Q:
    """Return a filter for rows whose phone `field` is the phone in `text` by the digits rule
    (above), done by the database (a regular expression both SQLite and PostgreSQL run)."""
    digits = phone_digits(text)
    if len(digits) < MIN_PHONE_DIGITS:
        return models.Q(pk__in=[])
    apart = "[^0-9]*"
    # The stored number ends with the one searched for...
    ends_with = apart.join(digits) + apart + "$"
    # ...or is the last digits (at least MIN_PHONE_DIGITS) of the one searched for.
    tails = [
        "^" + apart + apart.join(digits[-n:]) + apart + "$"
        for n in range(len(digits) - 1, MIN_PHONE_DIGITS - 1, -1)
    ]
    return models.Q(**{f"{field}__regex": "|".join(f"({p})" for p in [ends_with, *tails])})


Scrubber = Callable[[Person], int]
scrubbers: Registry[Scrubber] = Registry("erasure scrubbers")


def rows_mentioning(
    person: Person,
    queryset: models.QuerySet[Any],
    fields: Iterable[str],
    json_fields: Iterable[str] = (),
) -> list[Any]:
    """Return the rows whose named columns mention the person (what scrub_rows would change)."""
    fields, json_fields = list(fields), list(json_fields)
    if person.pattern is None:
        return []
    rows = queryset.annotate(
        **{f"_text_{f}": Cast(f, models.TextField()) for f in json_fields}
    ).filter(person.prefilter(fields, json_fields))
    return [
        row
        for row in rows
        if any(person.mentioned_in(getattr(row, f) or "") for f in fields)
        or any(
            person.mentioned_in(json.dumps(getattr(row, f), ensure_ascii=False))
            for f in json_fields
        )
    ]


def scrub_rows(
    person: Person,
    queryset: models.QuerySet[Any],
    fields: Iterable[str],
    json_fields: Iterable[str] = (),
) -> int:
    """Replace the person's mentions in the named columns of the rows; return rows changed."""
    fields, json_fields = list(fields), list(json_fields)
    model = queryset.model
    changed = []
    for row in rows_mentioning(
        person,
        queryset.select_related(None).only("pk", *fields, *json_fields),
        fields,
        json_fields,
    ):
        dirty = False
        for name in [*fields, *json_fields]:
            old = getattr(row, name)
            new = person.scrub(old)
            max_length = model._meta.get_field(name).max_length
            if isinstance(new, str) and max_length:
                new = new[:max_length]
            if new != old:
                setattr(row, name, new)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        model.objects.bulk_update(changed, [*fields, *json_fields], batch_size=500)
    return len(changed)


def events_about(person: Person, rows: models.QuerySet[Any]) -> models.QuerySet[AuditEvent]:
    """Return the audit events kept without an affiliate (the helpdesk's, the community's)
    about these rows of the affiliate's; none for a hub-wide person (_audit_events has them)."""
    if person.affiliate is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        affiliate=None,
        target_type=rows.model._meta.label_lower,
        target_id__in=rows.values("pk"),
    )


def scrub_history_of(person: Person, querysets: Iterable[models.QuerySet[Any]]) -> int:
    """Replace the person's mentions in the hub-wide audit events about these rows."""
    return sum(
        scrub_rows(person, events_about(person, rows), ["target_repr"], ["changes"])
        for rows in querysets
    )


def _audit_events(person: Person) -> int:
    return scrub_rows(
        person,
        AuditEvent.objects.filter(affiliate=person.affiliate),
        ["target_repr"],
        json_fields=["changes"],
    )


def mail_recipients(person: Person) -> set[str]:
    """Return the addresses the affiliate's mail goes to: its members, hub staff, the person."""
    people = User.objects.filter(
        models.Q(memberships__affiliate=person.affiliate) | models.Q(is_hub_staff=True)
    ).exclude(email="")
    return {e.casefold() for e in people.values_list("email", flat=True)} | {
        e.casefold() for e in person.emails
    }


def _queued_mail(person: Person) -> int:
    """Scrub the e-mails in the task queue sent to the affiliate's people; drop theirs unsent."""
    recipients = mail_recipients(person)
    mails = DBTaskResult.objects.filter(task_path=send_mail_task.module_path)
    ours, unsent_to_them = [], []
    for row in mails.only("pk", "status", "args_kwargs"):
        addresses = mail_addresses(row)
        if row.status == TaskResultStatus.READY and any(person.owns_email(a) for a in addresses):
            unsent_to_them.append(row.pk)
        elif addresses & recipients:
            ours.append(row.pk)
    DBTaskResult.objects.filter(pk__in=unsent_to_them).delete()
    return len(unsent_to_them) + scrub_rows(
        person,
        DBTaskResult.objects.filter(pk__in=ours),
        ["traceback"],
        json_fields=["args_kwargs", "return_value"],
    )


def mail_addresses(row: DBTaskResult) -> set[str]:
    """Return the addresses a queued e-mail goes to, case-folded."""
    args = row.args_kwargs.get("args") or []
    to = [str(a) for a in (args[2] if len(args) > 2 else [])]
    return {_address(a).casefold() for a in to}


def _address(mailbox: str) -> str:
    """Return the address of "Name <address>" (or the text itself)."""
    return parseaddr(mailbox)[1] or mailbox


def scrub_everywhere(person: Person) -> dict[str, int]:
    """Run every app's scrubber, then the audit trail's and the queue's; return rows changed.

    Call inside the erasing service's transaction.
    """
    counts: dict[str, int] = {}
    for scrubber in [*scrubbers, _queued_mail, _audit_events]:
        counts[f"{scrubber.__module__}.{scrubber.__name__}"] = scrubber(person)
    return {key: n for key, n in counts.items() if n}


def erase_person(
    *,
    actor: User | None,
    person: Person,
    action: str = "person.erased",
    target_type: str = "core.person",
    target_id: int | None = None,
    also: dict[str, int] | None = None,
) -> dict[str, int]:
    """Scrub the person from every record and keep one audit event: that an erasure happened
    and how many records changed (with `also`, what the caller did besides), never who. Call
    inside the erasing service's transaction."""
    scrubbed = {**scrub_everywhere(person), **(also or {})}
    audit.write(
        actor=actor,
        affiliate=person.affiliate,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=str(_("(erased person)")),
        changes={"scrubbed": [None, scrubbed]} if scrubbed else {},
    )
    return scrubbed
