"""The main navigation keeps the person's affiliate on hub-wide pages; hub staff land usefully."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hub.core.models import Membership
from tests import helpdesk_factories as hd

pytestmark = pytest.mark.django_db


def partnerships_link(slug: str) -> str:
    return f'href="{reverse("partnerships:partnership_list", kwargs={"slug": slug})}"'


@pytest.mark.parametrize(
    "page",
    [
        "community:directory",
        "helpdesk:notifications",
        "account",
        "helpdesk:group_list",
        "community:request_board",
    ],
)
def test_hub_wide_pages_keep_the_menu_of_the_only_affiliate(client_a, page):
    response = client_a.get(reverse(page))
    assert response.status_code == 200
    assert partnerships_link("alpha") in response.content.decode()
    assert "Wikimedia Alpha" in response.content.decode()


def test_member_of_two_affiliates_sees_the_menu_of_the_last_one_used(
    affiliate_a, affiliate_b, member_a
):
    Membership.objects.create(user=member_a, affiliate=affiliate_b, role="member")
    client = Client()
    client.force_login(member_a)
    # Nothing used yet: no affiliate's menu is guessed.
    assert partnerships_link("alpha") not in client.get(reverse("account")).content.decode()
    client.get(reverse("partners:my_work", kwargs={"slug": "beta"}))
    page = client.get(reverse("community:directory")).content.decode()
    assert partnerships_link("beta") in page and partnerships_link("alpha") not in page


def test_other_affiliates_menu_never_shows(client_b, affiliate_a):
    page = client_b.get(reverse("account")).content.decode()
    assert partnerships_link("alpha") not in page and partnerships_link("beta") in page


def test_hub_staff_of_no_affiliate_land_on_the_helpdesk_queue():
    client = Client()
    client.force_login(hd.staff())
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("helpdesk:dashboard")
    assert b"does not belong to an affiliate" not in response.content
