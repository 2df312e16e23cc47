"""A respondent's side of a survey: opening the signed link, saving answers as they go, opting
out; and anonymising old answers. Each is atomic; what the respondent is refused is said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core import audit
from hub.surveys import mailing, tokens
from hub.surveys.delivery import token_for
from hub.surveys.models import (
    Answer,
    Delivery,
    Invitation,
    OptOut,
    Question,
    Response,
    Sending,
)
from hub.surveys.models.surveys import MAX_TEXT_ANSWER


class LinkRefused(Exception):
    """A survey link that cannot be used now; the reason is said to the respondent."""

    def __init__(self, reason: str, *, gone: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone


# --- Answering ---------------------------------------------------------------------------


def open_invitation(token: str, *, today: dt.date | None = None) -> Invitation:
    """Return the invitation a link opens, or raise LinkRefused / LinkInvalidError."""
    pk, key = tokens.read_token(token)
    invitation = (
        Invitation.objects.select_related("sending__version__survey", "sending__affiliate")
        .filter(pk=pk, key=key)
        .first()
    )
    if invitation is None:
        raise tokens.LinkInvalidError
    if invitation.opted_out_at is not None:
        raise LinkRefused(_("You asked not to receive surveys from us. Nothing more is sent."))
    if invitation.sending.deadline < (today or timezone.localdate()):
        raise LinkRefused(
            _("This survey closed on %(date)s. Thank you all the same.")
            % {"date": invitation.sending.deadline.isoformat()}
        )
    return invitation


def clean_answer(question: Question, raw: Any) -> dict[str, Any] | None:
    """Return the answer's stored form, None when left empty, or raise ValidationError."""
    kind = question.kind
    values = raw if isinstance(raw, list) else [raw]
    values = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not values:
        return None
    if kind == Question.Kind.TEXT:
        text = values[0]
        if len(text) > MAX_TEXT_ANSWER:
            raise ValidationError(
                _("Please keep this answer under %(n)d characters (it has %(have)d).")
                % {"n": MAX_TEXT_ANSWER, "have": len(text)}
            )
        return {"text": text}
    if kind == Question.Kind.MULTIPLE:
        picked = sorted({int(v) for v in values if v.isdigit() and int(v) < len(question.choices)})
        if len(picked) != len(set(values)):
            raise ValidationError(_("Choose from the list."))
        return {"choices": picked}
    bounds = {
        Question.Kind.RATING: (1, 5),
        Question.Kind.RECOMMEND: (0, 10),
        Question.Kind.YES_NO: (0, 1),
        Question.Kind.SINGLE: (0, len(question.choices) - 1),
    }[Question.Kind(kind)]
    value = values[0]
    if not value.isdigit() or not bounds[0] <= int(value) <= bounds[1]:
        raise ValidationError(_("Choose from the list."))
    if kind == Question.Kind.SINGLE:
        return {"choices": [int(value)]}
    return {"number": int(value)}


def save_answers(
    *,
    invitation: Invitation,
    answers: Mapping[int, dict[str, Any] | None],
    submit: bool = False,
) -> Response:
    """Save the respondent's answers so far (cleaned by clean_answer); ``submit`` marks the
    response finished. Editable again until the deadline."""
    open_invitation(token_for(invitation))  # refuses after the deadline or an opt-out
    question_ids = set(invitation.sending.version.questions.values_list("pk", flat=True))
    with transaction.atomic():
        response, _created = Response.objects.select_for_update().get_or_create(
            invitation=invitation, defaults={"affiliate_id": invitation.affiliate_id}
        )
        existing = {a.question_id: a for a in response.answers.all()}
        for question_id, value in answers.items():
            if question_id not in question_ids:
                continue
            if value is None:
                if question_id in existing:
                    existing[question_id].delete()
                continue
            Answer.objects.update_or_create(
                response=response,
                question_id=question_id,
                defaults={
                    "number": value.get("number"),
                    "choices": value.get("choices", []),
                    "text": value.get("text", ""),
                },
            )
        if submit and response.submitted_at is None:
            response.submitted_at = timezone.now()
        response.save()
    return response


@transaction.atomic
def opt_out_invitation(invitation: Invitation) -> None:
    """Stop all surveys to the invitee's address at this affiliate, and what waits to be sent."""
    mailing.opt_out(invitation.affiliate, invitation.email, OptOut.Topic.SURVEYS)
    same = Invitation.objects.filter(
        affiliate=invitation.affiliate, email__iexact=invitation.email.strip()
    )
    same.filter(opted_out_at=None).update(opted_out_at=timezone.now())
    Delivery.objects.filter(invitation__in=same, state=Delivery.State.PENDING).update(
        state=Delivery.State.SKIPPED, reason=str(gettext_lazy("asked not to receive surveys"))
    )
    audit.record(
        actor=None,
        affiliate=invitation.affiliate,
        action="survey.opt_out",
        target=invitation.sending,
    )


# --- Retention ---------------------------------------------------------------------------


def anonymise_old_answers(now: dt.datetime | None = None) -> str:
    """Anonymise responses older than HUB_SURVEY_ANSWER_RETENTION_DAYS: who answered and the
    free text go; the scores and choices stay for the results (the scheduled job). Sendings
    whose deadline is that long past lose the names they still hold (anonymise_old_sendings)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HUB_SURVEY_ANSWER_RETENTION_DAYS)
    old = Response.objects.filter(anonymised_at=None, updated_at__lt=cutoff)
    ids = list(old.values_list("pk", flat=True)[:5000])
    with transaction.atomic():
        Answer.objects.filter(response_id__in=ids).exclude(text="").update(text="")
        # The key goes too: the old link opens nothing any more.
        Invitation.objects.filter(response__pk__in=ids).update(**_ANONYMOUS_INVITATION)
        # updated_at moves too: the cached results are keyed on it.
        Response.objects.filter(pk__in=ids).update(anonymised_at=now, updated_at=now)
    sendings = anonymise_old_sendings(now)
    return f"{len(ids)} survey responses anonymised, names removed from {sendings} sendings"


# What an invitation keeps once anonymised: its region and partner type (movement figures)
# and whether it opted out; the key goes, so the old link opens nothing.
_ANONYMOUS_INVITATION: dict[str, Any] = {
    "contact": None,
    "name": "",
    "email": "",
    "key": Concat(Value("gone-"), Cast("pk", CharField())),
}


def anonymise_old_sendings(now: dt.datetime | None = None) -> int:
    """Remove the names a sending still holds once its deadline is more than
    HUB_SURVEY_ANSWER_RETENTION_DAYS past: those it left out (the reasons stay) and those
    invited who never answered. No answer of it is newer than that (answers close at the
    deadline), so no name of the sending outlives its answers. Return how many sendings."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - dt.timedelta(days=settings.HUB_SURVEY_ANSWER_RETENTION_DAYS)
    sendings = list(
        Sending.objects.filter(anonymised_at=None, deadline__lt=cutoff).only("pk", "left_out")[
            :5000
        ]
    )
    with transaction.atomic():
        for sending in sendings:
            sending.left_out = [
                {**item, "name": ""} for item in sending.left_out if isinstance(item, dict)
            ]
            sending.anonymised_at = now
        Sending.objects.bulk_update(sendings, ["left_out", "anonymised_at"], batch_size=500)
        unanswered = Invitation.objects.filter(
            sending__in=[s.pk for s in sendings], response__isnull=True
        ).exclude(name="", email="")
        # A mail server's refusal may quote the address.
        Delivery.objects.filter(invitation__in=unanswered, state=Delivery.State.FAILED).update(
            reason=""
        )
        unanswered.update(**_ANONYMOUS_INVITATION)
    return len(sendings)
