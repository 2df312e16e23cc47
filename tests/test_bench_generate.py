"""The benchmark's data generator (bench/generate.py), at a small size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bench import generate
from hub.core.models import Affiliate, User
from hub.core.regions import region_for_country
from hub.partners import selectors, services
from hub.partners.keys import normalise_email, normalise_name, website_domain
from hub.partners.models import Contact, ContactEmail, Interaction, Organisation
from hub.partnerships.models import Activity, Partnership, Reminder
from hub.partnerships.todo import reminders

pytestmark = pytest.mark.django_db
SMALL = generate.Size(organisations=12, partnerships=5, activities=30)
TODAY = dt.date(2026, 11, 20)


def test_each_affiliate_gets_its_partners_contacts_and_partnerships():
    generate.generate(1, 2, SMALL)

    for slug in ("a001", "a002"):
        affiliate = Affiliate.objects.get(slug=slug)
        assert Organisation.objects.filter(affiliate=affiliate).count() == 12
        assert Contact.objects.filter(affiliate=affiliate).count() == 36
        assert ContactEmail.objects.filter(affiliate=affiliate).count() == 36
        assert Interaction.objects.filter(affiliate=affiliate).count() == 24
        assert Partnership.objects.filter(affiliate=affiliate).count() == 5
        assert Activity.objects.filter(partnership__affiliate=affiliate).count() == 30
        # Every partnership's partners are the affiliate's own organisations.
        partners = Organisation.objects.filter(partnership_roles__partnership__affiliate=affiliate)
        assert set(partners.values_list("affiliate", flat=True)) == {affiliate.pk}


def test_derived_columns_are_what_the_services_build():
    generate.generate(1, 1, SMALL)
    affiliate = Affiliate.objects.get(slug="a001")
    for org in Organisation.objects.filter(affiliate=affiliate):
        assert org.normalised_name == normalise_name(org.name)
        assert org.website_domain == website_domain(org.website)
        assert org.region == region_for_country(org.country.code or "")
        stored = org.search_text
        services.refresh_search_text(org)
        assert stored == org.search_text
        assert org.tags.filter(name="generated").exists()
    for contact in Contact.objects.filter(affiliate=affiliate).select_related("organisation"):
        stored = contact.search_text
        services.refresh_contact_search_text(contact)
        assert stored == contact.search_text
    for key in ContactEmail.objects.select_related("contact"):
        assert key.email == normalise_email(key.contact.main_email)
    first = Contact.objects.filter(affiliate=affiliate).first()
    assert first is not None
    fragment = first.main_email.split("@")[0]
    assert [c.name for c in selectors.contact_list(affiliate, q=fragment)] == [first.name]


def test_the_pages_open_for_a_coordinator_and_reminders_run_once_a_day():
    generate.generate(1, 1, SMALL)
    client = Client()
    client.force_login(User.objects.get(username=generate.coordinator_name("a001")))
    partnership = Partnership.objects.filter(affiliate__slug="a001").first()
    assert partnership is not None
    for url in ("/a/a001/", "/a/a001/organisations/", f"/a/a001/partnerships/{partnership.pk}/"):
        assert client.get(url).status_code == 200

    reminders.generate_reminders(today=TODAY)
    made = Reminder.objects.count()
    assert made > 0
    reminders.generate_reminders(today=TODAY)
    assert Reminder.objects.count() == made
