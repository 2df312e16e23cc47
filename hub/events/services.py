"""Change an event's settings and its participants: each change audited, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.erasure import Person, scrub_rows
from hub.core.models import AuditEvent, User
from hub.core.queue import enqueue_on_commit
from hub.events import tasks_people
from hub.events.models import EVENT_KINDS, Event, Participant
from hub.events.usernames import BadLine, canonical_username, parse_username_list
from hub.partnerships.models import Activity
from hub.wikimedia.projects import WikiKind, classify_wiki

MAX_WINDOW = dt.timedelta(days=366)
MAX_GRACE_DAYS = 90
MAX_ARTICLES = 5_000
MAX_WIKIS = 20
MAX_PARTICIPANTS_IMPORT = 5_000
EVENT_FIELDS = (
    "wikis",
    "starts_at",
    "ends_at",
    "grace_days",
    "category",
    "hashtag",
    "articles",
    "consent_text",
)
# People who run the event rather than take part: left out of the counts unless told.
STAFF_ROLES = (Participant.Role.ORGANISER, Participant.Role.FACILITATOR)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def clean_wikis(values: Iterable[str]) -> list[str]:
    """Return the wikis' base addresses; raise ValidationError naming each one refused."""
    wikis: list[str] = []
    problems: list[str] = []
    messages = {
        WikiKind.PRIVATE: _(
            "%(wiki)s is a private Wikimedia wiki: its contributions cannot be counted."
        ),
        WikiKind.UNKNOWN: _(
            "%(wiki)s is not a Wikimedia wiki we know. Check the language code and the project."
        ),
        WikiKind.NOT_WIKIMEDIA: _(
            "%(wiki)s is not a Wikimedia wiki. Events count contributions to Wikimedia wikis "
            "(Wikipedia, Commons, Wikidata, Wikisource…)."
        ),
        WikiKind.INVALID: _("“%(wiki)s” is not a wiki address, such as https://sv.wikipedia.org."),
    }
    for value in values:
        if not str(value).strip():
            continue
        address = classify_wiki(str(value))
        if not address.usable:
            problems.append(messages[address.kind] % {"wiki": str(value).strip()[:100]})
        elif address.base not in wikis:
            wikis.append(address.base)
    if problems:
        raise ValidationError(problems)
    if not wikis:
        raise ValidationError(_("Give at least one wiki the event takes place on."))
    if len(wikis) > MAX_WIKIS:
        raise ValidationError(_("An event tracks at most %(n)d wikis.") % {"n": MAX_WIKIS})
    return wikis


def clean_hashtag(value: str) -> str:
    """Return the hashtag without its '#'; raise ValidationError if it cannot be one."""
    tag = value.strip().lstrip("#").strip()
    if any(c.isspace() for c in tag) or "#" in tag:
        raise ValidationError(
            _("A hashtag is one word, such as #WikiGap2026 (with or without the #).")
        )
    if len(tag) > 100:
        raise ValidationError(_("A hashtag is at most 100 characters."))
    return tag


def clean_articles(values: Iterable[str]) -> list[str]:
    """Return the article titles, underscores as spaces, each once."""
    titles: list[str] = []
    for value in values:
        title = " ".join(str(value).replace("_", " ").split())
        if not title:
            continue
        if any(c in title for c in "#<>[]|{}"):
            raise ValidationError(
                _("“%(title)s” cannot be an article title: it contains # < > [ ] | { }.")
                % {"title": title[:100]}
            )
        if title not in titles:
            titles.append(title)
    if len(titles) > MAX_ARTICLES:
        raise ValidationError(_("At most %(n)d articles.") % {"n": MAX_ARTICLES})
    return titles


def _event_errors(fields: dict[str, Any]) -> dict[str, list[str]]:
    """Check and tidy the event's fields in place; return what is wrong, by field."""
    errors: dict[str, list[str]] = {}
    checks: dict[str, Callable[[Any], Any]] = {
        "wikis": clean_wikis,
        "hashtag": clean_hashtag,
        "articles": clean_articles,
    }
    for name, check in checks.items():
        if name in fields:
            try:
                fields[name] = check(fields[name] or ([] if name != "hashtag" else ""))
            except ValidationError as error:
                errors[name] = list(error.messages)
    if "category" in fields:
        category = " ".join(str(fields["category"] or "").replace("_", " ").split())
        for prefix in ("Category:", "category:"):
            category = category.removeprefix(prefix).strip()
        fields["category"] = category
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is None:
        errors.setdefault("starts_at", []).append(_("Give the date the event starts."))
    if ends is None:
        errors.setdefault("ends_at", []).append(_("Give the date the event ends."))
    if starts is not None and ends is not None:
        if ends <= starts:
            errors.setdefault("ends_at", []).append(_("The event must end after it starts."))
        elif ends - starts > MAX_WINDOW:
            errors.setdefault("ends_at", []).append(
                _(
                    "An event lasts at most a year. For a longer programme, make one event "
                    "per year or per campaign."
                )
            )
    grace = fields.get("grace_days", 0) or 0
    if not 0 <= int(grace) <= MAX_GRACE_DAYS:
        errors.setdefault("grace_days", []).append(
            _("The grace period is between 0 and %(n)d days.") % {"n": MAX_GRACE_DAYS}
        )
    return errors


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


@transaction.atomic
def create_event(*, actor: User | None, activity: Activity, **fields: Any) -> Event:
    """Give an activity of an event kind its event settings, and record it."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown event fields {sorted(unknown)}")
    if activity.kind not in EVENT_KINDS:
        raise ValidationError(
            _("Only edit-a-thons, campaigns, trainings, residencies and uploads have an event.")
        )
    if Event.objects.filter(activity=activity).exists():
        raise ValidationError(_("This activity already has its event settings."))
    fields = dict(fields)
    _raise(_event_errors(fields))
    event = Event.objects.create(
        activity=activity,
        affiliate=activity.partnership.affiliate,
        created_by=actor,
        **fields,
    )
    audit.record(
        actor=actor,
        affiliate=event.affiliate,
        action="event.created",
        target=event,
        changes={k: [None, _audit_value(v)] for k, v in fields.items() if k != "articles"},
    )
    return event


@transaction.atomic
def update_event(*, actor: User | None, event: Event, **fields: Any) -> Event:
    """Change an event's settings and record what changed."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown event fields {sorted(unknown)}")
    event = Event.objects.select_for_update().get(pk=event.pk)
    merged = {name: getattr(event, name) for name in EVENT_FIELDS}
    merged.update(fields)
    _raise(_event_errors(merged))
    before = audit.snapshot(event, EVENT_FIELDS)
    for name in fields:
        setattr(event, name, merged[name])
    event.save()
    changes = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=event.affiliate,
            action="event.updated",
            target=event,
            changes=changes,
        )
    if "wikis" in changes:
        # Blocks are per wiki: what was checked on the old wikis says nothing of a new one.
        event.participants.exclude(wiki_check=Participant.Check.UNCHECKED).update(
            wiki_check=Participant.Check.UNCHECKED, blocked_on=[], checked_at=None
        )
        request_check(event=event)
    return event


@transaction.atomic
def set_signup_open(*, actor: User | None, event: Event, is_open: bool) -> Event:
    """Open or close the event's public sign-up link."""
    if event.signup_open != is_open:
        event.signup_open = is_open
        event.save(update_fields=["signup_open"])
        audit.record(
            actor=actor,
            affiliate=event.affiliate,
            action="event.signup_opened" if is_open else "event.signup_closed",
            target=event,
        )
    return event


# -- participants -----------------------------------------------------------------------------


def _role(value: str) -> str:
    if value not in Participant.Role.values:
        raise ValidationError(_("Choose participant, organiser or facilitator."))
    return value


@transaction.atomic
def add_participant(
    *,
    actor: User | None,
    event: Event,
    username: str,
    role: str = Participant.Role.PARTICIPANT,
    counted: bool | None = None,
    check: bool = True,
) -> Participant:
    """Add a participant by username (as typed or pasted); the wiki check follows on commit."""
    name = canonical_username(username)
    role = _role(role)
    if event.participants.filter(username=name).exists():
        raise ValidationError(_("%(name)s already takes part in this event.") % {"name": name})
    participant = Participant.objects.create(
        event=event,
        username=name,
        role=role,
        counted=(role not in STAFF_ROLES) if counted is None else counted,
        source=Participant.Source.ADDED,
    )
    audit.record(
        actor=actor,
        affiliate=event.affiliate,
        action="participant.added",
        target=participant,
        changes={"role": [None, role]},
    )
    if check:
        request_check(event=event, participant_ids=[participant.pk])
    return participant


@dataclass(frozen=True)
class Imported:
    """What an import did: who was added and who already took part."""

    added: list[str]
    already: list[str]


def import_error(bad: Sequence[BadLine]) -> ValidationError:
    """Return the error of a list with bad lines, each with its line number."""
    lines = [
        _("Line %(number)d (“%(text)s”): %(message)s")
        % {"number": b.number, "text": b.text[:60], "message": b.message}
        for b in bad[:50]
    ]
    if len(bad) > 50:
        lines.append(_("…and %(n)d more lines.") % {"n": len(bad) - 50})
    head = _("Nothing was imported: correct these lines and try again.")
    return ValidationError([head, *lines])


@transaction.atomic
def import_participants(
    *,
    actor: User | None,
    event: Event,
    text: str,
    role: str = Participant.Role.PARTICIPANT,
) -> Imported:
    """Add every username of a pasted list or file (one a line), or none if a line is wrong."""
    role = _role(role)
    names, bad = parse_username_list(text)
    if bad:
        raise import_error(bad)
    if not names:
        raise ValidationError(_("The list has no usernames: one username per line."))
    if len(names) > MAX_PARTICIPANTS_IMPORT:
        raise ValidationError(
            _("At most %(n)d usernames at once.") % {"n": MAX_PARTICIPANTS_IMPORT}
        )
    existing = set(event.participants.filter(username__in=names).values_list("username", flat=True))
    new = [n for n in names if n not in existing]
    Participant.objects.bulk_create(
        [
            Participant(
                event=event,
                username=name,
                role=role,
                counted=role not in STAFF_ROLES,
                source=Participant.Source.IMPORTED,
            )
            for name in new
        ]
    )
    if new:
        audit.record(
            actor=actor,
            affiliate=event.affiliate,
            action="participant.imported",
            target=event,
            changes={"added": [None, len(new)]},
        )
        request_check(event=event)
    return Imported(added=new, already=[n for n in names if n in existing])


@transaction.atomic
def update_participant(
    *,
    actor: User | None,
    participant: Participant,
    role: str | None = None,
    counted: bool | None = None,
) -> Participant:
    """Change a participant's role or whether their contributions are counted."""
    before = audit.snapshot(participant, ["role", "counted"])
    if role is not None:
        participant.role = _role(role)
        if counted is None:
            counted = role not in STAFF_ROLES
    if counted is not None:
        participant.counted = counted
    participant.save(update_fields=["role", "counted"])
    changes = audit.diff(before, audit.snapshot(participant, ["role", "counted"]))
    if changes:
        audit.record(
            actor=actor,
            affiliate=participant.event.affiliate,
            action="participant.updated",
            target=participant,
            changes=changes,
        )
    return participant


@transaction.atomic
def remove_participant(*, actor: User | None, participant: Participant) -> None:
    """Take a participant off the event; their past contributions stay in the totals only."""
    audit.record(
        actor=actor,
        affiliate=participant.event.affiliate,
        action="participant.removed",
        target=participant,
    )
    participant.delete()


# -- the public sign-up ------------------------------------------------------------------------


@transaction.atomic
def sign_up(
    *,
    event: Event,
    username: str,
    agreed: bool,
    show_name: bool,
    now: dt.datetime | None = None,
) -> Participant:
    """Record a person's sign-up and consent; someone the organiser listed gives consent.

    A name that already signed up is refused: the link proves nobody's identity, so a second
    sign-up must not change the first one's choices.
    """
    if not agreed:
        raise ValidationError(
            {"agreed": [_("To take part, agree to how your contributions are counted.")]}
        )
    try:
        name = canonical_username(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from None
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    participant = event.participants.filter(username=name).first()
    if participant is not None and participant.consented_at is not None:
        # Nobody proves who they are here: a second sign-up under the same name must not
        # change the first one's choices nor hand out their withdrawal link.
        raise ValidationError(
            {
                "username": [
                    _(
                        "%(name)s has already signed up. To change your choice or withdraw, use "
                        "the link you received when you signed up, or ask the organisers."
                    )
                    % {"name": name}
                ]
            }
        )
    created = participant is None
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    event=event,
                    username=name,
                    source=Participant.Source.SIGNUP,
                    consented_at=now,
                    show_name=show_name,
                )
        except IntegrityError:  # the same name sent twice at once: the first one counts
            raise ValidationError(
                {"username": [_("%(name)s has already signed up.") % {"name": name}]}
            ) from None
    if not created:
        participant.consented_at = now
        participant.show_name = show_name
        participant.save(update_fields=["consented_at", "show_name"])
    audit.record(
        actor=None,
        affiliate=event.affiliate,
        action="participant.signed_up",
        target=participant,
        changes={"show_name": [None, show_name]},
    )
    request_check(event=event, participant_ids=[participant.pk])
    return participant


@transaction.atomic
def withdraw(*, participant: Participant) -> None:
    """Remove a participant at their own request: their name leaves the event, their past
    contributions stay in the totals without it (Edit.participant becomes empty)."""
    affiliate = participant.event.affiliate
    # The history of their participation keeps what happened, not who: the name is scrubbed.
    scrub_rows(
        Person(affiliate=affiliate, names=(participant.username,)),
        AuditEvent.objects.filter(
            affiliate=affiliate,
            target_type=Participant._meta.label_lower,
            target_id=participant.pk,
        ),
        ["target_repr"],
        json_fields=["changes"],
    )
    audit.record(
        actor=None,
        affiliate=affiliate,
        action="participant.withdrew",
        target=participant.event,
    )
    participant.delete()


# -- checking usernames on the wiki -----------------------------------------------------------


def request_check(*, event: Event, participant_ids: Sequence[int] | None = None) -> None:
    """Queue the check of the event's unchecked usernames (or of these) once committed."""
    enqueue_on_commit(
        tasks_people.check_participants,
        event.pk,
        list(participant_ids) if participant_ids is not None else None,
    )
