"""The public showcase: only published partnerships, filters, figures, map, feed and badge."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import defusedxml.ElementTree as ET
import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hub.impact.models import ContentLink, Metric, Source
from hub.impact.refresh import store_points
from hub.library import services as library_services
from hub.library.models import Visibility
from hub.partnerships.activities import services as activities
from tests import factories

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'
ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"


def _published(affiliate: Any, actor: Any, title: str, country: str = "SE", **fields: Any) -> Any:
    partner = factories.organisation(
        affiliate,
        actor=actor,
        name=fields.pop("partner_name", f"Partner of {title}"),
        country=country,
        partner_type=fields.pop("partner_type", "museum"),
    )
    return factories.partnership(
        affiliate,
        actor=actor,
        title=title,
        partners=[(partner, "main")],
        visibility="published",
        **fields,
    )


def _json_ld(page: str) -> str:
    found = re.search(r'application/ld\+json">(.*?)</script>', page, re.S)
    assert found, "the page has no schema.org data"
    return found.group(1)


def _figures(partnership: Any, files: int, views: int) -> None:
    """Store a Commons category's newest figures and this year's views, as a refresh does."""
    now = timezone.now()
    link = ContentLink.objects.create(
        affiliate=partnership.affiliate,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        wiki_url="https://commons.wikimedia.org",
        target="Photographs",
        status=ContentLink.Status.VERIFIED,
    )
    with transaction.atomic():
        store_points(
            link,
            [
                _point(Metric.FILES_DEEP, None, files, Source.LIVE),
                _point(Metric.VIEWS, f"{now.year}-01", views, Source.CIM),
            ],
            now,
        )


def _point(metric: str, month: str | None, value: int, source: str) -> dict[str, Any]:
    return {
        "metric": metric,
        "month": month,
        "value": value,
        "source": source,
        "method": "categorymembers",
        "detail": {},
    }


@pytest.fixture
def shown(affiliate_a: Any, member_a: Any, affiliate_b: Any, member_b: Any) -> dict[str, Any]:
    museum = _published(
        affiliate_a,
        member_a,
        "Photographs of Stockholm",
        summary="Glass plates of the city.",
        goal_content=True,
        start_date=dt.date(2025, 5, 1),
        partner_name="Nordic Museum",
    )
    activities.create_activity(
        actor=member_a,
        partnership=museum,
        kind="media_upload",
        title="Upload of glass plates",
        starts_on=dt.date(2025, 6, 1),
    )
    _figures(museum, files=1240, views=3_100_000)
    ministry = _published(
        affiliate_b,
        member_b,
        "Laws on Wikisource",
        country="CL",
        partner_type="government",
        goal_advocacy=True,
        start_date=dt.date(2026, 2, 1),
    )
    private = factories.partnership(affiliate_a, actor=member_a, title="Private partnership")
    return {"museum": museum, "ministry": ministry, "private": private}


def test_showcase_shows_published_partnerships_to_anyone(shown):
    response = Client().get(reverse("showcase:showcase"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Photographs of Stockholm" in page and "Laws on Wikisource" in page
    assert "Private partnership" not in page
    assert "Nordic Museum" in page


@pytest.mark.parametrize(
    ("params", "shown_title", "hidden_title"),
    [
        ({"country": "CL"}, "Laws on Wikisource", "Photographs of Stockholm"),
        ({"region": "nwe"}, "Photographs of Stockholm", "Laws on Wikisource"),
        ({"partner_type": "government"}, "Laws on Wikisource", "Photographs of Stockholm"),
        ({"goal": "content"}, "Photographs of Stockholm", "Laws on Wikisource"),
        ({"activity_kind": "media_upload"}, "Photographs of Stockholm", "Laws on Wikisource"),
        ({"year": "2026"}, "Laws on Wikisource", "Photographs of Stockholm"),
    ],
)
def test_filters_narrow_the_list(shown, params, shown_title, hidden_title):
    page = Client().get(reverse("showcase:showcase"), params).content.decode()
    listing = page.split('id="list-h"')[1]
    assert shown_title in listing
    assert hidden_title not in listing


def test_unknown_filter_values_are_ignored(shown):
    response = Client().get(reverse("showcase:showcase"), {"country": "XX", "year": "'; drop"})
    assert response.status_code == 200
    assert "Laws on Wikisource" in response.content.decode()


def test_headline_figures_carry_their_source(shown):
    page = Client().get(reverse("showcase:showcase")).content.decode()
    figures = page.split('id="figures-h"')[1].split("</section>")[0]
    assert "<strong>2</strong> Partnerships" in figures
    assert "<strong>2</strong> Partner organisations" in figures
    assert "<strong>1,240</strong> Files with subcategories" in figures
    assert "<strong>3,100,000</strong> Page views in" in figures
    assert "Source: Live from the wiki&#x27;s API" in figures
    assert "Source: Commons Impact Metrics" in figures


def test_map_shades_partner_countries_and_the_table_repeats_them(shown):
    page = Client().get(reverse("showcase:showcase")).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Sweden: 1 partnership" in titles and "Chile: 1 partnership" in titles
    assert '<a href="?country=SE">Sweden</a>' in page


def test_public_page_shows_what_with_whom_and_outcomes(shown):
    museum = shown["museum"]
    response = Client().get(reverse("showcase:partnership", kwargs={"pk": museum.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Photographs of Stockholm", "Nordic Museum", "Upload of glass plates", "1,240"):
        assert text in page
    assert 'property="og:title" content="Photographs of Stockholm"' in page
    assert 'property="og:image"' in page
    data = json.loads(_json_ld(page))
    assert data["@type"] == "Project" and data["name"] == "Photographs of Stockholm"
    badge_url = reverse("showcase:badge", kwargs={"pk": museum.pk})
    assert f"&lt;img src=&quot;http://testserver{badge_url}&quot;" in page


@pytest.mark.parametrize("name", ["showcase:partnership", "showcase:badge"])
def test_private_and_archived_partnerships_answer_404_to_everyone(
    shown, client_a, client_b, member_a, name
):
    from hub.partnerships import services as partnership_services

    partnership_services.archive_partnership(actor=member_a, partnership=shown["museum"])
    for pk in (shown["private"].pk, shown["museum"].pk, 999999):
        url = reverse(name, kwargs={"pk": pk})
        for client in (Client(), client_a, client_b):
            response = client.get(url)
            assert response.status_code == 404, (name, pk)
            assert b"Private partnership" not in response.content


def test_badge_is_a_cacheable_svg_with_the_figures(shown):
    url = reverse("showcase:badge", kwargs={"pk": shown["museum"].pk})
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    root = ET.fromstring(response.content)
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    year = timezone.localdate().year
    assert f"1,240 files on Wikimedia Commons, 3.1 M views in {year}" in text
    again = Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_script_is_shown_escaped_on_pages_map_feed_and_badge(affiliate_a, member_a):
    evil = _published(
        affiliate_a,
        member_a,
        SCRIPT,
        summary=SCRIPT,
        partner_name=SCRIPT,
        start_date=dt.date(2026, 1, 1),
    )
    _figures(evil, files=5, views=10)
    library_services.create_case_study(
        actor=member_a,
        partnership=evil,
        title=SCRIPT,
        what_worked=SCRIPT,
        summary=SCRIPT,
        visibility=Visibility.PUBLIC,
    )
    for url in (
        reverse("showcase:showcase"),
        reverse("showcase:partnership", kwargs={"pk": evil.pk}),
        reverse("showcase:badge", kwargs={"pk": evil.pk}),
        reverse("showcase:feed"),
    ):
        body = Client().get(url).content.decode()
        assert SCRIPT not in body, url
        assert "alert" in body, url  # the text is there, escaped
    page = Client().get(reverse("showcase:partnership", kwargs={"pk": evil.pk})).content.decode()
    data = _json_ld(page)
    assert "<" not in data and json.loads(data)["name"] == SCRIPT


def test_feed_lists_public_case_studies_of_published_partnerships(shown, member_a, member_b):
    library_services.create_case_study(
        actor=member_a,
        partnership=shown["museum"],
        title="How we scanned 10,000 plates",
        what_worked="Volunteers at the museum.",
        visibility=Visibility.PUBLIC,
    )
    library_services.create_case_study(
        actor=member_b,
        partnership=shown["ministry"],
        title="Movement-only story",
        visibility=Visibility.MOVEMENT,
    )
    response = Client().get(reverse("showcase:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["How we scanned 10,000 plates"]
    link = next(root.iter(f"{ATOM}entry")).find(f"{ATOM}link").get("href")
    assert f"/showcase/p/{shown['museum'].pk}/#case-study-" in link
    page = Client().get(reverse("showcase:partnership", kwargs={"pk": shown["museum"].pk}))
    assert b"Volunteers at the museum." in page.content


def test_unpublishing_takes_a_partnership_off_the_showcase_at_once(shown, member_a):
    from hub.partnerships import services as partnership_services

    url = reverse("showcase:showcase")
    assert b"Photographs of Stockholm" in Client().get(url).content
    partnership_services.update_partnership(
        actor=member_a, partnership=shown["museum"], visibility="private"
    )
    assert b"Photographs of Stockholm" not in Client().get(url).content
    page = reverse("showcase:partnership", kwargs={"pk": shown["museum"].pk})
    assert Client().get(page).status_code == 404


def _queries(url: str) -> int:
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return len(captured.captured_queries)


def test_public_pages_read_in_a_fixed_number_of_queries(shown, affiliate_a, member_a):
    page = reverse("showcase:partnership", kwargs={"pk": shown["museum"].pk})
    badge = reverse("showcase:badge", kwargs={"pk": shown["museum"].pk})
    before = {url: _queries(url) for url in (reverse("showcase:showcase"), page, badge)}
    for n in range(4):
        more = _published(affiliate_a, member_a, f"More {n}", country="FR")
        _figures(more, files=n, views=n)
        activities.create_activity(
            actor=member_a,
            partnership=shown["museum"],
            kind="training",
            title=f"Training {n}",
            starts_on=dt.date(2025, 7, 1 + n),
        )
    after = {url: _queries(url) for url in before}
    assert after == before
    # The page reads its case studies only when it has one (the partnership's row says so);
    # its fifth query: which activities have a public event page (hub.events).
    assert before[page] == 5 and before[badge] == 2


def _figures_shown() -> str:
    page = Client().get(reverse("showcase:showcase")).content.decode()
    return page.split('id="figures-h"')[1].split("</section>")[0]


def test_headline_sums_published_partnerships_and_follows_each_change_at_once(
    shown, affiliate_b, member_b
):
    from hub.partnerships import services as partnership_services

    figures = _figures_shown()  # drawn once, so the next draws would come from the cache
    assert "<strong>1,240</strong> Files with subcategories" in figures
    unpublished = factories.partnership(affiliate_b, actor=member_b, title="Not shared")
    _figures(unpublished, files=7000, views=7000)
    later = _published(affiliate_b, member_b, "Maps of Santiago", country="CL")
    _figures(later, files=60, views=900)
    figures = _figures_shown()
    assert "<strong>3</strong> Partnerships" in figures
    assert "<strong>1,300</strong> Files with subcategories" in figures
    assert "<strong>3,100,900</strong> Page views in" in figures
    partnership_services.update_partnership(actor=member_b, partnership=later, visibility="private")
    figures = _figures_shown()
    assert "<strong>1,240</strong> Files with subcategories" in figures
    assert "<strong>3,100,000</strong> Page views in" in figures
    partnership_services.update_partnership(
        actor=member_b, partnership=unpublished, visibility="published"
    )
    figures = _figures_shown()
    assert "<strong>8,240</strong> Files with subcategories" in figures
    assert "<strong>3,107,000</strong> Page views in" in figures
