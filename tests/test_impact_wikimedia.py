"""The impact refresh through the real hub.wikimedia clients, on replies served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from hub.impact import services
from hub.impact.models import ContentLink, MetricPoint, RefreshRun
from hub.impact.refresh import run_refresh
from hub.impact.sources import SourceNotFound, WikimediaSource
from tests import factories
from tests.wikiserver import RecordedServer, Reply

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)
SITEINFO = {
    "batchcomplete": True,
    "query": {
        "general": {"generator": "MediaWiki 1.45.0-wmf.25", "sitename": "Wikimedia Commons"},
        "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True, "rights": ["read"]},
    },
}
FILES = ["File:Skansen 1.jpg", "File:Skansen 2.jpg", "File:Skansen 3.jpg"]


def _serve_commons(server: RecordedServer) -> None:
    server.add("/w/api.php", Reply(SITEINFO), match={"meta": "siteinfo|userinfo"})
    server.add(
        "/w/api.php",
        Reply(
            {
                "query": {
                    "pages": [
                        {
                            "title": "Category:Skansen photographs",
                            "pageid": 7,
                            "categoryinfo": {"size": 3, "pages": 0, "files": 3, "subcats": 0},
                        }
                    ]
                }
            }
        ),
        match={"prop": "categoryinfo"},
    )
    server.add(
        "/w/api.php",
        Reply(
            {
                "query": {
                    "categorymembers": [
                        {
                            "pageid": 10 + n,
                            "ns": 6,
                            "title": title,
                            "type": "file",
                            "timestamp": f"2026-03-0{n + 1}T10:00:00Z",
                        }
                        for n, title in enumerate(FILES)
                    ]
                }
            }
        ),
        match={"list": "categorymembers"},
    )
    server.add(
        "/w/api.php",
        Reply(
            {
                "batchcomplete": True,
                "query": {
                    "pages": [
                        {
                            "pageid": 10,
                            "ns": 6,
                            "title": FILES[0],
                            "globalusage": [
                                {"title": "Skansen", "wiki": "sv.wikipedia.org", "ns": 0},
                                {"title": "Skansen", "wiki": "en.wikipedia.org", "ns": 0},
                            ],
                        },
                        {"pageid": 11, "ns": 6, "title": FILES[1], "globalusage": []},
                        {
                            "pageid": 12,
                            "ns": 6,
                            "title": FILES[2],
                            "globalusage": [
                                {"title": "Skansen", "wiki": "sv.wikipedia.org", "ns": 0}
                            ],
                        },
                    ]
                },
            }
        ),
        match={"prop": "globalusage"},
    )
    for project, views in (("sv.wikipedia", 300), ("en.wikipedia", 100)):
        server.add(
            f"/rest/metrics/pageviews/per-article/{project}/all-access/user/Skansen/monthly/"
            "2026010100/2026123100",
            Reply(
                {
                    "items": [
                        {"timestamp": f"2026{m:02d}0100", "views": views, "article": "Skansen"}
                        for m in range(1, 13)
                    ]
                }
            ),
        )


@time_machine.travel(TODAY, tick=False)
def test_category_is_checked_and_counted_through_the_real_clients(
    wiki_server: RecordedServer, settings: Any, affiliate_a: Any, member_a: Any
) -> None:
    settings.HUB_IMPACT_SOURCE = "hub.impact.sources.WikimediaSource"
    settings.HUB_IMPACT_COMMONS_URL = wiki_server.base_url
    settings.HUB_IMPACT_REST_URL = wiki_server.url("/rest")
    settings.HUB_IMPACT_CIM_CATEGORIES = ["Some other category"]
    _serve_commons(wiki_server)
    partnership = factories.partnership(affiliate_a, actor=member_a)

    link = services.add_content_link(
        actor=member_a,
        partnership=partnership,
        kind="commons_category",
        target="Category:Skansen_photographs",
    )
    assert link.status == ContentLink.Status.VERIFIED
    assert link.size_seen == 3
    run = services.request_refresh(actor=member_a, link=link)
    source = WikimediaSource()
    before = len(wiki_server.seen)
    run_refresh(run_id=run.pk, source=source)

    run.refresh_from_db()
    assert run.status == RefreshRun.Status.DONE, run.error
    figures = {
        (p.metric, p.month.isoformat()[:7]): p.value for p in MetricPoint.objects.filter(link=link)
    }
    assert figures[("files", "2027-01")] == 3
    assert figures[("files_in_use", "2027-01")] == 2
    assert figures[("pages_using", "2027-01")] == 2
    assert figures[("wikis_using", "2027-01")] == 2
    assert figures[("views", "2026-06")] == 400
    assert figures[("uploads", "2026-03")] == 3
    # siteinfo, categoryinfo, members, one globalusage batch, two pageviews requests
    assert run.requests == source.requests == 6
    background = [s for s in wiki_server.seen[before:] if s.path == "/w/api.php"]
    assert background and all(s.query.get("maxlag") == "5" for s in background)


def test_wiki_on_a_private_address_is_refused_unless_configured(
    settings: Any, affiliate_a: Any, member_a: Any
) -> None:
    settings.HUB_IMPACT_SOURCE = "hub.impact.sources.WikimediaSource"
    settings.HUB_ALLOWED_PRIVATE_WIKIS = []
    partnership = factories.partnership(affiliate_a, actor=member_a)

    for address in ("http://127.0.0.1:9", "http://10.1.2.3", "http://[::1]:8080"):
        with pytest.raises(services.ValidationError) as caught:
            services.add_content_link(
                actor=member_a,
                partnership=partnership,
                kind="articles",
                items_text="Skansen",
                wiki_url=address,
            )
        assert "wiki_url" in caught.value.message_dict, address
    assert not ContentLink.objects.exists()


def test_unreachable_wiki_through_the_real_client_saves_an_unverified_link(
    wiki_server: RecordedServer, settings: Any, affiliate_a: Any, member_a: Any
) -> None:
    settings.HUB_IMPACT_SOURCE = "hub.impact.sources.WikimediaSource"
    wiki_server.add("/w/api.php", Reply({"error": "down"}, status=503))
    wiki_server.add("/api.php", Reply({"error": "down"}, status=503))
    partnership = factories.partnership(affiliate_a, actor=member_a)

    link = services.add_content_link(
        actor=member_a,
        partnership=partnership,
        kind="articles",
        items_text="Skansen",
        wiki_url=wiki_server.base_url,
    )

    assert link.status == ContentLink.Status.UNVERIFIED
    assert "could not be reached" in link.status_reason


CIM = "/rest/metrics/commons-analytics"
MUSEUM = "Media_contributed_by_the_Example_Museum"


def _snapshot(month: int, *, deep: bool = True) -> dict[str, Any]:
    """Return a snapshot row (SYNTHETIC: numbers invented, fields as the API names them)."""
    shallow = {"media-file-count": 120, "used-media-file-count": 40}
    shallow |= {"leveraging-wiki-count": 5, "leveraging-page-count": 60}
    row: dict[str, Any] = {"category": MUSEUM, "timestamp": f"2026-{month:02d}-01T00:00:00Z"}
    for key, value in shallow.items():
        row[key] = value
        row[f"{key}-deep"] = value + 30 if deep else 0
    return row


def _serve_cim(server: RecordedServer, *, deep: bool = True) -> None:
    """Serve December 2026 not published yet, no uploads at all, views in October only."""
    server.add(
        f"{CIM}/category-metrics-snapshot/{MUSEUM}/20261001/20270101",
        Reply({"items": [_snapshot(10, deep=deep), _snapshot(11, deep=deep)]}),
    )
    server.add(
        f"{CIM}/pageviews-per-category-monthly/{MUSEUM}/deep/all-wikis/20261001/20270101",
        Reply({"items": [{"timestamp": "2026-10-01T00:00:00Z", "pageview-count": 900}]}),
    )
    server.add(
        f"{CIM}/edits-per-category-monthly/{MUSEUM}/deep/create/20261001/20270101",
        Reply({"title": "Not found."}, status=404),
    )
    server.add(
        f"{CIM}/top-pages-per-category-monthly/{MUSEUM}/deep/all-wikis/2026/11",
        Reply(
            {
                "items": [
                    {
                        "wiki": "all-wikis",
                        "page-wiki": "sv.wikipedia",
                        "page-title": "Exempelmuseet",
                        "pageview-count": 700,
                        "rank": 1,
                    }
                ]
            }
        ),
    )
    server.add(
        f"{CIM}/top-wikis-per-category-monthly/{MUSEUM}/deep/2026/11",
        Reply({"items": [{"wiki": "sv.wikipedia", "pageview-count": 700, "rank": 1}]}),
    )


def test_commons_impact_metrics_404s_mean_no_rows_and_not_published_yet(
    wiki_server: RecordedServer, settings: Any
) -> None:
    settings.HUB_IMPACT_REST_URL = wiki_server.url("/rest")
    _serve_cim(wiki_server)

    cim = WikimediaSource().cim_category(
        "Media contributed by the Example Museum", dt.date(2026, 10, 1), dt.date(2026, 12, 1)
    )

    # October and November are published: November has no view row, a measured 0.
    # December is not published yet: no figure at all, not a zero.
    assert cim.views == {"2026-10": 900, "2026-11": 0}
    assert cim.uploads == {}
    assert cim.as_of == "2026-11"
    assert (cim.files, cim.files_deep, cim.files_in_use) == (120, 150, 70)
    # Each top page keeps its own wiki, named as GlobalUsage names it.
    assert cim.top_pages == [("sv.wikipedia.org", "Exempelmuseet", 700)]
    assert cim.wikis_using == {"sv.wikipedia.org": 700}


def test_a_subcategory_is_counted_live_not_read_as_its_tree(
    wiki_server: RecordedServer, settings: Any
) -> None:
    settings.HUB_IMPACT_REST_URL = wiki_server.url("/rest")
    _serve_cim(wiki_server, deep=False)

    with pytest.raises(SourceNotFound) as caught:
        WikimediaSource().cim_category(
            "Media contributed by the Example Museum", dt.date(2026, 10, 1), dt.date(2026, 12, 1)
        )
    assert "subcategory" in caught.value.message


def test_commons_impact_metrics_without_any_recent_snapshot_are_not_covered(
    wiki_server: RecordedServer, settings: Any
) -> None:
    settings.HUB_IMPACT_REST_URL = wiki_server.url("/rest")
    wiki_server.add(
        f"{CIM}/category-metrics-snapshot/Not_allow_listed/20261001/20270101",
        Reply({"title": "Not found."}, status=404),
    )
    with pytest.raises(SourceNotFound):
        WikimediaSource().cim_category(
            "Not allow listed", dt.date(2026, 12, 1), dt.date(2026, 12, 1)
        )
    # One request: the snapshot range covers the recent months at once.
    assert len(wiki_server.seen) == 1
