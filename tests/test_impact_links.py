"""Impact pages: adding content links (and refusing bad ones), removing them, refreshing."""

# The fixtures of tests.impact_fixtures are imported, then named again as test parameters.
# ruff: noqa: F811

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hub.core.models import AuditEvent
from hub.impact import services
from hub.impact.models import ContentLink, MetricPoint, RefreshRun
from hub.impact.refresh import run_refresh
from tests import factories
from tests.impact_fixtures import (
    impact_url,
    partnership,  # noqa: F401 (a fixture)
    refreshed,  # noqa: F401 (a fixture)
    world,  # noqa: F401 (a fixture)
)
from tests.impact_source import (
    CATEGORY,
)

pytestmark = pytest.mark.django_db


def _add(client: Client, partnership: Any, **data: Any) -> Any:
    return client.post(impact_url("link_create", partnership), data)


# Adding links, and bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Category:Images_from_the_Nordic_Museum",
        "category: images from the  Nordic Museum",
        "\u200bImages\u00a0from the Nordic Museum\u200e",
        "https://commons.wikimedia.org/wiki/Category:Images_from_the_Nordic_Museum",
        ":Category:Images%20from%20the%20Nordic%20Museum",
    ],
)
def test_category_name_is_normalised_and_checked_against_the_wiki(
    world: dict[str, Any], client_a: Client, partnership: Any, typed: str
) -> None:
    response = _add(client_a, partnership, kind="commons_category", target=typed, depth=1)

    assert response.status_code == 302
    link = ContentLink.objects.get()
    assert link.target == CATEGORY
    assert link.status == ContentLink.Status.VERIFIED
    assert link.size_seen == 120
    assert link.wiki_url == "https://commons.wikimedia.org"
    assert AuditEvent.objects.filter(action="impact.link_added").count() == 1


def test_unknown_category_is_refused_and_nothing_is_stored(
    world: dict[str, Any], client_a: Client, partnership: Any
) -> None:
    response = _add(client_a, partnership, kind="commons_category", target="Nordic Musuem")

    assert response.status_code == 200
    assert "There is no category “Nordic Musuem” on this wiki" in response.content.decode()
    assert not ContentLink.objects.exists()
    assert not AuditEvent.objects.filter(action="impact.link_added").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "commons_category", "target": "A [b] c"}, "cannot have"),
        ({"kind": "commons_category", "target": "Category:"}, "empty"),
        ({"kind": "wikidata_collection", "target": "Q0042x"}, "is not a Wikidata item id"),
        ({"kind": "wikidata_collection", "target": "Q999999999"}, "There is no Wikidata item"),
        ({"kind": "wikidata_items", "items_text": "Q1\nQ2\nQ999999"}, "do not exist"),
        ({"kind": "articles", "items_text": "Skansen"}, "Give the address"),
        (
            {"kind": "articles", "items_text": "Skansen", "wiki_url": "ftp://sv.wikipedia.org"},
            "is not a wiki address",
        ),
        (
            {"kind": "articles", "items_text": "Skansen", "wiki_url": "https://example.org"},
            "does not answer as a MediaWiki",
        ),
        (
            {"kind": "articles", "items_text": "Skansen", "wiki_url": "http://127.0.0.1:8080"},
            "private or loopback",
        ),
        (
            {
                "kind": "articles",
                "items_text": "Skansen",
                "wiki_url": "https://u:p@sv.wikipedia.org",
            },
            "user name or password",
        ),
        ({"kind": "commons_category", "target": CATEGORY, "depth": "9"}, "5"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    world: dict[str, Any],
    client_a: Client,
    partnership: Any,
    data: dict[str, str],
    message: str,
) -> None:
    world["not_wiki"] = ["https://example.org"]
    world["forbidden"] = ["http://127.0.0.1:8080"]

    response = _add(client_a, partnership, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ContentLink.objects.exists()


def test_unreachable_wiki_saves_the_link_as_unverified_with_the_reason(
    world: dict[str, Any], client_a: Client, partnership: Any
) -> None:
    world["unreachable"] = ["https://sv.wikipedia.org"]

    response = _add(
        client_a,
        partnership,
        kind="articles",
        items_text="Nordiska museet\nSkansen\nskansen",
        wiki_url="sv.wikipedia.org",
    )

    assert response.status_code == 302
    link = ContentLink.objects.get()
    assert link.status == ContentLink.Status.UNVERIFIED
    assert "could not be reached" in link.status_reason
    assert link.items == ["Nordiska museet", "Skansen"]
    page = client_a.get(response["Location"])
    assert "Saved, but not checked" in page.content.decode()


def test_viewer_reads_the_impact_page_but_cannot_add_or_refresh(
    world: dict[str, Any], viewer_a: Any, refreshed: ContentLink, partnership: Any
) -> None:
    client = Client()
    client.force_login(viewer_a)

    page = client.get(impact_url("partnership_impact", partnership))
    assert page.status_code == 200
    assert "Refresh now" not in page.content.decode()
    assert _add(client, partnership, kind="commons_category", target="X").status_code == 403
    refresh = client.post(impact_url("link_refresh", partnership, link_pk=refreshed.pk))
    assert refresh.status_code == 403


def test_other_affiliate_gets_404_for_a_link_through_its_own_partnership(
    world: dict[str, Any], refreshed: ContentLink, affiliate_b: Any, member_b: Any, client_b: Client
) -> None:
    theirs = factories.partnership(affiliate_b, actor=member_b)
    url = reverse(
        "impact:link_remove", kwargs={"slug": "beta", "pk": theirs.pk, "link_pk": refreshed.pk}
    )

    assert client_b.post(url).status_code == 404
    assert ContentLink.objects.filter(pk=refreshed.pk).exists()


def test_removing_a_link_removes_its_figures(
    world: dict[str, Any], client_a: Client, refreshed: ContentLink, partnership: Any
) -> None:
    response = client_a.post(impact_url("link_remove", partnership, link_pk=refreshed.pk))

    assert response.status_code == 302
    assert not ContentLink.objects.exists()
    assert not MetricPoint.objects.exists()


# Refreshing -----------------------------------------------------------------------------------


def test_refresh_button_queues_one_run_and_shows_a_self_refreshing_status_page(
    world: dict[str, Any], client_a: Client, partnership: Any, member_a: Any
) -> None:
    link = services.add_content_link(
        actor=member_a, partnership=partnership, kind="commons_category", target=CATEGORY
    )

    first = client_a.post(impact_url("link_refresh", partnership, link_pk=link.pk))
    second = client_a.post(impact_url("link_refresh", partnership, link_pk=link.pk))

    assert first["Location"] == second["Location"]
    run = RefreshRun.objects.get()
    status = client_a.get(first["Location"])
    assert status.status_code == 200
    assert b'http-equiv="refresh"' in status.content
    run_refresh(run_id=run.pk)
    done = client_a.get(first["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done
    assert "Done" in done


def test_failed_refresh_shows_its_reason_on_the_impact_page(
    world: dict[str, Any], client_a: Client, partnership: Any, member_a: Any
) -> None:
    link = services.add_content_link(
        actor=member_a, partnership=partnership, kind="commons_category", target=CATEGORY
    )
    del world["categories"][CATEGORY]  # deleted from Commons since it was added
    run = services.request_refresh(actor=member_a, link=link)
    run_refresh(run_id=run.pk)

    page = client_a.get(impact_url("partnership_impact", partnership)).content.decode()

    assert "The last refresh failed" in page
    assert "does not exist" in page
