"""Impact reports: the page, its charts, CSV and PDF, affiliate totals, articles counted."""

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

from hub.impact import selectors, services
from hub.impact.models import ContentLink, MetricPoint
from hub.impact.refresh import run_refresh
from tests import factories
from tests.impact_fixtures import (
    TODAY,
    impact_url,
    partnership,  # noqa: F401 (a fixture)
    refreshed,  # noqa: F401 (a fixture)
    world,  # noqa: F401 (a fixture)
)
from tests.impact_source import (
    ARTICLE_REVISIONS,
    CATEGORY,
    PARTNERSHIP_START,
    add_articles,
)

pytestmark = pytest.mark.django_db


# Reports --------------------------------------------------------------------------------------


def test_report_summary_matches_the_stored_figures(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    page = client_a.get(impact_url("partnership_impact", partnership)).content.decode()

    assert (
        "Your 150 files appear on 60 Wikipedia pages in 4 languages. 40 of them are in use." in page
    )
    assert "were seen 72,000 times in 2026." in page
    assert page.count("<svg") >= 3
    assert "Live from the wiki&#x27;s API, fetched" in page or "Live from the wiki's API" in page
    assert "Most viewed pages using the content" in page
    assert "de.wikipedia.org" in page  # ties are listed by wiki, then title


def test_report_charts_are_accessible_svg_with_their_figures(
    refreshed: ContentLink, partnership: Any
) -> None:
    from defusedxml.ElementTree import fromstring

    from hub.impact.reports import charts

    drawn = charts(selectors.partnership_report(partnership.affiliate, partnership))

    assert {"views", "top_pages", "top_wikis"} <= set(drawn)
    views = fromstring(str(drawn["views"]))  # well-formed: a PDF renderer reads it
    svg = views.find("{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("role") == "img"
    assert views.find(".//{http://www.w3.org/2000/svg}polyline") is not None  # months: a line
    assert "<td>6,000</td>" in drawn["views"]  # the figures as a table too
    assert "<rect" in drawn["top_pages"]


def test_report_says_millions_in_words(refreshed: ContentLink, partnership: Any) -> None:
    MetricPoint.objects.filter(link=refreshed, metric="views", month=dt.date(2026, 3, 1)).update(
        value=1_800_000
    )
    report = selectors.partnership_report(partnership.affiliate, partnership)

    from hub.impact.reports import summary

    assert any("1.9 million times in 2026" in s for s in summary(report))


def test_report_page_reads_a_fixed_number_of_queries(
    world: dict[str, Any],
    refreshed: ContentLink,
    client_a: Client,
    partnership: Any,
    member_a: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        link = services.add_content_link(
            actor=member_a, partnership=partnership, kind="wikidata_items", items_text=f"Q{n + 1}"
        )
        run_refresh(run_id=services.request_refresh(actor=member_a, link=link).pk)
    with django_assert_max_num_queries(12):
        response = client_a.get(impact_url("partnership_impact", partnership))
    assert response.status_code == 200


def test_pdf_report_renders(refreshed: ContentLink, client_a: Client, partnership: Any) -> None:
    response = client_a.get(impact_url("partnership_pdf", partnership))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page[^s]", response.content)
    assert len(pages) >= 1


def test_csv_report_lists_figures_with_source_and_month(
    refreshed: ContentLink, client_a: Client, partnership: Any
) -> None:
    response = client_a.get(impact_url("partnership_csv", partnership))

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "Files in use,2027-01,40,Live from the wiki's API" in text
    assert "Views,2026-05,6000" in text


def test_organisation_and_affiliate_reports_add_up_the_partner_links(
    refreshed: ContentLink, client_a: Client, partnership: Any, member_a: Any
) -> None:
    org = partnership.partners.get().organisation
    url = reverse("impact:organisation_report", kwargs={"slug": "alpha", "pk": org.pk})
    page = client_a.get(url).content.decode()
    assert "Your 150 files appear on 60 Wikipedia pages" in page
    affiliate_page = client_a.get(reverse("impact:affiliate_report", kwargs={"slug": "alpha"}))
    assert "Your 150 files appear on 60 Wikipedia pages" in affiliate_page.content.decode()


def _totals(report: Any) -> tuple[Any, ...]:
    return (
        report.files,
        report.files_in_use,
        report.pages_using,
        report.languages,
        report.wikis,
        report.views_year,
        report.views_by_month,
        report.files_in_use_by_month,
        report.top_pages,
        report.top_wikis,
        report.sources,
        report.years,
    )


def test_affiliate_totals_equal_the_links_and_a_rerun_never_double_counts(
    refreshed: ContentLink, partnership: Any, member_a: Any, affiliate_a: Any
) -> None:
    from hub.impact.models import AffiliateMonthTotal

    expected = _totals(selectors.partnership_report(affiliate_a, partnership))
    assert _totals(selectors.affiliate_report(affiliate_a)) == expected
    rows = AffiliateMonthTotal.objects.count()

    with time_machine.travel(TODAY, tick=False):
        run_refresh(run_id=services.request_refresh(actor=member_a, link=refreshed).pk)

    assert AffiliateMonthTotal.objects.count() == rows
    assert _totals(selectors.affiliate_report(affiliate_a)) == expected
    services.remove_content_link(actor=member_a, link=refreshed)
    emptied = selectors.affiliate_report(affiliate_a)
    assert (emptied.files, emptied.views_year, emptied.top_pages) == (
        None,
        None,
        [],
    )  # nothing left to measure: no zeros
    assert not AffiliateMonthTotal.objects.exists()


def test_affiliate_report_reads_a_fixed_number_of_queries(
    world: dict[str, Any],
    refreshed: ContentLink,
    client_a: Client,
    partnership: Any,
    member_a: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(5):
        link = services.add_content_link(
            actor=member_a, partnership=partnership, kind="wikidata_items", items_text=f"Q{n + 1}"
        )
        run_refresh(run_id=services.request_refresh(actor=member_a, link=link).pk)
    with django_assert_max_num_queries(8):
        response = client_a.get(reverse("impact:affiliate_report", kwargs={"slug": "alpha"}))
    assert "Your 150 files appear on 60 Wikipedia pages" in response.content.decode()


def test_section_partial_links_to_the_impact_page(
    refreshed: ContentLink, partnership: Any, rf: Any, affiliate_a: Any
) -> None:
    from django.template.loader import render_to_string

    context = selectors.section_context(partnership)
    html = render_to_string(
        "impact/_section_impact.html", {**context, "current_affiliate": affiliate_a}
    )

    assert impact_url("partnership_impact", partnership) in html
    assert "Files in use: 40." in html


# Articles created and improved ----------------------------------------------------------------


def _refreshed_articles(
    affiliate: Any,
    member: Any,
    revisions: dict[str, list[str]],
    world: dict[str, Any],
    **fields: Any,
) -> ContentLink:
    """Return a list of articles with these revision times, refreshed; fields: its partnership's."""
    titles = add_articles(world, revisions, deleted=1)
    link: ContentLink = factories.articles_link(
        affiliate, titles, member, start_date=PARTNERSHIP_START, **fields
    )
    run_refresh(run_id=services.request_refresh(actor=member, link=link).pk)
    link.refresh_from_db()
    return link


@pytest.fixture
def articles(world: dict[str, Any], affiliate_a: Any, member_a: Any) -> ContentLink:
    """Return a list of articles of a partnership that started on 1 March 2026, refreshed."""
    org = factories.organisation(affiliate_a, actor=member_a, name="Nordiska museet")
    with time_machine.travel(TODAY, tick=False):
        return _refreshed_articles(
            affiliate_a, member_a, ARTICLE_REVISIONS, world, partners=[(org, "main")]
        )


def _text(html: str) -> str:
    """Return the words of a page as a person reads them: no tags, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def test_impact_page_shows_articles_created_and_improved_with_source_and_age(
    articles: ContentLink, member_a: Any
) -> None:
    with time_machine.travel(TODAY + dt.timedelta(days=2), tick=False):
        client = Client()
        client.force_login(member_a)
        page = client.get(impact_url("partnership_impact", articles.partnership)).content.decode()
    text = _text(page)

    assert "2 articles were created and 2 improved since the partnership started." in text
    assert "2 articles created" in text and "2 articles improved" in text
    method = "first and latest revisions of 6 articles, since 2026-03-01"
    assert (
        f"Articles created since the partnership started 2 2027-01 Live from the wiki's API "
        f"{method} 2 days ago" in text
    )
    assert (
        f"Articles improved since the partnership started 2 2027-01 Live from the wiki's API "
        f"{method} 2 days ago" in text
    )


def test_partnership_page_card_shows_the_article_counts(
    articles: ContentLink, member_a: Any
) -> None:
    client = Client()
    client.force_login(member_a)
    url = reverse(
        "partnerships:partnership_detail",
        kwargs={"slug": "alpha", "pk": articles.partnership.pk},
    )
    text = _text(client.get(url).content.decode())
    assert "Articles created since the start: 2; improved: 2." in text


def test_impact_page_says_when_the_budget_cut_the_article_checks(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, client_a: Client, settings: Any
) -> None:
    revisions = {f"Artikel {n:03d}": ["2026-05-01T10:00:00+00:00"] * 2 for n in range(120)}
    settings.HUB_IMPACT_LIVE_REQUEST_BUDGET = 3 + 50

    link = _refreshed_articles(affiliate_a, member_a, revisions, world)

    text = _text(client_a.get(impact_url("partnership_impact", link.partnership)).content.decode())

    assert "50 articles were created and 0 improved since the partnership started." in text
    assert "first 50 of 120 articles edited since 2026-03-01 checked (request budget)" in text


def test_partner_and_affiliate_reports_show_the_article_counts(
    articles: ContentLink, client_a: Client
) -> None:
    org = articles.partnership.partners.get().organisation
    for url in (
        reverse("impact:organisation_report", kwargs={"slug": "alpha", "pk": org.pk}),
        reverse("impact:affiliate_report", kwargs={"slug": "alpha"}),
    ):
        text = _text(client_a.get(url).content.decode())
        assert "2 articles were created and 2 improved since each partnership started." in text
        assert "2 articles created" in text and "2 articles improved" in text
        assert "Where these figures come from: Live from the wiki's API, fetched" in text
    partner_page = _text(
        client_a.get(
            reverse("impact:organisation_report", kwargs={"slug": "alpha", "pk": org.pk})
        ).content.decode()
    )
    assert "Articles improved since the partnership started 2 2027-01" in partner_page


def test_one_article_reads_in_the_singular(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    from hub.impact.reports import summary

    revisions = {"Skansen": ["2026-04-01T10:00:00+00:00", "2026-04-01T10:00:00+00:00"]}
    link = _refreshed_articles(affiliate_a, member_a, revisions, world)

    sentences = summary(selectors.partnership_report(affiliate_a, link.partnership))

    assert "1 article was created and 0 improved since the partnership started." in sentences


def test_csv_lists_the_article_counts_with_source_and_method(
    articles: ContentLink, client_a: Client
) -> None:
    import csv
    import io

    response = client_a.get(impact_url("partnership_csv", articles.partnership))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = {row[2]: row[3:7] for row in rows[1:] if row[1] == str(articles)}
    method = "first and latest revisions of 6 articles, since 2026-03-01"
    for label in (
        "Articles created since the partnership started",
        "Articles improved since the partnership started",
    ):
        assert figures[label] == ["2027-01", "2", "Live from the wiki's API", method]


@time_machine.travel(TODAY, tick=False)
def test_a_report_with_no_figures_yet_shows_no_zero_anywhere(
    world: dict[str, Any], partnership: Any, member_a: Any
) -> None:
    """Nothing measured yet reads "not measured yet" with the next refresh, never as zeros."""
    client_a = Client()
    client_a.force_login(member_a)
    services.add_content_link(
        actor=member_a, partnership=partnership, kind="commons_category", target=CATEGORY
    )

    response = client_a.get(impact_url("partnership_impact", partnership))
    assert response.status_code == 200, response
    page = response.content.decode()
    assert "Not measured yet: the next refresh runs by" in page
    assert "Jan. 16, 2027" in page  # the daily refresh picks a new link up by tomorrow
    assert not re.search(r"<strong>0</strong>", page)

    rows = client_a.get(impact_url("partnership_csv", partnership)).content.decode()
    assert "Not measured yet" in rows
    assert ",Views," not in rows  # not twelve months of zero views

    pdf = client_a.get(impact_url("partnership_pdf", partnership))
    assert pdf.status_code == 200
    report = selectors.partnership_report(partnership.affiliate, partnership)
    assert (report.files, report.views_year, report.wikis) == (None, None, None)
    assert report.views_by_month == [None] * 12
