"""Find and erase a person's survey records: invitations (name, address) and their answers."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from hub.core.erasure import Person, scrub_rows
from hub.core.personal_data import Found
from hub.surveys.models import Answer, Delivery, Invitation, Sending


def _invitations(person: Person) -> list[Invitation]:
    """Return the affiliate's invitations sent to one of the person's addresses or names."""
    match = Q(pk__in=[])
    for email in person.emails:
        if email.strip():
            match |= Q(email__iexact=email.strip())
    for name in person.names:
        if name.strip():
            match |= Q(name__iexact=name.strip())
    return list(
        Invitation.objects.filter(match, affiliate=person.affiliate).select_related(
            "sending__version__survey", "sending__partnership"
        )
    )


def find_survey_records(person: Person) -> Iterator[Found]:
    """Yield the person's survey invitations, each with their answers."""
    for invitation in _invitations(person):
        answers = [
            {"question": a.question.text, "number": a.number, "choices": a.choices, "text": a.text}
            for a in Answer.objects.filter(response__invitation=invitation).select_related(
                "question"
            )
        ]
        yield Found(
            kind=_("Survey invitation and answers"),
            label=f"{invitation.sending.version.survey.title} · "
            f"{invitation.sending.partnership.title}",
            data={
                "name": invitation.name,
                "email": invitation.email,
                "language": invitation.language,
                "sent": invitation.created_at.isoformat(),
                "answers": answers,
            },
        )
    # Sendings that left them out name them, with the reason.
    sendings = Sending.objects.filter(affiliate=person.affiliate).select_related("partnership")
    for sending in sendings.annotate(_text_left_out=Cast("left_out", TextField())).filter(
        person.prefilter([], ["left_out"])
    ):
        for item in sending.left_out:
            if person.mentioned_in(str(item.get("name", ""))):
                yield Found(
                    kind=_("Left out of a survey"),
                    label=sending.partnership.title,
                    data={"name": item.get("name"), "reason": item.get("reason")},
                )
    # Free-text answers by others that mention the person.
    for answer in Answer.objects.filter(response__invitation__affiliate=person.affiliate).filter(
        person.prefilter(["text"])
    ):
        if person.mentioned_in(answer.text):
            yield Found(
                kind=_("Survey answer mentioning them"),
                label=answer.question.text,
                data={"text": answer.text},
            )


def scrub_survey_records(person: Person) -> int:
    """Remove the person's invitations (their answers go with them) and scrub mentions."""
    ids = [i.pk for i in _invitations(person)]
    # The answers are theirs: deleted with the invitation; the opt-out outlives them as a hash.
    deleted = Invitation.objects.filter(pk__in=ids).delete()[1].get("surveys.Invitation", 0)
    mentions = scrub_rows(
        person, Answer.objects.filter(response__invitation__affiliate=person.affiliate), ["text"]
    )
    left_out = scrub_rows(
        person, Sending.objects.filter(affiliate=person.affiliate), [], json_fields=["left_out"]
    )
    # A mail server's refusal may quote the address.
    reasons = scrub_rows(
        person, Delivery.objects.filter(invitation__affiliate=person.affiliate), ["reason"]
    )
    return deleted + mentions + left_out + reasons
