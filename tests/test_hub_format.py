"""The cheap template filters give what Django's slower spellings give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hub.core.templatetags.hub_format import (
    choice_label,
    country_name,
    isodate,
    joined,
    wiki_hosts,
)
from hub.partners.models import Organisation
from tests import factories


@pytest.mark.parametrize("language", ["en", "fr", "uk"])
def test_choice_label_is_get_display_in_every_language(language):
    org = Organisation(partner_type="museum", status="former")
    with translation.override(language):
        assert str(choice_label(org, "partner_type")) == org.get_partner_type_display()
        assert str(choice_label(org, "status")) == org.get_status_display()


def test_choice_label_of_an_unknown_value_is_the_value():
    assert choice_label(Organisation(partner_type="zeppelin"), "partner_type") == "zeppelin"


def test_wiki_hosts_are_the_hosts_each_isolated_and_escaped():
    addresses = ["https://commons.wikimedia.org", "http://127.0.0.1:8080/api.php"]
    shown = "<bdi>commons.wikimedia.org</bdi>, <bdi>127.0.0.1:8080</bdi>"
    assert joined(wiki_hosts(addresses)) == shown
    assert "<b>" not in joined(wiki_hosts(["<b>x"]))


def test_isodate_uses_the_current_time_zone():
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Kolkata"):
        assert isodate(late) == "2026-03-02"
    assert isodate(dt.date(2026, 3, 1)) == "2026-03-01"
    assert isodate(None) == ""


def test_country_name_follows_the_language():
    org = Organisation(country="DE")
    with translation.override("en"):
        assert country_name(org.country) == "Germany" == str(org.country.name)
    with translation.override("fr"):
        assert country_name("DE") == "Allemagne"
    assert country_name(Organisation().country) == ""


@pytest.mark.django_db
def test_list_rows_link_to_their_detail_pages(client_a, affiliate_a):
    org = factories.organisation(
        affiliate_a,
        name="Museo Nacional",
        partner_type="museum",
        country="CL",
        status="active",
        tags=["GLAM"],
    )
    page = client_a.get(reverse("partners:organisation_list", kwargs={"slug": "alpha"}))
    text = page.content.decode()
    detail = reverse("partners:organisation_detail", kwargs={"slug": "alpha", "pk": org.pk})
    assert f'<a href="{detail}"><bdi>Museo Nacional</bdi></a>' in text
    assert "<td>Museum</td>" in text and "<td>Chile</td>" in text and "<td>Active</td>" in text
    assert '<span class="tag"><bdi>GLAM</bdi></span>' in text
    assert f"<td>{timezone.localdate().isoformat()}</td>" in text


@pytest.mark.django_db
def test_navigation_is_each_affiliates_own_and_shows_hub_pages_to_hub_staff(
    client_a, client_b, affiliate_a, affiliate_b
):
    page_a = client_a.get(reverse("partnerships:partnership_list", args=[affiliate_a.slug]))
    page_b = client_b.get(reverse("partnerships:partnership_list", args=[affiliate_b.slug]))
    tasks_a = reverse("partnerships:task_list", args=[affiliate_a.slug])
    tasks_b = reverse("partnerships:task_list", args=[affiliate_b.slug])
    assert tasks_a in page_a.content.decode() and tasks_b not in page_a.content.decode()
    assert tasks_b in page_b.content.decode() and tasks_a not in page_b.content.decode()
    hub_reports = reverse("partnerships:hub_reports")
    assert hub_reports not in page_a.content.decode()
    staff = factories.member(affiliate_a, username="hubby", is_hub_staff=True)
    client_a.force_login(staff)
    page = client_a.get(reverse("partnerships:partnership_list", args=[affiliate_a.slug]))
    assert hub_reports in page.content.decode() and tasks_a in page.content.decode()
    # Outside an affiliate's pages, the menu is the person's own affiliate's, never another's.
    account = client_b.get(reverse("account")).content.decode()
    assert reverse("community:directory") in account
    assert tasks_b in account and tasks_a not in account
