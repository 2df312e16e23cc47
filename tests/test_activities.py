"""Activities and contributions: services, pages, permissions and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.partnerships import selectors
from hub.partnerships.activities import money
from hub.partnerships.activities import selectors as activity_selectors
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Activity, Contribution
from hub.partnerships.todo import selectors as selectors_tasks
from hub.partnerships.todo import services as todo
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Nordic Museum")
    library = factories.organisation(affiliate_a, name="City Library")
    return factories.partnership(
        affiliate_a,
        actor=member_a,
        title="WikiGap",
        partners=[(museum, "main"), (library, "venue_host")],
    )


def _activity(p, **fields):
    fields.setdefault("kind", "editathon")
    fields.setdefault("title", "WikiGap edit-a-thon")
    fields.setdefault("starts_on", dt.date(2026, 3, 8))
    return activities.create_activity(actor=None, partnership=p, **fields)


def _activity_post(**overrides):
    data = {
        "kind": "editathon",
        "title": "WikiGap 2026",
        "starts_on": "2026-03-08",
        "ends_on": "2026-03-08",
        "place": "Stockholm",
        "participants": "40",
        "articles_created": "25",
        "articles_improved": "60",
        "files_uploaded": "0",
        "items_created": "0",
        "items_edited": "0",
        "people_trained": "12",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_create_activity_with_partners_is_audited_on_the_partnership(p, member_a):
    museum = p.partners.get(role="main").organisation
    activity = _activity(p, partners=[museum], articles_created=25, participants=40)
    assert list(activity.partners.all()) == [museum]
    event = AuditEvent.objects.get(action="activity.created")
    assert event.target_id == p.pk and "WikiGap edit-a-thon" in str(event.changes)


def test_activity_partners_must_be_partners_of_the_partnership(p, affiliate_a):
    stranger = factories.organisation(affiliate_a, name="Not in this partnership")
    with pytest.raises(ValidationError) as caught:
        _activity(p, partners=[stranger])
    assert "partners" in caught.value.message_dict
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"ends_on": dt.date(2026, 3, 1)}, "ends_on", "cannot end before it starts"),
        ({"articles_created": -1}, "articles_created", "zero or a positive"),
        ({"files_uploaded": 10_000_001}, "files_uploaded", "more than we can believe"),
        ({"participants": 99_999_999}, "participants", "more than we can believe"),
    ],
)
def test_activity_bad_input_is_refused_with_a_clear_message(p, fields, field, words):
    with pytest.raises(ValidationError) as caught:
        _activity(p, **fields)
    assert words in " ".join(caught.value.message_dict[field])
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action="activity.created").exists()


def test_update_and_delete_activity_record_what_changed(p):
    activity = _activity(p)
    activities.update_activity(actor=None, activity=activity, title="WikiGap day", people_trained=5)
    activity.refresh_from_db()
    assert activity.title == "WikiGap day" and activity.people_trained == 5
    event = AuditEvent.objects.get(action="activity.updated")
    assert event.changes["people_trained"] == [0, 5]
    with pytest.raises(ValidationError):
        activities.update_activity(actor=None, activity=activity, ends_on=dt.date(2020, 1, 1))
    activity.refresh_from_db()
    assert activity.ends_on is None
    activities.delete_activity(actor=None, activity=activity)
    assert not Activity.objects.exists()
    assert AuditEvent.objects.filter(action="activity.deleted", target_id=p.pk).exists()


def test_contribution_rules_for_in_kind_type(p):
    museum = p.partners.get(role="main").organisation
    base = {
        "organisation": museum,
        "received_on": dt.date(2026, 1, 1),
        "amount": Decimal("100"),
        "currency": "EUR",
    }
    with pytest.raises(ValidationError) as caught:
        activities.add_contribution(actor=None, partnership=p, kind="in_kind", **base)
    assert "in_kind_type" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        activities.add_contribution(
            actor=None, partnership=p, kind="financial", in_kind_type="venue", **base
        )
    assert "in_kind_type" in caught.value.message_dict
    c = activities.add_contribution(
        actor=None, partnership=p, kind="in_kind", in_kind_type="venue", **base
    )
    assert c.in_kind_type == "venue"
    assert Contribution.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "currency", "field", "words"),
    [
        ("-5", "EUR", "amount", "cannot be negative"),
        ("100000000001", "EUR", "amount", "100 billion"),
        ("1.005", "EUR", "amount", "two decimals"),
        ("10", "EURO", "currency", "not a currency code we know"),
        ("10", "", "currency", "not a currency code we know"),
    ],
)
def test_contribution_bad_amounts_and_currencies_are_refused(p, amount, currency, field, words):
    museum = p.partners.get(role="main").organisation
    with pytest.raises(ValidationError) as caught:
        activities.add_contribution(
            actor=None,
            partnership=p,
            organisation=museum,
            kind="financial",
            received_on=dt.date(2026, 1, 1),
            amount=Decimal(amount),
            currency=currency,
        )
    assert words in " ".join(caught.value.message_dict[field])
    assert not Contribution.objects.exists()


def test_contribution_must_come_from_a_partner_of_the_partnership(p, affiliate_a, affiliate_b):
    for org in (factories.organisation(affiliate_a), factories.organisation(affiliate_b)):
        with pytest.raises(ValidationError):
            activities.add_contribution(
                actor=None,
                partnership=p,
                organisation=org,
                kind="financial",
                received_on=dt.date(2026, 1, 1),
                amount=Decimal(1),
                currency="EUR",
            )
    assert not Contribution.objects.exists()


def test_member_adds_edits_and_deletes_an_activity_through_the_pages(p, client_a):
    museum = p.partners.get(role="main").organisation
    url = reverse("partnerships:activity_create", kwargs={"slug": "alpha", "pk": p.pk})
    assert client_a.get(url).status_code == 200
    response = client_a.post(url, _activity_post(partners=[museum.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.articles_created == 25 and list(activity.partners.all()) == [museum]
    page = client_a.get(response["Location"]).content.decode()
    assert "WikiGap 2026" in page and "25 articles created" in page
    edit = reverse("partnerships:activity_edit", kwargs={"slug": "alpha", "pk": activity.pk})
    assert client_a.post(edit, _activity_post(title="Renamed")).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Renamed" and not activity.partners.exists()
    delete = reverse("partnerships:activity_delete", kwargs={"slug": "alpha", "pk": activity.pk})
    assert client_a.get(delete).status_code == 200
    assert client_a.post(delete).status_code == 302
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"ends_on": "2026-03-01"}, "cannot end before it starts"),
        ({"articles_created": "-3"}, "zero or a positive number"),
        ({"people_trained": "50000000"}, "more than we can believe"),
        ({"starts_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_activity_form_shows_bad_input_in_plain_words(p, client_a, overrides, words):
    url = reverse("partnerships:activity_create", kwargs={"slug": "alpha", "pk": p.pk})
    response = client_a.post(url, _activity_post(**overrides))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Activity.objects.exists()


def test_activity_form_offers_only_the_partnerships_partners(p, affiliate_a, client_a):
    stranger = factories.organisation(affiliate_a, name="Stranger Org")
    url = reverse("partnerships:activity_create", kwargs={"slug": "alpha", "pk": p.pk})
    page = client_a.get(url).content.decode()
    assert "Nordic Museum" in page and "Stranger Org" not in page
    response = client_a.post(url, _activity_post(partners=[stranger.pk]))
    assert response.status_code == 200
    assert not Activity.objects.exists()


def _contribution_post(org, **overrides):
    data = {
        "kind": "in_kind",
        "in_kind_type": "venue",
        "organisation": str(org.pk),
        "received_on": "2026-03-08",
        "description": "Auditorium for the day",
        "amount": "1500",
        "currency": "sek",
    }
    data.update(overrides)
    return data


def test_member_records_a_contribution_and_sees_it_not_converted_until_a_rate_exists(
    p, affiliate_a, client_a
):
    museum = p.partners.get(role="main").organisation
    url = reverse("partnerships:contribution_create", kwargs={"slug": "alpha", "pk": p.pk})
    assert client_a.get(url).status_code == 200
    response = client_a.post(url, _contribution_post(museum))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Contribution.objects.get().currency == "SEK"
    page = client_a.get(response["Location"]).content.decode()
    assert "not converted — add a rate" in page
    assert "?currency=SEK&amp;year=2026" in page
    activities.set_exchange_rate(
        actor=None, affiliate=affiliate_a, currency="SEK", year=2025, rate=Decimal("0.09")
    )
    page = client_a.get(response["Location"]).content.decode()
    assert "135.00 EUR" in page
    assert "converted with the 2025 rate" in page


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"amount": "-1"}, "cannot be negative"),
        ({"amount": "200000000000"}, "100 billion"),
        ({"amount": "abc"}, "Enter a number"),
        ({"currency": "KRONOR"}, "not a currency code we know"),
        ({"in_kind_type": ""}, "Say what was given in kind"),
        ({"kind": "financial"}, "A financial contribution has no in-kind type"),
        ({"organisation": ""}, "This field is required"),
    ],
)
def test_contribution_form_shows_bad_input_in_plain_words(p, client_a, overrides, words):
    museum = p.partners.get(role="main").organisation
    url = reverse("partnerships:contribution_create", kwargs={"slug": "alpha", "pk": p.pk})
    response = client_a.post(url, _contribution_post(museum, **overrides))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not Contribution.objects.exists()


def test_contribution_edit_and_delete_pages(p, client_a):
    museum = p.partners.get(role="main").organisation
    c = activities.add_contribution(
        actor=None,
        partnership=p,
        organisation=museum,
        kind="financial",
        received_on=dt.date(2026, 1, 1),
        amount=Decimal("10"),
        currency="EUR",
    )
    edit = reverse("partnerships:contribution_edit", kwargs={"slug": "alpha", "pk": c.pk})
    assert client_a.get(edit).status_code == 200
    response = client_a.post(edit, _contribution_post(museum, kind="financial", in_kind_type=""))
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.amount == Decimal("1500") and c.currency == "SEK"
    assert AuditEvent.objects.filter(action="contribution.updated").exists()
    delete = reverse("partnerships:contribution_delete", kwargs={"slug": "alpha", "pk": c.pk})
    assert client_a.get(delete).status_code == 200
    assert client_a.post(delete).status_code == 302
    assert not Contribution.objects.exists()


def test_viewer_reads_activities_but_cannot_change_them(p, viewer_a):
    activity = _activity(p)
    client = Client()
    client.force_login(viewer_a)
    listing = client.get(
        reverse("partnerships:activity_list", kwargs={"slug": "alpha", "pk": p.pk})
    )
    assert listing.status_code == 200 and b"Add activity" not in listing.content
    for name, pk in [
        ("activity_create", p.pk),
        ("activity_edit", activity.pk),
        ("activity_delete", activity.pk),
        ("contribution_create", p.pk),
    ]:
        url = reverse(f"partnerships:{name}", kwargs={"slug": "alpha", "pk": pk})
        assert client.post(url, _activity_post()).status_code == 403
    assert Activity.objects.count() == 1


def test_another_affiliates_activity_answers_404(p, client_b):
    activity = _activity(p)
    for name, pk in [("activity_edit", activity.pk), ("activity_list", p.pk)]:
        assert (
            client_b.get(
                reverse(f"partnerships:{name}", kwargs={"slug": "beta", "pk": pk})
            ).status_code
            == 404
        )


def test_activity_list_is_paginated_with_bounded_queries(
    p, client_a, django_assert_max_num_queries
):
    museum = p.partners.get(role="main").organisation
    Activity.objects.bulk_create(
        Activity(partnership=p, kind="meeting", title=f"Meeting {i}", starts_on=dt.date(2026, 1, 1))
        for i in range(60)
    )
    for a in Activity.objects.all()[:30]:
        a.partners.add(museum)
    url = reverse("partnerships:activity_list", kwargs={"slug": "alpha", "pk": p.pk})
    # 11: the page's counted outputs (one query for its activities) and, as it holds 50 of 60,
    # the outputs summed by the database (counted ones, then the typed ones of the rest).
    with django_assert_max_num_queries(11):
        response = client_a.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Meeting ") == 50
    assert "Page 1 of 2" in response.content.decode()


def test_contribution_list_has_bounded_queries(p, client_a, django_assert_max_num_queries):
    museum = p.partners.get(role="main").organisation
    Contribution.objects.bulk_create(
        Contribution(
            partnership=p,
            organisation=museum,
            kind="financial",
            received_on=dt.date(2020 + i % 6, 1, 1),
            amount=Decimal(i),
            currency=["EUR", "USD", "SEK"][i % 3],
        )
        for i in range(80)
    )
    url = reverse("partnerships:contribution_list", kwargs={"slug": "alpha", "pk": p.pk})
    with django_assert_max_num_queries(11):
        response = client_a.get(url)
    assert response.status_code == 200


def test_section_context_feeds_the_partnership_page_partials(p, django_assert_max_num_queries):
    museum = p.partners.get(role="main").organisation
    for i in range(8):
        _activity(p, title=f"Session {i}", articles_created=2, partners=[museum])
    activities.add_contribution(
        actor=None,
        partnership=p,
        organisation=museum,
        kind="in_kind",
        in_kind_type="catering",
        received_on=dt.date(2026, 1, 1),
        amount=Decimal("300"),
        currency="EUR",
    )
    page = selectors.partnership_page(p.affiliate, p.pk)
    # The outputs, the rates and the money: the newest activities come with the page.
    with django_assert_max_num_queries(3):
        context = activity_selectors.section_context(page)
    assert [a.title for a in context["latest_activities"]] == [
        a.title for a in Activity.objects.filter(partnership=p).order_by("-starts_on", "-id")[:5]
    ]
    assert context["activity_outputs"]["articles_created"] == 16
    context.update(partnership=p, affiliate=p.affiliate, can_edit=True)
    html = render_to_string("partnerships/_section_activities.html", context)
    assert "All 8 activities" in html and "Add activity" in html
    html = render_to_string("partnerships/_section_money.html", context)
    assert "300.00 EUR" in html and "Record contribution" in html
    context["can_edit"] = False
    assert "Record contribution" not in render_to_string(
        "partnerships/_section_money.html", context
    )


@pytest.mark.parametrize("n", [3, 40])
def test_page_sections_count_what_the_timeline_read_as_the_database_does(p, member_a, n):
    """With few rows the page counts the timeline's rows itself; with more than a timeline
    page holds it asks the database. Either way the figures are the database's."""
    museum = p.partners.get(role="main").organisation
    rates_currency = p.affiliate.reporting_currency
    for i in range(n):
        _activity(
            p,
            kind="media_upload" if i % 3 == 0 else "editathon",
            title=f"Session {i}",
            starts_on=dt.date(2024 + i % 3, 1 + i % 12, 1 + i % 28),
            participants=i,
            articles_created=i % 4,
            files_uploaded=2 * i,
        )
        activities.add_contribution(
            actor=None,
            partnership=p,
            organisation=museum if i % 2 else None,
            kind="financial" if i % 2 else "in_kind",
            in_kind_type="" if i % 2 else "venue",
            received_on=dt.date(2024 + i % 3, 1 + i % 12, 1),
            amount=Decimal(10 + i),
            currency=[rates_currency, "SEK", "USD"][i % 3],
        )
        todo.create_task(
            actor=member_a,
            affiliate=p.affiliate,
            title=f"Task {i}",
            partnership=p,
            due_on=None if i % 5 == 0 else dt.date(2026, 1 + i % 12, 1 + i % 27),
        )
    page = selectors.partnership_page(p.affiliate, p.pk)
    assert ({"activities", "tasks", "contributions"} <= page.complete) == (n < 31)
    section = activity_selectors.section_context(page)
    from_db = activity_selectors.activity_outputs(Activity.objects.filter(partnership=p))
    assert section["activity_outputs"] == from_db
    assert section["money"] == money.partnership_money(p)
    tasks = selectors_tasks.section_context(page, section["activity_outputs"])
    assert tasks["open_tasks"] == selectors_tasks.open_tasks_of(p)


def test_contribution_kind_radio_has_no_blank_choice(p, client_a):
    page = client_a.get(
        reverse("partnerships:contribution_create", kwargs={"slug": "alpha", "pk": p.pk})
    ).content.decode()
    assert 'name="kind" value="financial"' in page
    assert 'name="kind" value=""' not in page and "---------" not in page.split('name="kind"')[1]
