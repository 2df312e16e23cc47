"""Every change to surveys: editing (a sent version is frozen), sending and the rules that
send by themselves. Each is atomic and audited; mail goes through the task queue. Answering,
opting out and anonymising old answers: hub.surveys.answering."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.core.queue import enqueue_on_commit
from hub.partners.models import Contact
from hub.partnerships.models import Partnership
from hub.surveys import mailing, tokens
from hub.surveys.delivery import deliver
from hub.surveys.models import (
    Delivery,
    Invitation,
    OptOut,
    Question,
    Sending,
    Survey,
    SurveyRule,
    SurveyVersion,
)
from hub.surveys.tasks import deliver_survey_mail

QUESTION_FIELDS = ("kind", "text", "choices", "translations", "required", "satisfaction")
MAX_CHOICES = 20
_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]")


# --- Editing -----------------------------------------------------------------------------

STANDARD_QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": Question.Kind.RATING,
        "text": gettext_lazy("How satisfied are you with the partnership overall?"),
        "satisfaction": True,
        "required": True,
    },
    {
        "kind": Question.Kind.RECOMMEND,
        "text": gettext_lazy(
            "How likely are you to recommend partnering with us to a similar organisation?"
        ),
    },
    {
        "kind": Question.Kind.YES_NO,
        "text": gettext_lazy("Did you get the feedback and impact figures you needed from us?"),
    },
    {
        "kind": Question.Kind.TEXT,
        "text": gettext_lazy("What should we do differently?"),
    },
]


SURVEY_FIELDS = ("title", "intro", "translations")


@transaction.atomic
def create_survey(
    *,
    actor: User | None,
    affiliate: Affiliate | None,
    title: str,
    intro: str = "",
    translations: dict[str, dict[str, str]] | None = None,
) -> Survey:
    """Create a survey (the hub's standard one when affiliate is None) with an empty draft."""
    survey = Survey.objects.create(
        affiliate=affiliate,
        title=title.strip(),
        intro=intro.strip(),
        translations=translations or {},
        created_by=actor,
    )
    SurveyVersion.objects.create(survey=survey, number=1)
    audit.record(actor=actor, affiliate=affiliate, action="survey.create", target=survey)
    return survey


def standard_survey() -> Survey:
    """Return the hub-wide standard partner-satisfaction survey, creating it the first time."""
    survey = Survey.objects.filter(affiliate=None, archived_at=None).order_by("pk").first()
    if survey is not None:
        return survey
    with transaction.atomic():
        survey = create_survey(
            actor=None, affiliate=None, title=str(gettext_lazy("Partner satisfaction"))
        )
        version = survey.versions.get()
        for position, fields in enumerate(STANDARD_QUESTIONS):
            Question.objects.create(
                version=version,
                position=position,
                **{k: str(v) if k == "text" else v for k, v in fields.items()},
            )
    return survey


@transaction.atomic
def update_survey(
    *,
    actor: User,
    survey: Survey,
    title: str,
    intro: str,
    translations: dict[str, dict[str, str]] | None = None,
) -> Survey:
    """Change a survey's title and introduction and their translations (none of them is part
    of the frozen answers, so a sent version stays and still shows the new wording)."""
    before = audit.snapshot(survey, SURVEY_FIELDS)
    survey.title, survey.intro = title.strip(), intro.strip()
    if translations is not None:
        survey.translations = translations
    survey.save(update_fields=list(SURVEY_FIELDS))
    changes = audit.diff(before, audit.snapshot(survey, SURVEY_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=survey.affiliate,
            action="survey.update",
            target=survey,
            changes=changes,
        )
    return survey


def current_version(survey: Survey) -> SurveyVersion:
    """Return the survey's newest version (frozen or draft)."""
    return survey.versions.order_by("-number").first() or SurveyVersion.objects.create(
        survey=survey, number=1
    )


def draft_version(survey: Survey) -> SurveyVersion:
    """Return the version that may be edited: the newest if unsent, else a fresh copy of it."""
    version = (
        SurveyVersion.objects.select_for_update().filter(survey=survey).order_by("-number").first()
    )
    if version is not None and version.frozen_at is None:
        return version
    draft = SurveyVersion.objects.create(
        survey=survey, number=(version.number if version else 0) + 1
    )
    if version is not None:
        Question.objects.bulk_create(
            [
                Question(
                    version=draft,
                    position=q.position,
                    **{name: getattr(q, name) for name in QUESTION_FIELDS},
                )
                for q in version.questions.all()
            ]
        )
    return draft


def _clean_question(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a question's fields checked: choice questions need two to twenty choices."""
    clean = {name: fields[name] for name in QUESTION_FIELDS if name in fields}
    kind = clean.get("kind")
    choices = [str(c).strip()[:200] for c in clean.get("choices") or [] if str(c).strip()]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if not 2 <= len(choices) <= MAX_CHOICES:
            raise ValidationError(
                {
                    "choices": _("Give between 2 and %(n)d choices, one per line.")
                    % {"n": MAX_CHOICES}
                }
            )
    else:
        choices = []
    clean["choices"] = choices
    clean["text"] = str(clean.get("text", "")).strip()[:500]
    if not clean["text"]:
        raise ValidationError({"text": _("Write the question.")})
    return clean


@transaction.atomic
def add_question(*, actor: User, survey: Survey, **fields: Any) -> Question:
    """Add a question at the end of the survey's draft (a sent version stays as it was)."""
    version = draft_version(survey)
    last = version.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question.objects.create(
        version=version, position=(last or 0) + 1, **_clean_question(fields)
    )
    audit.record(
        actor=actor,
        affiliate=survey.affiliate,
        action="survey.question_add",
        target=survey,
        changes={"question": [None, question.text]},
    )
    return question


def _in_draft(survey: Survey, question: Question) -> Question:
    """Return the draft's copy of a question (the question itself when already a draft)."""
    version = draft_version(survey)
    if question.version_id == version.pk:
        return question
    return version.questions.get(position=question.position)


@transaction.atomic
def update_question(*, actor: User, survey: Survey, question: Question, **fields: Any) -> Question:
    """Change a question; if its version was sent, the change goes into a new version."""
    question = _in_draft(survey, question)
    before = audit.snapshot(question, QUESTION_FIELDS)
    for name, value in _clean_question(fields).items():
        setattr(question, name, value)
    question.save()
    changes = audit.diff(before, audit.snapshot(question, QUESTION_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=survey.affiliate,
            action="survey.question_update",
            target=survey,
            changes=changes,
        )
    return question


@transaction.atomic
def remove_question(*, actor: User, survey: Survey, question: Question) -> None:
    """Remove a question from the draft (answers to sent versions keep theirs)."""
    question = _in_draft(survey, question)
    text = question.text
    question.delete()
    audit.record(
        actor=actor,
        affiliate=survey.affiliate,
        action="survey.question_remove",
        target=survey,
        changes={"question": [text, None]},
    )


def freeze(survey: Survey) -> SurveyVersion:
    """Return the version to send: the draft, frozen now, or the newest frozen one."""
    version = draft_version(survey) if not survey.versions.exists() else current_version(survey)
    if version.frozen_at is None:
        if not version.questions.exists():
            raise ValidationError(_("Add at least one question before sending the survey."))
        version.frozen_at = timezone.now()
        version.save(update_fields=["frozen_at"])
    return version


# --- Sending -----------------------------------------------------------------------------


def partnership_contacts(partnership: Partnership) -> list[Contact]:
    """Return the contacts of the partnership's partner organisations, by name."""
    return list(
        Contact.objects.filter(
            affiliate_id=partnership.affiliate_id,
            organisation__partnership_roles__partnership=partnership,
            archived_at=None,
        )
        .select_related("organisation")
        .distinct()
        .order_by("name", "pk")
    )


def address_problem(email: str) -> str:
    """Return why an address cannot be mailed ("" when it can)."""
    if _BREAKS.search(email):
        return _("the e-mail address has a line break in it")
    try:
        validate_email(email)
    except ValidationError:
        return _("the e-mail address is not valid")
    return ""


def send_survey(
    *,
    actor: User | None,
    survey: Survey,
    partnership: Partnership,
    contacts: Iterable[Contact],
    deadline: dt.date,
    reminder_after_days: int = 7,
    rule: str = Sending.Rule.MANUAL,
    rule_key: str = "",
    today: dt.date | None = None,
) -> Sending:
    """Invite the chosen contacts who may be mailed; record who was left out and why; queue the
    e-mails. The survey's questions are frozen as they are now."""
    today = today or timezone.localdate()
    if deadline <= today:
        raise ValidationError({"deadline": _("Choose a deadline after today.")})
    if survey.affiliate_id not in (None, partnership.affiliate_id):
        raise ValidationError(_("This survey belongs to another affiliate."))
    affiliate = partnership.affiliate
    with transaction.atomic():
        version = freeze(survey)
        contacts = list(contacts)
        ok, left = mailing.reachable(affiliate, contacts, topic=OptOut.Topic.SURVEYS)
        left_out = [{"name": item.contact.name, "reason": item.reason} for item in left]
        recipients = []
        for recipient in ok:
            problem = address_problem(recipient.email)
            if problem:
                left_out.append({"name": recipient.contact.name, "reason": problem})
            else:
                recipients.append(recipient)
        if not recipients:
            raise ValidationError(
                _("Nobody can be sent this survey: %(why)s")
                % {
                    "why": "; ".join(f"{i['name']} ({i['reason']})" for i in left_out)
                    or _("no contact was chosen.")
                }
            )
        sending = Sending.objects.create(
            affiliate=affiliate,
            version=version,
            partnership=partnership,
            deadline=deadline,
            reminder_after_days=reminder_after_days,
            rule=rule,
            rule_key=rule_key,
            left_out=left_out,
            created_by=actor,
        )
        invitations = Invitation.objects.bulk_create(
            [
                Invitation(
                    sending=sending,
                    affiliate=affiliate,
                    contact=r.contact,
                    name=r.contact.name[:200],
                    email=r.email,
                    language=r.language,
                    key=tokens.new_key(),
                    region=getattr(r.contact.organisation, "region", "") or "",
                    partner_type=getattr(r.contact.organisation, "partner_type", "") or "",
                )
                for r in recipients
            ]
        )
        if not all(i.pk for i in invitations):  # SQLite before 3.35 returns no ids
            invitations = list(sending.invitations.all())
        Delivery.objects.bulk_create(
            [Delivery(invitation=i, kind=Delivery.Kind.INVITATION) for i in invitations]
        )
        audit.record(
            actor=actor,
            affiliate=affiliate,
            action="survey.send",
            target=sending,
            changes={"invited": [None, len(invitations)], "left_out": [None, len(left_out)]},
        )
        enqueue_on_commit(deliver_survey_mail, sending.pk)
    return sending


def queue_reminders(*, today: dt.date | None = None) -> int:
    """Add a reminder to the ledger for every invitee who has not answered after the
    sending's number of days, before its deadline; return how many. Run twice, adds none."""
    today = today or timezone.localdate()
    candidates = (
        Invitation.objects.filter(
            sending__reminder_after_days__gt=0,
            sending__deadline__gte=today,
            opted_out_at=None,
            deliveries__kind=Delivery.Kind.INVITATION,
            deliveries__state=Delivery.State.SENT,
        )
        .exclude(response__submitted_at__isnull=False)
        .exclude(deliveries__kind=Delivery.Kind.REMINDER)
        .select_related("sending")
    )
    new = [
        Delivery(invitation=i, kind=Delivery.Kind.REMINDER)
        for i in candidates
        if i.created_at.date() + dt.timedelta(days=i.sending.reminder_after_days) <= today
    ]
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def send_reminders(today: dt.date | None = None) -> str:
    """Queue and send the day's reminders (the scheduled job)."""
    added = queue_reminders(today=today)
    counts = deliver()
    return f"{added} reminders queued, {counts['sent']} e-mails sent"


# --- Rules -------------------------------------------------------------------------------


RULE_FIELDS = ("survey", "trigger", "answer_within_days", "reminder_after_days")


def _check_rule(
    *,
    affiliate: Affiliate,
    survey: Survey,
    trigger: str,
    answer_within_days: int,
    reminder_after_days: int,
) -> None:
    """Raise ValidationError, field by field, when a rule could not send as asked."""
    errors: dict[str, str] = {}
    if survey.affiliate_id not in (None, affiliate.pk) or survey.archived_at is not None:
        errors["survey"] = _("Choose one of your surveys or the hub's standard one.")
    if trigger not in SurveyRule.Trigger.values:
        errors["trigger"] = _("Choose when the survey goes out from the list.")
    if not 1 <= answer_within_days <= 365:
        errors["answer_within_days"] = _("Give partners between 1 and 365 days to answer.")
    if not 0 <= reminder_after_days <= 90:
        errors["reminder_after_days"] = _("A reminder goes after 0 to 90 days (0: none).")
    elif reminder_after_days and reminder_after_days >= answer_within_days:
        errors["reminder_after_days"] = _(
            "The reminder would come after the deadline: remind after fewer days than the "
            "%(n)d days to answer, or put 0 for no reminder."
        ) % {"n": answer_within_days}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_rule(
    *,
    actor: User,
    affiliate: Affiliate,
    survey: Survey,
    trigger: str,
    answer_within_days: int = 21,
    reminder_after_days: int = 7,
) -> SurveyRule:
    """Send a survey by itself on an occasion from now on."""
    _check_rule(
        affiliate=affiliate,
        survey=survey,
        trigger=trigger,
        answer_within_days=answer_within_days,
        reminder_after_days=reminder_after_days,
    )
    rule = SurveyRule.objects.create(
        affiliate=affiliate,
        survey=survey,
        trigger=trigger,
        answer_within_days=answer_within_days,
        reminder_after_days=reminder_after_days,
    )
    audit.record(actor=actor, affiliate=affiliate, action="survey.rule_create", target=rule)
    return rule


@transaction.atomic
def update_rule(
    *,
    actor: User,
    rule: SurveyRule,
    survey: Survey,
    trigger: str,
    answer_within_days: int,
    reminder_after_days: int,
) -> SurveyRule:
    """Change what a rule sends, when, and the days to answer and to the reminder.

    The rule keeps its id, and its sendings are ledgered by rule id and occasion
    ("rule7:activity:12"), so an occasion the rule already sent for is not sent again, even
    with another survey; what was sent keeps its survey and dates.
    """
    rule = SurveyRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.active:
        raise ValidationError(_("This rule is stopped. Start a new rule instead."))
    _check_rule(
        affiliate=rule.affiliate,
        survey=survey,
        trigger=trigger,
        answer_within_days=answer_within_days,
        reminder_after_days=reminder_after_days,
    )
    before = audit.snapshot(rule, RULE_FIELDS)
    rule.survey, rule.trigger = survey, trigger
    rule.answer_within_days, rule.reminder_after_days = answer_within_days, reminder_after_days
    rule.save(update_fields=list(RULE_FIELDS))
    changes = audit.diff(before, audit.snapshot(rule, RULE_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=rule.affiliate,
            action="survey.rule_update",
            target=rule,
            changes=changes,
        )
    return rule


@transaction.atomic
def stop_rule(*, actor: User, rule: SurveyRule) -> None:
    """Stop a rule; what it sent stays."""
    rule.active = False
    rule.save(update_fields=["active"])
    audit.record(actor=actor, affiliate=rule.affiliate, action="survey.rule_stop", target=rule)


def _occasions(rule: SurveyRule, today: dt.date) -> list[tuple[Partnership, str]]:
    """Return the partnerships a rule sends to today, each with its occasion's key."""
    from hub.partnerships.models import Activity, Stage

    live = Partnership.objects.filter(affiliate_id=rule.affiliate_id, archived_at=None)
    if rule.trigger == SurveyRule.Trigger.ACTIVITY_ENDED:
        ended = Activity.objects.filter(
            partnership__in=live, ends_on__lt=today, ends_on__gte=today - dt.timedelta(days=7)
        ).select_related("partnership")
        return [(a.partnership, f"activity:{a.pk}") for a in ended]
    if rule.trigger == SurveyRule.Trigger.EVALUATION:
        return [
            (p, f"evaluation:{(p.stage_changed_at or p.created_at).date().isoformat()}")
            for p in live.filter(stage=Stage.EVALUATION)
        ]
    return [(p, f"yearly:{today.year}") for p in live.filter(stage=Stage.ACTIVE)]


def run_rules(today: dt.date | None = None) -> str:
    """Send each active rule's survey on its occasions not sent yet (the scheduled job)."""
    today = today or timezone.localdate()
    made = 0
    for rule in SurveyRule.objects.filter(active=True).select_related("survey", "affiliate"):
        for partnership, key in _occasions(rule, today):
            full_key = f"rule{rule.pk}:{key}"
            if Sending.objects.filter(partnership=partnership, rule_key=full_key).exists():
                continue
            try:
                send_survey(
                    actor=None,
                    survey=rule.survey,
                    partnership=partnership,
                    contacts=partnership_contacts(partnership),
                    deadline=today + dt.timedelta(days=rule.answer_within_days),
                    reminder_after_days=rule.reminder_after_days,
                    rule=rule.trigger,
                    rule_key=full_key,
                    today=today,
                )
            except ValidationError:
                continue  # nobody to mail there; tried again tomorrow
            made += 1
    return f"{made} surveys sent by rules"
