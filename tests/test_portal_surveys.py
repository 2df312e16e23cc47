"""The survey and the portal know each other: the thank-you page links the partner's portal,
and the portal lists the surveys its people have not answered yet."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hub.surveys.delivery import token_for
from hub.surveys.portal import portal_url_for
from hub.surveys.portal.services import create_portal_link
from hub.surveys.portal.tokens import portal_token
from tests import survey_factories as sf

pytestmark = pytest.mark.django_db


def test_an_unanswered_survey_shows_on_the_portal_and_the_thanks_link_back(
    affiliate_a: Any, member_a: Any
) -> None:
    partnership, contacts = sf.partnership_with_contacts(affiliate_a, member_a, n=1)
    organisation = contacts[0].organisation
    sent = sf.send(member_a, sf.survey(affiliate_a, member_a), partnership, contacts)
    invitation = sent.invitations.get()
    link = create_portal_link(actor=member_a, organisation=organisation)
    portal = Client().get(reverse("surveys:portal", kwargs={"token": portal_token(link)}))
    page = portal.content.decode()
    assert "How are we doing?" in page
    answer_url = reverse("surveys:answer", kwargs={"token": token_for(invitation)})
    assert answer_url in page
    # Answered: the thank-you page leads to the portal, which no longer lists the survey.
    client = Client()
    done = client.post(
        answer_url,
        {f"q{q.pk}": "5" for q in sent.version.questions.filter(kind="rating")} | {"send": "1"},
    )
    assert done.status_code == 302, done.content.decode()[:500]
    thanks = client.get(done["Location"]).content.decode()
    assert portal_url_for(organisation) in thanks
    portal = Client().get(reverse("surveys:portal", kwargs={"token": portal_token(link)}))
    assert answer_url not in portal.content.decode()
