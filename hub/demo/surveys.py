"""Load a demo partner survey: the standard survey sent on a few demo partnerships, answered.

No e-mail goes out: the demo's invitations are marked sent in the ledger as they are made,
so the queued delivery finds nothing waiting. Safe to run again (an affiliate that has sent a
survey is left as it is).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hub.core.models import Affiliate, User
from hub.demo.partnerships import first_manager
from hub.partners.models import Contact
from hub.partnerships.models import Partnership
from hub.surveys import answering, mailing, services
from hub.surveys.models import Delivery, OptOut, Question, Sending, Survey

# (rating 1-5, recommendation 0-10, yes/no, free text) per respondent, in turn.
ANSWERS = (
    (5, 10, 1, "The training for our archivists was excellent; more of it, please."),
    (4, 9, 1, "Clear communication. We would like the view figures every quarter."),
    (3, 7, 0, "We did not hear back after the upload; a short report would help."),
    (4, 8, 1, ""),
)
PARTNERSHIPS_PER_AFFILIATE = 2


def load_demo_surveys(*, today: dt.date) -> int:
    """Send the standard survey on demo partnerships with mailable contacts; return how many."""
    survey = services.standard_survey()
    made = 0
    for affiliate in Affiliate.objects.order_by("pk"):
        if Sending.objects.filter(affiliate=affiliate).exists():
            continue
        actor = first_manager(affiliate)
        if actor is None:
            continue
        sent = 0
        for partnership in Partnership.objects.filter(affiliate=affiliate).order_by("pk"):
            contacts = services.partnership_contacts(partnership)
            ok, _left = mailing.reachable(affiliate, contacts, topic=OptOut.Topic.SURVEYS)
            if len(ok) < 2:
                continue
            _send_and_answer(actor, survey, partnership, contacts, today)
            sent += 1
            if sent == PARTNERSHIPS_PER_AFFILIATE:
                break
        made += sent
    return made


@transaction.atomic
def _send_and_answer(
    actor: User, survey: Survey, partnership: Partnership, contacts: list[Contact], today: dt.date
) -> None:
    sending = services.send_survey(
        actor=actor,
        survey=survey,
        partnership=partnership,
        contacts=contacts,
        deadline=today + dt.timedelta(days=21),
    )
    Delivery.objects.filter(invitation__sending=sending).update(
        state=Delivery.State.SENT, sent_at=sending.created_at
    )
    by_kind = {q.kind: q for q in sending.version.questions.all()}
    for invitation, (rating, score, yes, text) in zip(
        sending.invitations.order_by("pk"), ANSWERS, strict=False
    ):
        values = {
            Question.Kind.RATING: {"number": rating},
            Question.Kind.RECOMMEND: {"number": score},
            Question.Kind.YES_NO: {"number": yes},
            Question.Kind.TEXT: {"text": text} if text else None,
        }
        answers = {by_kind[k].pk: v for k, v in values.items() if k in by_kind and v}
        answering.save_answers(invitation=invitation, answers=answers, submit=True)
