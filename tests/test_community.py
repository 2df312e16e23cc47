"""The community: profiles, the directory, offers of help, and finding a helper for a request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from hub.community import selectors, services
from hub.community.models import HelpOffer, Profile
from hub.core.models import AuditEvent
from hub.helpdesk import services as helpdesk_services
from hub.helpdesk.models import HelpRequest, Notification
from hub.helpdesk.skills import pack_skills, split_languages, unpack_skills
from tests import factories
from tests.helpdesk_factories import (
    approved_request,
    fast_passwords,  # noqa: F401 (a fixture)
    help_request,
    immediate_tasks,  # noqa: F401 (a fixture)
    profile,
    staff,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks", "fast_passwords")]

NEEDED = ["batch_upload", "wikidata"]

# username: profile fields, then the score expected (None: not ranked at all).
CASES: list[tuple[str, dict[str, Any], int | None]] = [
    # both skills (2×3) + available (2); other region, no shared language
    (
        "both_skills",
        {"skills": NEEDED, "region": "nwe", "availability": "available", "languages": "English"},
        8,
    ),
    # one skill (3) + Spanish (2) + same region (2) + a little time (1)
    (
        "skill_and_language",
        {
            "skills": ["wikidata"],
            "region": "lac",
            "availability": "limited",
            "languages": "Spanish",
        },
        8,
    ),
    # two shared languages (2×2) + same region (2) + available (2), no skill
    (
        "two_languages",
        {
            "skills": [],
            "region": "lac",
            "availability": "available",
            "languages": "Quechua, spanish",
        },
        8,
    ),
    # one skill (3) + global region (1) + a little time (1)
    (
        "global_helper",
        {
            "skills": ["batch_upload"],
            "region": "global",
            "availability": "limited",
            "languages": "",
        },
        5,
    ),
    # one skill, no time at all: not ranked
    (
        "no_time",
        {"skills": NEEDED, "region": "lac", "availability": "unavailable", "languages": "Spanish"},
        None,
    ),
    # not listed in the directory: not ranked
    (
        "unlisted",
        {"skills": NEEDED, "region": "lac", "availability": "available", "listed": False},
        None,
    ),
    # nothing the request needs
    (
        "other_skills",
        {
            "skills": ["fundraising"],
            "region": "lac",
            "availability": "available",
            "languages": "German",
        },
        None,
    ),
    # "Old Spanish" contains "spanish" but is another language
    (
        "near_language",
        {"skills": [], "region": "lac", "availability": "available", "languages": "Old Spanish"},
        None,
    ),
]
EXPECTED_ORDER = ["both_skills", "skill_and_language", "two_languages", "global_helper"]


@pytest.fixture
def request_needing_help() -> HelpRequest:
    hub = staff()
    request, _item = approved_request(hub, country="PE", languages="Spanish; Quechua")
    helpdesk_services.update_triage(
        actor=hub, request=request, public_summary="Andean photos", skills_needed=NEEDED
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def people(affiliate_a: Any) -> dict[str, Profile]:
    found = {}
    for username, fields, _score in CASES:
        user = factories.member(affiliate_a, username=username)
        found[username] = profile(user, **fields)
    return found


@pytest.mark.parametrize(("username", "fields", "score"), CASES, ids=[c[0] for c in CASES])
def test_find_a_helper_scores_each_case(request_needing_help, people, username, fields, score):
    matches = {m.profile.user.username: m for m in selectors.find_helpers(request_needing_help)}
    if score is None:
        assert username not in matches
    else:
        assert matches[username].score == score


def test_find_a_helper_ranks_skills_before_languages_on_equal_scores(request_needing_help, people):
    ranked = [m.profile.user.username for m in selectors.find_helpers(request_needing_help)]
    assert ranked == EXPECTED_ORDER


def test_the_requester_is_never_ranked_for_their_own_request(affiliate_a):
    hub = staff()
    requester = factories.member(affiliate_a, username="asker")
    profile(requester, skills=NEEDED, availability="available")
    request, _item = approved_request(hub, actor=requester, email="asker@example.org")
    helpdesk_services.update_triage(
        actor=hub, request=request, public_summary="", skills_needed=NEEDED
    )
    request.refresh_from_db()
    assert selectors.find_helpers(request) == []


def test_find_helper_page_is_for_helpdesk_staff(request_needing_help, people, client_a):
    page_url = reverse("community:find_helper", kwargs={"pk": request_needing_help.pk})
    assert client_a.get(page_url).status_code == 404
    client = Client()
    client.force_login(staff("finder"))
    html = client.get(page_url).content.decode()
    assert html.index("both_skills") < html.index("global_helper")
    assert "no_time" not in html


def test_ask_to_help_notifies_the_helper_who_answers_and_the_asker_sees_it(
    request_needing_help, people, client_b
):
    finder = staff("finder")
    client = Client()
    client.force_login(finder)
    page_url = reverse("community:find_helper", kwargs={"pk": request_needing_help.pk})
    assert "Ask to help" in client.get(page_url).content.decode()
    helper = people["both_skills"].user
    ask_url = reverse("community:ask_helper", kwargs={"pk": request_needing_help.pk})
    assert client.post(ask_url, {"helper": helper.pk}).status_code == 302
    # The helper sees it in their notifications, opens it and accepts.
    note = Notification.objects.get(user=helper, kind="invitation")
    helper_client = Client()
    helper_client.force_login(helper)
    notifications = helper_client.get(reverse("helpdesk:notifications")).content.decode()
    assert f"asks you to help with {request_needing_help.reference}" in notifications
    assert note.url in notifications
    invitation_page = helper_client.get(note.url)
    assert invitation_page.status_code == 200
    assert "Andean photos" in invitation_page.content.decode()
    assert client_b.get(note.url).status_code == 404  # nobody else sees the invitation
    assert helper_client.post(note.url, {"answer": "accept"}).status_code == 302
    # Whoever asked hears the answer, and the find-a-helper page shows it.
    answer = Notification.objects.get(user=finder, kind="invitation_answer")
    assert answer.text == f"both_skills accepted to help with {request_needing_help.reference}"
    html = client.get(page_url).content.decode()
    assert "Accepted" in html
    actions = AuditEvent.objects.filter(action__startswith="help_request.helper_")
    assert sorted(actions.values_list("action", flat=True)) == [
        "help_request.helper_answered",
        "help_request.helper_asked",
    ]
    # Asking the same person twice is refused with their answer named; nothing is sent again.
    again = client.post(ask_url, {"helper": helper.pk}, follow=True).content.decode()
    assert "was already asked to help with this request (Accepted)" in again
    assert Notification.objects.filter(user=helper, kind="invitation").count() == 1


def test_a_declined_invitation_tells_the_asker_and_only_the_helper_may_answer(
    request_needing_help, people
):
    finder = staff("finder")
    helper = people["two_languages"].user
    invitation = services.ask_to_help(actor=finder, request=request_needing_help, helper=helper)
    with pytest.raises(ValidationError):
        services.answer_invitation(actor=finder, invitation=invitation, accept=True)
    services.answer_invitation(actor=helper, invitation=invitation, accept=False)
    invitation.refresh_from_db()
    assert invitation.answer == "declined" and invitation.answered_at is not None
    assert Notification.objects.get(user=finder, kind="invitation_answer").text.startswith(
        "two_languages declined"
    )


def test_skills_and_languages_are_stored_and_read_back():
    assert (
        pack_skills(["wikidata", "batch_upload", "bogus", "wikidata"]) == ",batch_upload,wikidata,"
    )
    assert unpack_skills(",batch_upload,wikidata,") == ["batch_upload", "wikidata"]
    assert pack_skills([]) == ""
    assert split_languages("Spanish, Quechua / English and French;  spanish") == [
        "spanish",
        "quechua",
        "english",
        "french",
    ]


def test_directory_filters_by_skill_region_language_and_mentors(people, client_b):
    directory = reverse("community:directory")
    html = client_b.get(directory + "?skill=wikidata").content.decode()
    assert "both_skills" in html and "skill_and_language" in html and "global_helper" not in html
    html = client_b.get(directory + "?region=global").content.decode()
    assert "global_helper" in html and "both_skills" not in html
    html = client_b.get(directory + "?language=quechua").content.decode()
    assert "two_languages" in html and "both_skills" not in html
    html = client_b.get(directory + "?mentors=1").content.decode()
    assert "global_helper" not in html and "both_skills" in html
    assert "unlisted" not in client_b.get(directory).content.decode()
    unlisted = people["unlisted"]
    assert (
        client_b.get(reverse("community:profile_detail", kwargs={"pk": unlisted.pk})).status_code
        == 404
    )


def test_a_person_edits_their_own_profile_only_with_their_affiliates(
    client_a, member_a, affiliate_a, affiliate_b
):
    edit = reverse("community:profile_edit")
    assert client_a.get(edit).status_code == 200
    refused = client_a.post(edit, {"affiliate": affiliate_b.pk, "availability": "available"})
    assert refused.status_code == 400
    assert not Profile.objects.exists()
    response = client_a.post(
        edit,
        {
            "affiliate": affiliate_a.pk,
            "languages": "Swedish, English",
            "skills": ["training", "advocacy"],
            "availability": "available",
            "listed": "on",
        },
    )
    assert response.status_code == 302
    saved = Profile.objects.get(user=member_a)
    assert saved.skill_list == ["training", "advocacy"]
    assert saved.region == affiliate_a.region


def test_offer_help_on_an_approved_request(request_needing_help, client_b, member_b):
    board = client_b.get(reverse("community:request_board")).content.decode()
    assert "Andean photos" in board
    assert request_needing_help.email not in board and request_needing_help.name not in board
    offer_url = reverse("community:offer_help", kwargs={"pk": request_needing_help.pk})
    assert client_b.get(offer_url).status_code == 200
    response = client_b.post(offer_url, {"message": "I uploaded 10,000 photos with Pattypan."})
    assert response.status_code == 302
    assert HelpOffer.objects.filter(user=member_b).count() == 1
    again = client_b.post(offer_url, {"message": "Again"})
    assert again.status_code == 400 and "already offered" in again.content.decode()
    assert "you offered" in client_b.get(reverse("community:request_board")).content.decode()
    staff_page = Client()
    staff_page.force_login(staff("reader"))
    detail = staff_page.get(
        reverse("helpdesk:request_detail", kwargs={"pk": request_needing_help.pk})
    )
    assert "Pattypan" in detail.content.decode()


def test_offers_only_on_requests_looking_for_helpers(client_b, member_b):
    request = help_request()
    offer_url = reverse("community:offer_help", kwargs={"pk": request.pk})
    assert client_b.get(offer_url).status_code == 404
    with pytest.raises(ValidationError):
        services.offer_help(actor=member_b, request=request, message="Hi")


def test_offer_notifies_hub_staff(request_needing_help, member_b):
    reader = staff("notified")
    services.offer_help(actor=member_b, request=request_needing_help, message="I can help")
    assert reader.notifications.filter(kind="offer").exists()


@pytest.mark.parametrize("n", [1, 5])
def test_directory_and_ranking_read_a_fixed_number_of_queries(
    affiliate_a, request_needing_help, n, django_assert_num_queries
):
    for i in range(n):
        user = factories.member(factories.affiliate(), username=f"p{n}_{i}")
        profile(user, skills=NEEDED, availability="available")
    with django_assert_num_queries(3):  # profiles, offers, invitations
        matches = selectors.find_helpers(request_needing_help)
        _ = [(m.profile.user.username, m.profile.affiliate) for m in matches]
    with django_assert_num_queries(1):
        rows = list(selectors.directory(selectors.DirectoryFilters()))
        _ = [(p.user.username, p.affiliate) for p in rows]
    assert len(rows) == n
