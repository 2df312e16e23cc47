"""Share links: a partner reads the impact report without an account, until revoked or expired."""

# The fixtures of tests.impact_fixtures are imported, then named again as test parameters.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.impact import services
from hub.impact.models import ContentLink, ShareLink
from tests.impact_fixtures import (
    TODAY,
    impact_url,
    partnership,  # noqa: F401 (a fixture)
    pdf_text,
    refreshed,  # noqa: F401 (a fixture)
    world,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db


def _share_url(client_a: Client, partnership: Any) -> str:
    client_a.post(impact_url("share_create", partnership), {"days": "30"})
    page = client_a.get(impact_url("partnership_impact", partnership)).content.decode()
    match = re.search(r'value="(http://testserver/impact/shared/[^"]+)"', page)
    assert match, "the share link is shown on the impact page"
    return match.group(1).replace("http://testserver", "")


def test_partner_opens_the_report_without_an_account(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    url = _share_url(client_a, partnership)

    response = Client().get(url)

    assert response.status_code == 200
    assert "Your 150 files appear on 60 Wikipedia pages" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"
    assert Client().get(url + "report.pdf").content.startswith(b"%PDF")


def test_revoked_link_is_refused_with_a_clear_page(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    url = _share_url(client_a, partnership)
    share = ShareLink.objects.get()

    client_a.post(impact_url("share_revoke", partnership, share_pk=share.pk))

    response = Client().get(url)
    assert response.status_code == 410
    assert "This link was withdrawn" in response.content.decode()
    assert "150 files" not in response.content.decode()


def test_expired_link_is_refused(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    url = _share_url(client_a, partnership)

    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = Client().get(url)

    assert response.status_code == 410
    assert "This link expired on" in response.content.decode()


def test_forged_or_altered_link_is_refused(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    url = _share_url(client_a, partnership)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = services.signing.dumps({"share": 1}, salt="another salt")

    for bad in (token[:-2] + "xx", forged, "x"):
        response = Client().get(reverse("impact:shared_report", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()


def test_viewer_cannot_create_a_share_link(viewer_a: Any, partnership: Any) -> None:
    client = Client()
    client.force_login(viewer_a)

    assert client.post(impact_url("share_create", partnership), {"days": "30"}).status_code == 403
    assert not ShareLink.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_shared_report_greets_the_partner_and_says_who_sends_it(
    world: dict[str, Any], partnership: Any, member_a: Any
) -> None:
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)

    page = Client().get(reverse("impact:shared_report", kwargs={"token": token}))

    text = page.content.decode()
    assert "Dear Nordic Museum," in text
    assert "Wikimedia Alpha sends you this report" in text


@time_machine.travel(TODAY, tick=False)
def test_the_shared_pdf_greets_the_partner_and_says_who_sends_it(
    world: dict[str, Any], partnership: Any, member_a: Any
) -> None:
    _share, token = services.create_share_link(actor=member_a, partnership=partnership)

    pdf = Client().get(reverse("impact:shared_report_pdf", kwargs={"token": token}))

    text = pdf_text(pdf.content)
    assert text.startswith("Impact report: Nordic Museum images Dear Nordic Museum,"), text[:200]
    assert (
        "Wikimedia Alpha sends you this report of what your content does on Wikimedia projects."
        in text
    )
    # The team's own copy of the report greets nobody.
    client_a = Client()
    client_a.force_login(member_a)
    own = pdf_text(client_a.get(impact_url("partnership_pdf", partnership)).content)
    assert own.startswith("Impact report: Nordic Museum images")
    assert "Dear" not in own and "sends you this report" not in own
