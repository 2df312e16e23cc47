"""Build surveys, sendings and answers for the surveys tests and the bench."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from hub.core.models import Affiliate, User
from hub.surveys import services
from hub.surveys.models import Question, Sending, Survey
from tests import factories


def survey(affiliate: Affiliate | None, actor: User | None = None, **fields: Any) -> Survey:
    """Return a survey with a rating (satisfaction), a 0-10 score, choices, yes/no and text."""
    made = services.create_survey(
        actor=actor, affiliate=affiliate, title=fields.pop("title", "How are we doing?")
    )
    for kind, text, extra in [
        (Question.Kind.RATING, "How satisfied are you?", {"satisfaction": True, "required": True}),
        (Question.Kind.RECOMMEND, "Would you recommend us?", {}),
        (Question.Kind.SINGLE, "Best part?", {"choices": ["Training", "Uploads"]}),
        (Question.Kind.MULTIPLE, "What did you use?", {"choices": ["Wiki", "Commons", "Data"]}),
        (Question.Kind.YES_NO, "Would you do it again?", {}),
        (Question.Kind.TEXT, "Anything else?", {}),
    ]:
        services.add_question(actor=actor, survey=made, kind=kind, text=text, **extra)  # type: ignore[arg-type]
    return made


def partnership_with_contacts(
    affiliate: Affiliate, actor: User | None = None, n: int = 2, **contact_fields: Any
) -> tuple[Any, list[Any]]:
    """Return a partnership whose partner has n mailable contacts."""
    org = factories.organisation(affiliate, actor=actor, name="Museo Survey", country="MA")
    partnership = factories.partnership(affiliate, actor=actor, partners=[(org, "main")])
    contacts = [
        factories.contact(org, actor=actor, legal_basis="consent", **contact_fields)
        for _ in range(n)
    ]
    return partnership, contacts


def send(
    actor: User | None, made: Survey, partnership: Any, contacts: list[Any], **kw: Any
) -> Sending:
    kw.setdefault("deadline", timezone.localdate() + dt.timedelta(days=14))
    return services.send_survey(
        actor=actor, survey=made, partnership=partnership, contacts=contacts, **kw
    )
