"""Partnership pages as a member, a viewer, another affiliate's member and a visitor see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.partnerships.models import AffiliateGoal, ChecklistPoint, Partnership, Stage, StageChange
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": "alpha", **kwargs})


def create_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "WikiGap at the embassy",
        "summary": "A WikiGap edit-a-thon.",
        "goals": ["content", "advocacy"],
        "contribution_types": ["contributors", "awareness"],
        "structure": "complex",
        "scope": "external",
        "initiative": "partner",
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
        "outcome_clarity": "clear",
        "visibility": "private",
        "languages": "sv, en",
    }
    data.update(overrides)
    return data


@pytest.fixture
def viewer_client(viewer_a: Any) -> Client:
    client = Client()
    client.force_login(viewer_a)
    return client


def test_member_creates_a_partnership_with_two_partners_in_different_roles(
    client_a, affiliate_a, member_a
):
    embassy = factories.organisation(affiliate_a, name="Embassy of Sweden", partner_type="embassy")
    library = factories.organisation(affiliate_a, name="National Library", partner_type="library")
    page = client_a.get(url("partnership_create")).content.decode()
    # Partners are found by searching (see test_organisation_picker.py), not listed.
    assert 'name="partner_0_q"' in page and 'name="partner_1_q"' in page
    response = client_a.post(
        url("partnership_create"),
        create_data(
            partner_0=str(embassy.pk),
            role_0="main",
            partner_1=str(library.pk),
            role_1="venue_host",
            responsible=[str(member_a.pk)],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    p = Partnership.objects.get(affiliate=affiliate_a)
    assert sorted(p.partners.values_list("organisation__name", "role")) == [
        ("Embassy of Sweden", "main"),
        ("National Library", "venue_host"),
    ]
    assert (p.goal_content, p.goal_advocacy, p.gives_awareness) == (True, True, True)
    assert list(p.responsible.all()) == [member_a]
    detail = client_a.get(response["Location"]).content.decode()
    for text in (
        "WikiGap at the embassy",
        "Embassy of Sweden",
        "Venue host",
        "Agreement checklist",
        "Timeline",
        "created the partnership",
        "Move on to First contact",
    ):
        assert text in detail


def test_create_form_preselects_the_organisation_it_came_from(client_a, affiliate_a):
    org = factories.organisation(affiliate_a, name="Museo")
    page = client_a.get(url("partnership_create") + f"?organisation={org.pk}").content.decode()
    assert f'<input type="radio" name="partner_0" value="{org.pk}" checked> Museo' in page


def test_end_before_start_is_explained_and_nothing_is_saved(client_a, affiliate_a):
    org = factories.organisation(affiliate_a)
    response = client_a.post(
        url("partnership_create"),
        create_data(
            partner_0=str(org.pk), role_0="main", start_date="2026-05-01", end_date="2026-04-01"
        ),
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not Partnership.objects.exists()


def test_create_without_a_partner_asks_for_one(client_a, affiliate_a):
    factories.organisation(affiliate_a)
    response = client_a.post(url("partnership_create"), create_data())
    assert response.status_code == 200
    assert "Choose at least one partner organisation" in response.content.decode()
    assert not Partnership.objects.exists()


def test_create_cannot_pick_another_affiliates_organisation(client_a, affiliate_a, affiliate_b):
    foreign = factories.organisation(affiliate_b, name="Foreign")
    response = client_a.post(url("partnership_create"), create_data(partner_0=str(foreign.pk)))
    assert response.status_code == 200
    assert not Partnership.objects.exists()


def test_edit_changes_fields_and_keeps_a_record(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, title="Before", goals=["funding"])
    page = client_a.get(url("partnership_edit", pk=p.pk)).content.decode()
    assert 'value="funding" checked' in page or 'value="funding"\n' in page or "checked" in page
    response = client_a.post(url("partnership_edit", pk=p.pk), create_data(title="After"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.title == "After" and p.goal_funding is False and p.goal_content is True
    assert AuditEvent.objects.filter(action="partnership.updated", target_id=p.pk).exists()


def test_partners_page_changes_roles(client_a, affiliate_a, member_a):
    a = factories.organisation(affiliate_a, name="A")
    b = factories.organisation(affiliate_a, name="B")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(a, "main")])
    assert client_a.get(url("partnership_partners", pk=p.pk)).status_code == 200
    response = client_a.post(
        url("partnership_partners", pk=p.pk),
        {"partner_0": str(a.pk), "role_0": "funder", "partner_1": str(b.pk), "role_1": "main"},
    )
    assert response.status_code == 302
    assert sorted(p.partners.values_list("organisation__name", "role")) == [
        ("A", "funder"),
        ("B", "main"),
    ]
    response = client_a.post(url("partnership_partners", pk=p.pk), {"partner_0": ""})
    assert response.status_code == 200
    assert p.partners.count() == 2


def test_stage_buttons_move_one_step(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "first_contact"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.FIRST_CONTACT


def test_stage_jump_without_override_is_refused_with_the_guards_words(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = client_a.post(
        url("partnership_stage", pk=p.pk), {"to_stage": "active", "reason": "Hurry"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A partnership moves one stage at a time" in page
    assert "tick “override” and say why" in page
    p.refresh_from_db()
    assert p.stage == Stage.IDEA
    assert StageChange.objects.filter(partnership=p).count() == 1


def test_active_is_blocked_by_the_checklist_then_passes_once_reviewed(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    response = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "active"})
    assert response.status_code == 200
    assert "every point of the agreement checklist is agreed" in response.content.decode()
    checklist = {f"{point}_status": "agreed" for point in ChecklistPoint.values}
    checklist["money_status"] = "not_applicable"
    checklist["licences_text"] = "CC BY-SA 4.0 for all photos"
    checklist["signed_on"] = "2026-02-01"
    checklist["expires_on"] = "2027-02-01"
    assert client_a.post(url("partnership_agreement", pk=p.pk), checklist).status_code == 302
    response = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "active"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.stage, p.agreement_signed_on) == (Stage.ACTIVE, dt.date(2026, 2, 1))
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert "CC BY-SA 4.0 for all photos" in page


def test_override_with_a_reason_passes_the_guard(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    response = client_a.post(
        url("partnership_stage", pk=p.pk),
        {"to_stage": "active", "override": "on", "reason": "Signed on paper last week."},
    )
    assert response.status_code == 302
    change = StageChange.objects.filter(partnership=p).first()
    assert change is not None and change.overridden and change.to_stage == "active"


def test_ending_asks_for_exit_notes(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = client_a.post(url("partnership_stage", pk=p.pk), {"to_stage": "ended"})
    assert response.status_code == 200
    assert "write exit notes" in response.content.decode()
    response = client_a.post(
        url("partnership_stage", pk=p.pk),
        {"to_stage": "ended", "exit_notes": "No budget this year."},
    )
    assert response.status_code == 302
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert "No budget this year." in page and "Reopen at Idea" in page


def test_agreement_expiring_before_signing_is_explained_and_nothing_saved(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a)
    data = {f"{point}_status": "agreed" for point in ChecklistPoint.values}
    data.update(
        signed_on="2026-05-01", expires_on="2026-01-01", licences_text="Licence agreed <here>"
    )
    response = client_a.post(url("partnership_agreement", pk=p.pk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert not p.agreement_points.filter(status="agreed").exists()
    # The error stands next to the date it is about, and the date input points to it.
    expires = _field_html(page, "id_expires_on")
    assert "cannot expire before it was signed" in expires
    assert 'aria-invalid="true"' in expires and 'aria-describedby="id_expires_on_error"' in expires
    assert "cannot expire" not in _field_html(page, "id_signed_on")
    # What was typed stays in the form, to be corrected rather than typed again.
    assert 'value="2026-05-01"' in _field_html(page, "id_signed_on")
    assert '<option value="agreed" selected>' in _field_html(page, "id_money_status")
    assert "Licence agreed &lt;here&gt;</textarea>" in _field_html(page, "id_licences_text")


def _field_html(page: str, input_id: str) -> str:
    """Return the markup of the form field (label, errors, input) whose input has this id."""
    at = page.index(f' id="{input_id}"')
    start = page.rindex('<div class="field">', 0, at)
    return page[start : page.index("</div>", at)]


def test_a_refused_upload_shows_the_error_at_the_file_and_keeps_the_kind(
    client_a, affiliate_a, member_a
):
    p = factories.partnership(affiliate_a, actor=member_a)
    response = client_a.post(url("document_upload", pk=p.pk), {"kind": "report"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in _field_html(page, "id_file")
    assert '<option value="report" selected>' in _field_html(page, "id_kind")
    assert not p.documents.exists()


def test_an_unknown_checklist_status_is_refused(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    data = {f"{point}_status": "agreed" for point in ChecklistPoint.values}
    data["money_status"] = "maybe"
    assert client_a.post(url("partnership_agreement", pk=p.pk), data).status_code == 200
    assert not p.agreement_points.filter(status="agreed").exists()


def test_viewer_reads_but_cannot_change(viewer_client, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, title="Seen, not touched")
    page = viewer_client.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert "Seen, not touched" in page
    assert "Move on to" not in page and "Save the checklist" not in page and ">Edit<" not in page
    assert viewer_client.get(url("partnership_list")).status_code == 200
    for name, data in [
        ("partnership_stage", {"to_stage": "first_contact"}),
        ("partnership_agreement", {}),
        ("partnership_edit", create_data()),
        ("partnership_archive", {}),
    ]:
        assert viewer_client.post(url(name, pk=p.pk), data).status_code == 403
    assert viewer_client.get(url("partnership_create")).status_code == 403
    p.refresh_from_db()
    assert p.stage == Stage.IDEA and p.archived_at is None


def test_another_affiliates_partnership_is_404_everywhere(client_b, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, title="Alpha only")
    for slug in ("alpha", "beta"):
        for name in ("partnership_detail", "partnership_edit", "partnership_partners"):
            response = client_b.get(
                reverse(f"partnerships:{name}", kwargs={"slug": slug, "pk": p.pk})
            )
            assert response.status_code == 404
            assert b"Alpha only" not in response.content
        response = client_b.post(
            reverse("partnerships:partnership_stage", kwargs={"slug": slug, "pk": p.pk}),
            {"to_stage": "first_contact"},
        )
        assert response.status_code == 404
    p.refresh_from_db()
    assert p.stage == Stage.IDEA


def test_list_shows_partners_and_tells_what_to_do_when_empty(client_a, affiliate_a, member_a):
    page = client_a.get(url("partnership_list")).content.decode()
    assert "No partnerships yet" in page and "Start a partnership" in page
    org = factories.organisation(affiliate_a, name="Biblioteca")
    factories.partnership(affiliate_a, actor=member_a, title="Scans", partners=[(org, "main")])
    page = client_a.get(url("partnership_list")).content.decode()
    assert "Scans" in page and "Biblioteca" in page and "1 partnership" in page
    other = factories.organisation(affiliate_a, name="Archive <b>of</b> Maps")
    p = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Maps <script>",
        visibility="published",
        partners=[(org, "main"), (other, "funder")],
    )
    page = client_a.get(url("partnership_list")).content.decode()
    detail = url("partnership_detail", pk=p.pk)
    assert f'<a href="{detail}"><bdi>Maps &lt;script&gt;</bdi></a>' in page
    assert "Biblioteca, Archive &lt;b&gt;of&lt;/b&gt; Maps" in page
    assert '<span class="badge">published</span>' in page and "<script>" not in page
    page = client_a.get(url("partnership_list") + "?q=zzz").content.decode()
    assert "No partnership matches" in page


def test_list_page_stays_within_a_few_queries(
    client_a, affiliate_a, member_a, django_assert_max_num_queries
):
    orgs = [factories.organisation(affiliate_a) for _ in range(3)]
    for n in range(20):
        factories.partnership(affiliate_a, partners=[(orgs[n % 3], "main")])
    # The session, the user and the membership; the filter's people; the count, the page and
    # the partners' names.
    with django_assert_max_num_queries(7):
        response = client_a.get(url("partnership_list") + "?type=other&sort=title")
    assert response.status_code == 200


def test_detail_page_stays_within_a_few_queries(
    client_a, affiliate_a, member_a, django_assert_max_num_queries
):
    orgs = [factories.organisation(affiliate_a) for _ in range(3)]
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(o, "main") for o in orgs])
    for org in orgs:
        factories.interaction(org, actor=member_a)
    from hub.partnerships.activities import services as activities
    from hub.partnerships.todo import services as todo

    for n in range(5):
        activities.create_activity(
            actor=member_a,
            partnership=p,
            partners=orgs,
            kind="editathon",
            title=f"Edit-a-thon {n}",
            starts_on=factories.dt.date(2026, 1, n + 1),
        )
        todo.create_task(actor=member_a, affiliate=affiliate_a, title=f"Task {n}", partnership=p)
        _impact_link(p, n)
    # The session, the user and the membership; the page's twelve reads (its selector's test
    # names them), which the activities, money and tasks sections reuse; the strategic
    # definition; the impact section's links and their figures; the uploads section's batches;
    # the library's case study; the surveys section's two (invited and answered, satisfaction);
    # the activities' counted outputs (one query for all, hub.events).
    # The count does not grow with partners, activities, tasks or content links and their
    # figures.
    with django_assert_max_num_queries(23):
        response = client_a.get(url("partnership_detail", pk=p.pk))
    assert response.status_code == 200


def _impact_link(partnership: Any, n: int) -> None:
    """Give the partnership a content link with a year of stored figures, as a refresh would."""
    from hub.impact.models import ContentLink, MetricPoint

    link = ContentLink.objects.create(
        affiliate=partnership.affiliate,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        wiki_url="https://commons.wikimedia.org",
        target=f"Images {n}",
        status=ContentLink.Status.VERIFIED,
    )
    MetricPoint.objects.bulk_create(
        MetricPoint(
            link=link,
            metric="views",
            month=factories.dt.date(2026, m, 1),
            value=10,
            source="pageviews-api",
            fetched_at=factories.dt.datetime(2027, 1, 2, tzinfo=factories.dt.UTC),
        )
        for m in range(1, 13)
    )


def test_detail_page_shows_the_impact_section(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    _impact_link(p, 1)

    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()

    assert 'id="impact-h"' in page
    assert "1 piece of content linked." in page
    assert reverse("impact:partnership_impact", kwargs={"slug": "alpha", "pk": p.pk}) in page
    assert reverse("impact:affiliate_report", kwargs={"slug": "alpha"}) in page  # the nav


def test_timeline_shows_more_on_the_next_page(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    from hub.partnerships import services

    for n in range(40):
        services.update_partnership(actor=member_a, partnership=p, summary=f"Draft {n}")
    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    assert "Show more" in page
    second = client_a.get(url("partnership_detail", pk=p.pk) + "?page=2").content.decode()
    assert "Newer" in second
    assert client_a.get(url("partnership_detail", pk=p.pk) + "?page=abc").status_code == 200


def test_organisation_page_lists_its_partnerships(client_a, affiliate_a, member_a):
    org = factories.organisation(affiliate_a, name="Archivo")
    factories.partnership(
        affiliate_a, actor=member_a, title="Maps upload", partners=[(org, "funder")]
    )
    page = client_a.get(
        reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": org.pk})
    ).content.decode()
    assert "Maps upload" in page and "Funder" in page
    assert f"?organisation={org.pk}" in page


def test_main_goals_page_is_for_managers(client_a, affiliate_a):
    manager = factories.member(affiliate_a, username="mona", role="manager")
    client = Client()
    client.force_login(manager)
    assert client_a.get(url("main_goals")).status_code == 403
    assert client.post(url("main_goals"), {"name": "Open heritage"}).status_code == 302
    goal = AffiliateGoal.objects.get(affiliate=affiliate_a)
    assert (
        client.post(url("main_goal_edit", pk=goal.pk), {"name": "Open public heritage"}).status_code
        == 302
    )
    goal.refresh_from_db()
    assert goal.name == "Open public heritage"
    response = client.post(url("main_goals"), {"name": "open public heritage"})
    assert response.status_code == 200
    assert "already has a goal" in response.content.decode()
    assert client_a.post(url("main_goal_edit", pk=goal.pk), {"remove": "1"}).status_code == 403
    assert client.post(url("main_goal_edit", pk=goal.pk), {"remove": "1"}).status_code == 302
    assert not AffiliateGoal.objects.exists()


def test_archive_hides_from_the_list_and_restore_brings_back(client_a, affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, title="Hide me")
    assert client_a.post(url("partnership_archive", pk=p.pk)).status_code == 302
    assert "Hide me" not in client_a.get(url("partnership_list")).content.decode()
    assert "Hide me" in client_a.get(url("partnership_list") + "?archived=1").content.decode()
    client_a.post(url("partnership_archive", pk=p.pk), {"restore": "1"})
    assert "Hide me" in client_a.get(url("partnership_list")).content.decode()


def test_nav_links_to_partnerships(client_a):
    page = client_a.get(reverse("partners:my_work", kwargs={"slug": "alpha"})).content.decode()
    assert url("partnership_list") in page


def test_timeline_shows_every_kind_of_entry_escaped(client_a, affiliate_a, member_a):
    from decimal import Decimal

    from hub.partnerships import services
    from hub.partnerships.activities import services as activities
    from hub.partnerships.todo import services as todo

    org = factories.organisation(affiliate_a, name="Museum <b>of</b> Maps")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(org, "main")])
    factories.interaction(org, actor=member_a, summary="Talked <script>x</script> about scans.")
    activities.create_activity(
        actor=member_a,
        partnership=p,
        kind="editathon",
        title="WikiGap <i>2026</i>",
        starts_on=dt.date(2026, 3, 8),
        participants=1,
        articles_created=12,
    )
    activities.add_contribution(
        actor=member_a,
        partnership=p,
        organisation=org,
        kind="in_kind",
        in_kind_type="venue",
        received_on=dt.date(2026, 3, 8),
        amount=Decimal("1500.50"),
        currency="EUR",
    )
    todo.create_task(
        actor=member_a,
        affiliate=affiliate_a,
        title="Send the <report>",
        partnership=p,
        assignee=member_a,
        due_on=dt.date(2026, 4, 1),
    )
    factories.document(p, actor=member_a, name="signed.pdf")
    services.update_partnership(actor=member_a, partnership=p, summary="Now with <maps>")

    page = client_a.get(url("partnership_detail", pk=p.pk)).content.decode()
    timeline = page[page.index('id="timeline-h"') :]

    assert "Started at the stage Idea" in timeline
    org_url = reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": org.pk})
    assert f'with <a href="{org_url}">Museum &lt;b&gt;of&lt;/b&gt; Maps</a>' in timeline
    assert "Talked &lt;script&gt;x&lt;/script&gt; about scans." in timeline
    assert "<strong>Edit-a-thon</strong>: WikiGap &lt;i&gt;2026&lt;/i&gt;" in timeline
    assert "Contribution: In kind (Venue) 1500.50 EUR from Museum &lt;b&gt;of&lt;/b&gt; Maps" in (
        timeline
    )
    assert "Task: Send the &lt;report&gt;" in timeline and "due 2026-04-01" in timeline
    assert "Document uploaded: signed.pdf" in timeline
    # An audit event, with what changed.
    assert "What changed" in timeline and "Now with &lt;maps&gt;" in timeline
    assert "<script>" not in page
    # The activities section lists the activity's outputs, in the singular where it is one.
    # Typed by hand (nothing counted them), and marked so.
    typed = '<small class="muted">(typed by hand)</small></li>'
    assert f"<li>1 participant · 12 articles created {typed}" in page
