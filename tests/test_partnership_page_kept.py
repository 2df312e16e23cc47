"""The partnership page's reads are kept between visits (hub.partnerships.page), never stale.

Each test shows the page (so its reads are kept), changes one kind of thing the page shows the
way a person or the Hub would (a service, hub staff in the admin, a new day), and sees the
change on the next visit. The counted outputs of an event are in tests/test_events_counting.py
(they need the local wiki).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.core.models import User
from hub.partners import services as partner_services
from hub.partnerships import goals, services
from hub.partnerships.activities import services as activities
from hub.partnerships.models import AgreementPoint, ChecklistPoint, Stage
from hub.partnerships.reports import services as report_services
from hub.partnerships.todo import services as tasks
from tests import factories
from tests.test_admin_audit import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    return factories.partnership(affiliate_a, actor=member_a, title="Archive scans")


def page_url(partnership: Any) -> str:
    return reverse(
        "partnerships:partnership_detail",
        kwargs={"slug": partnership.affiliate.slug, "pk": partnership.pk},
    )


def without_tokens(page: str) -> str:
    """Return the page without its CSRF tokens (masked afresh on every request)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def shown(client: Client, partnership: Any) -> str:
    response = client.get(page_url(partnership))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_reads_the_kept_page_in_a_few_statements(
    client_a: Client, partnership: Any, django_assert_max_num_queries: Any
) -> None:
    first = shown(client_a, partnership)
    # The floor's session, user and membership; the stamp; the other apps' sections.
    with django_assert_max_num_queries(9):
        again = shown(client_a, partnership)
    assert without_tokens(again) == without_tokens(first)


def test_a_new_title_and_summary_show_at_once(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    assert "Archive scans" in shown(client_a, partnership)
    services.update_partnership(
        actor=member_a, partnership=partnership, title="Photo archive", summary="Ten boxes."
    )
    page = shown(client_a, partnership)
    assert "<h1><bdi>Photo archive</bdi>" in page and "<p>Ten boxes.</p>" in page


def test_a_stage_move_shows_in_the_stage_section_and_its_history(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    assert "First call" not in shown(client_a, partnership)
    services.advance_stage(
        actor=member_a, partnership=partnership, to_stage=Stage.FIRST_CONTACT, reason="First call"
    )
    assert "<td>First call</td>" in shown(client_a, partnership)


def test_an_agreed_checklist_point_shows(client_a: Client, member_a: Any, partnership: Any) -> None:
    assert "Scans under CC BY-SA" not in shown(client_a, partnership)
    services.update_agreement(
        actor=member_a,
        partnership=partnership,
        points={ChecklistPoint.values[0]: (AgreementPoint.Status.AGREED, "Scans under CC BY-SA")},
    )
    assert "Scans under CC BY-SA" in shown(client_a, partnership)


def test_an_uploaded_document_shows(client_a: Client, member_a: Any, partnership: Any) -> None:
    assert "letter-of-intent.pdf" not in shown(client_a, partnership)
    factories.document(partnership, actor=member_a, name="letter-of-intent.pdf")
    assert "letter-of-intent.pdf" in shown(client_a, partnership)


def test_a_renamed_partner_and_a_logged_interaction_show(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    organisation = partnership.partners.get().organisation
    shown(client_a, partnership)
    partner_services.update_organisation(
        actor=member_a, organisation=organisation, name="City Museum of Photography"
    )
    assert "City Museum of Photography" in shown(client_a, partnership)
    factories.interaction(organisation, actor=member_a, summary="Visited the storerooms")
    assert "Visited the storerooms" in shown(client_a, partnership)


def scan_a_thon(member: Any, partnership: Any) -> Any:
    """Add an edit-a-thon with typed outputs to the partnership, through the service."""
    return activities.create_activity(
        actor=member,
        partnership=partnership,
        kind="editathon",
        title="Scan-a-thon",
        starts_on=dt.date(2026, 11, 20),
        articles_created=7,
    )


def test_a_new_activity_shows_in_its_section_and_the_timeline(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    assert "Scan-a-thon" not in shown(client_a, partnership)
    scan_a_thon(member_a, partnership)
    page = shown(client_a, partnership)
    assert page.count("Scan-a-thon") >= 2  # the activities section and the timeline


def test_a_contribution_shows_in_the_money_section(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    assert "No contributions recorded yet." in shown(client_a, partnership)
    activities.add_contribution(
        actor=member_a,
        partnership=partnership,
        kind="financial",
        received_on=dt.date(2026, 10, 1),
        amount="1250.00",
        currency="SEK",
        description="Scanning grant",
    )
    page = shown(client_a, partnership)
    assert "No contributions recorded yet." not in page and "1,250" in page


def test_an_exchange_rate_added_converts_the_money_section_at_once(
    client_a: Client, member_a: Any, affiliate_a: Any, partnership: Any
) -> None:
    activities.add_contribution(
        actor=member_a,
        partnership=partnership,
        kind="financial",
        received_on=dt.date(2026, 10, 1),
        amount="1000.00",
        currency="SEK",
    )
    assert "add a rate for SEK in 2026" in shown(client_a, partnership)
    activities.set_exchange_rate(
        actor=member_a, affiliate=affiliate_a, currency="SEK", year=2026, rate=Decimal("0.09")
    )
    page = shown(client_a, partnership)
    assert "add a rate for SEK in 2026" not in page and "not converted" not in page


def test_a_task_shows_while_open_and_goes_when_done(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    shown(client_a, partnership)
    task = tasks.create_task(
        actor=member_a,
        affiliate=partnership.affiliate,
        title="Send the draft agreement",
        partnership=partnership,
    )
    assert "Send the draft agreement" in shown(client_a, partnership).split('id="timeline"')[0]
    tasks.complete_task(actor=member_a, task=task)
    assert "Send the draft agreement" not in shown(client_a, partnership).split('id="timeline"')[0]


def test_a_main_goal_set_on_the_partnership_and_renamed_shows(
    client_a: Client, member_a: Any, affiliate_a: Any, partnership: Any
) -> None:
    manager = factories.member(affiliate_a, role="manager")
    goal = goals.add_main_goal(actor=manager, affiliate=affiliate_a, name="Open heritage")
    assert '<span class="tag">Open heritage</span>' not in shown(client_a, partnership)
    services.update_partnership(actor=member_a, partnership=partnership, main_goals=[goal])
    assert '<span class="tag">Open heritage</span>' in shown(client_a, partnership)
    goals.rename_main_goal(actor=manager, goal=goal, name="Open culture")
    assert '<span class="tag">Open culture</span>' in shown(client_a, partnership)


def test_a_person_renamed_by_hub_staff_in_the_admin_shows_under_the_new_name(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    """A person is no affiliate's: the admin records the change hub-wide, and the page's key
    holds the hub's newest hub-wide event too."""
    services.update_partnership(actor=member_a, partnership=partnership, responsible=[member_a])
    assert "Alice Andersson" not in shown(client_a, partnership)
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    staff = Client()
    staff.force_login(root)
    url = f"/admin/core/user/{member_a.pk}/change/"
    data = form_data(staff.get(url))
    data.update(first_name="Alice", last_name="Andersson")
    assert staff.post(url, data).status_code == 302
    assert "Alice Andersson" in shown(client_a, partnership)


def test_a_new_strategic_definition_shows_in_the_strategic_view(
    client_a: Client, partnership: Any
) -> None:
    """The definition is the hub's, changed by hub staff and recorded hub-wide."""
    assert "(3 needed)" not in shown(client_a, partnership)
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    report_services.update_definition(actor=root, strategic_from_score=3)
    assert "(3 needed)" in shown(client_a, partnership)


def test_an_erased_contact_is_gone_from_the_page_at_once(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    organisation = partnership.partners.get().organisation
    contact = factories.contact(organisation, actor=member_a, name="Greta Lindqvist")
    factories.interaction(organisation, actor=member_a, summary="Met Greta Lindqvist")
    tasks.create_task(
        actor=member_a,
        affiliate=partnership.affiliate,
        title="Call Greta Lindqvist",
        partnership=partnership,
    )
    assert "Greta Lindqvist" in shown(client_a, partnership)
    partner_services.erase_contact(actor=member_a, contact=contact)
    assert "Greta Lindqvist" not in shown(client_a, partnership)


def test_a_task_due_today_shows_overdue_the_next_day(
    client_a: Client, member_a: Any, partnership: Any
) -> None:
    today = timezone.localdate()
    tasks.create_task(
        actor=member_a,
        affiliate=partnership.affiliate,
        title="Call the archivist",
        partnership=partnership,
        due_on=today,
    )
    assert "overdue" not in shown(client_a, partnership)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        client_a.force_login(member_a)  # a day idle ends a session
        assert "overdue" in shown(client_a, partnership)


def test_the_page_kept_in_one_language_is_not_shown_in_another(
    client_a: Client, partnership: Any
) -> None:
    assert "No contributions recorded yet." in shown(client_a, partnership)
    client_a.cookies["django_language"] = "sv"
    page = shown(client_a, partnership)
    assert 'lang="sv"' in page and "No contributions recorded yet." not in page


def test_a_kept_page_is_still_refused_to_another_affiliate_and_to_the_anonymous(
    client_a: Client, client_b: Client, partnership: Any
) -> None:
    shown(client_a, partnership)
    assert client_b.get(page_url(partnership)).status_code == 404
    anonymous = Client().get(page_url(partnership))
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def with_the_visit(response: Any, template: str) -> str:
    """Return the partial drawn as the page's own template would draw it: with the visit's
    whole context and its request (the person, a CSRF token, the context processors)."""
    context = next(c for c in response.context if "kept_html" in c).flatten()
    drawn = render_to_string(template, context, request=response.wsgi_request)
    return drawn.removesuffix("\n")


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_the_parts_drawn_from_kept_reads_are_what_the_visit_would_draw(
    affiliate_a: Any, member_a: Any, partnership: Any, role: str
) -> None:
    """The activities, money and timeline are drawn without the request and kept: drawn with
    it, they come out the same, for a person who may edit and one who may not."""
    organisation = partnership.partners.get().organisation
    factories.interaction(organisation, actor=member_a, summary="Visited the storerooms")
    services.advance_stage(
        actor=member_a, partnership=partnership, to_stage=Stage.FIRST_CONTACT, reason="Call"
    )
    factories.document(partnership, actor=member_a, name="concept-note.pdf")
    scan_a_thon(member_a, partnership)
    activities.add_contribution(
        actor=member_a,
        partnership=partnership,
        kind="financial",
        received_on=dt.date(2026, 10, 1),
        amount="1250.00",
        currency="EUR",
        organisation=organisation,
    )
    tasks.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Send the draft agreement",
        partnership=partnership,
        due_on=dt.date(2026, 1, 5),
    )
    client = Client()
    client.force_login(member_a if role == "member" else factories.member(affiliate_a, role=role))
    for _visit in ("first", "kept"):
        response = client.get(page_url(partnership))
        page = response.content.decode()
        for name in ("activities_money", "timeline"):
            expected = with_the_visit(response, f"partnerships/_page_{name}.html")
            assert expected and expected in page
        assert ("Add activity" in page) is (role == "member")


def test_a_viewer_after_a_member_and_a_member_after_a_viewer_each_see_their_own_page(
    client_a: Client, viewer_a: Any, partnership: Any
) -> None:
    viewer = Client()
    viewer.force_login(viewer_a)
    assert "Add activity" in shown(client_a, partnership)
    assert "Add activity" not in shown(viewer, partnership)
    assert "Record contribution" in shown(client_a, partnership)
    assert "Record contribution" not in shown(viewer, partnership)
