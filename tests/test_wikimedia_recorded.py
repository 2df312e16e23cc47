"""The clients against recorded real responses (shared/fixtures) and the synthetic CIM ones."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.wikimedia.commons_metrics import CommonsMetricsClient
from hub.wikimedia.errors import NotInCommonsImpactMetrics, WikiMalformedResponse, WikiNotFound
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.pageviews import PageviewsClient, project_host
from hub.wikimedia.titles import capitalizes_first_letter
from hub.wikimedia.wikidata import Entity, MissingEntity, WikidataClient
from tests.wikiserver import RecordedServer, Reply

SYNTHETIC = Path(__file__).parent / "fixtures_synthetic" / "commons_impact_metrics"
SITEINFO = {
    "batchcomplete": True,
    "query": {
        "general": {"generator": "MediaWiki 1.45.0-wmf.25", "sitename": "Wikimedia Commons"},
        "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True, "rights": ["read"]},
    },
}


def load(fixtures_dir: Path, name: str) -> Any:
    return json.loads((fixtures_dir / name).read_text(encoding="utf-8"))


def commons_client(server: RecordedServer) -> MediaWikiClient:
    server.add("/w/api.php", Reply(SITEINFO), match={"meta": "siteinfo|userinfo"})
    client = MediaWikiClient(server.url("/w/api.php"))
    client.siteinfo()
    return client


# -- pageviews ---------------------------------------------------------------------------------

PAGEVIEW_TITLES = ["Facebook", "HIV/AIDS", "Broussard's", '"Weird Al" Yankovic', "André the Giant"]


@pytest.mark.parametrize("index,title", list(enumerate(PAGEVIEW_TITLES)))
def test_pageviews_urls_match_the_recorded_requests(
    fixtures_dir: Path, index: int, title: str
) -> None:
    recorded = load(fixtures_dir, "pageviews/per-article-daily.json")[index]
    client = PageviewsClient()
    url = client.article_url(
        "en.wikipedia", title, date(2025, 8, 15), date(2025, 8, 19), granularity="daily"
    )
    assert url == recorded["request_url"]


def test_pageviews_are_read_from_recorded_replies(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    recorded = load(fixtures_dir, "pageviews/per-article-daily.json")
    for item in recorded:
        path = urlsplit(item["request_url"]).path.removeprefix("/api/rest_v1")
        wiki_server.add(path, Reply(item["body"], item["status"], item["headers"]))
    client = PageviewsClient(wiki_server.base_url)
    for title, item in zip(PAGEVIEW_TITLES, recorded, strict=True):
        views = client.per_article(
            "en.wikipedia.org", title, date(2025, 8, 15), date(2025, 8, 19), granularity="daily"
        )
        expected = [i["views"] for i in item["body"]["items"]]
        assert [c.views for c in views.counts] == expected
        assert views.total == sum(expected)
        assert views.counts[0].day == date(2025, 8, 15)
        assert views.found
    assert len(wiki_server.seen) == 5


def test_pageviews_without_data_are_zero_and_not_found(wiki_server: RecordedServer) -> None:
    wiki_server.add(
        "/metrics/pageviews/per-article/en.wikipedia/all-access/user/Nobody_reads_this/monthly/"
        "2026010100/2026033100",
        Reply({"title": "Not found.", "detail": "The date(s) you used are valid, but ..."}, 404),
    )
    views = PageviewsClient(wiki_server.base_url).per_article(
        "en.wikipedia", "Nobody reads this", date(2026, 1, 1), date(2026, 3, 31)
    )
    assert (views.found, views.total, views.counts) == (False, 0, ())


def test_pageviews_reply_without_items_is_malformed(wiki_server: RecordedServer) -> None:
    wiki_server.add(
        "/metrics/pageviews/per-article/en.wikipedia/all-access/user/X/monthly/"
        "2026010100/2026033100",
        Reply({"unexpected": []}),
    )
    with pytest.raises(WikiMalformedResponse):
        PageviewsClient(wiki_server.base_url).per_article(
            "en.wikipedia", "X", date(2026, 1, 1), date(2026, 3, 31)
        )


# -- Commons imageinfo and globalusage (formatversion 1 replies) -------------------------------


def test_imageinfo_by_page_id_from_recorded_commons_replies(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    recorded = load(fixtures_dir, "commons/imageinfo.json")
    client = commons_client(wiki_server)
    for item in recorded:
        ids = parse_qs(urlsplit(item["request_url"]).query)["pageids"][0]
        wiki_server.add("/w/api.php", Reply(item["body"]), match={"pageids": ids})
    for item in recorded:
        ids = [
            int(i) for i in parse_qs(urlsplit(item["request_url"]).query)["pageids"][0].split("|")
        ]
        infos = client.imageinfo(page_ids=ids)
        assert sorted(i.page_id for i in infos if i.page_id) == sorted(ids)
        first = item["body"]["query"]["pages"][str(ids[0])]
        info = next(i for i in infos if i.page_id == ids[0])
        assert info.title == first["title"]
        assert info.url == first["imageinfo"][0]["url"]
        assert info.thumb_url == first["imageinfo"][0]["thumburl"]
        assert not info.missing


def test_global_usage_in_batches_of_50_like_the_recorded_requests(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    recorded = load(fixtures_dir, "commons/globalusage.json")
    client = commons_client(wiki_server)
    all_ids: list[int] = []
    for item in recorded:
        ids = parse_qs(urlsplit(item["request_url"]).query)["pageids"][0]
        wiki_server.add("/w/api.php", Reply(item["body"]), match={"pageids": ids})
        all_ids += [int(i) for i in ids.split("|")]
    usage = client.global_usage(page_ids=all_ids)
    requests = [s for s in wiki_server.seen if "pageids" in s.query]
    assert [len(s.query["pageids"].split("|")) for s in requests] == [50, 50, 47]
    assert all(s.query["gufilterlocal"] == "1" for s in requests)
    assert len(usage) == 147
    used = [u for u in usage if u.usages]
    expected_used = sum(
        1 for item in recorded for p in item["body"]["query"]["pages"].values() if p["globalusage"]
    )
    assert len(used) == expected_used > 0
    apple = next(u for u in usage if u.page_id == 38953484)
    assert "en.wikipedia.org" in apple.wikis
    assert any(g.title == "List of apple cultivars" and g.namespace == 0 for g in apple.usages)


def test_continued_prop_replies_are_merged_per_page(wiki_server: RecordedServer) -> None:
    client = commons_client(wiki_server)
    page = {"pageid": 1, "ns": 6, "title": "File:A.jpg"}
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "continue": {"gucontinue": "1|x", "continue": "||"},
                "query": {"pages": [{**page, "globalusage": [{"wiki": "a.org", "title": "P"}]}]},
            }
        ),
        Reply(
            {
                "batchcomplete": True,
                "query": {"pages": [{**page, "globalusage": [{"wiki": "b.org", "title": "Q"}]}]},
            }
        ),
        match={"prop": "globalusage"},
    )
    usage = client.global_usage(titles=["A.jpg"])
    assert len(usage) == 1
    assert usage[0].wikis == {"a.org", "b.org"}
    assert wiki_server.seen[-1].query["gucontinue"] == "1|x"


# -- Wikidata -----------------------------------------------------------------------------------


def test_wikidata_entities_and_a_missing_one(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    q42 = load(fixtures_dir, "wikidata/wbgetentities-Q42.json")
    missing = load(fixtures_dir, "wikidata/wbgetentities-missing.json")
    wiki_server.add("/w/api.php", Reply(q42), match={"ids": "Q42"})
    wiki_server.add("/w/api.php", Reply(missing), match={"ids": "P1"})
    client = WikidataClient(wiki_server.url("/w/api.php"))
    entity = client.get_entity("q42")
    raw = q42["entities"]["Q42"]
    assert entity.label("en") == "Douglas Adams"
    assert entity.statement_count == sum(len(v) for v in raw["claims"].values())
    assert entity.statement_count > 0
    assert entity.sitelink_count == len(raw["sitelinks"]) == 0
    assert entity.last_revision == raw["lastrevid"]
    assert client.get_entities(["P1"]) == {"P1": MissingEntity(id="P1")}
    with pytest.raises(WikiNotFound):
        client.get_entity("P1")
    assert wiki_server.seen[0].query["maxlag"] == "5"


def test_wikidata_entities_are_fetched_50_per_request(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    def reply_for(ids: list[str]) -> Reply:
        return Reply({"entities": {i: {"id": i, "missing": ""} for i in ids}, "success": 1})

    ids = [f"Q{n}" for n in range(1, 121)]
    for start in range(0, 120, 50):
        batch = ids[start : start + 50]
        wiki_server.add("/w/api.php", reply_for(batch), match={"ids": "|".join(batch)})
    result = WikidataClient(wiki_server.url("/w/api.php")).get_entities(ids)
    assert len(result) == 120
    assert [len(s.query["ids"].split("|")) for s in wiki_server.seen] == [50, 50, 20]


def test_a_property_entity_parses(fixtures_dir: Path) -> None:
    from hub.wikimedia.wikidata import parse_entities

    raw = load(fixtures_dir, "wikidata/P18.json")
    entity = parse_entities({"entities": {raw["id"]: raw}})[raw["id"]]
    assert isinstance(entity, Entity)
    assert entity.datatype == "commonsMedia"


def test_counting_items_of_a_collection_through_search(wiki_server: RecordedServer) -> None:
    wiki_server.add(
        "/w/api.php",
        Reply({"batchcomplete": True, "query": {"searchinfo": {"totalhits": 1234}, "search": []}}),
        match={"srsearch": "haswbstatement:P195=Q190804"},
    )
    client = WikidataClient(wiki_server.url("/w/api.php"))
    client._site = MediaWikiClient(wiki_server.url("/w/api.php"))._read_site(SITEINFO)
    assert client.count_items_with_statement("P195", "Q190804") == 1234
    assert wiki_server.seen[0].query["srinfo"] == "totalhits"


def test_searching_entities(wiki_server: RecordedServer) -> None:
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "search": [
                    {
                        "id": "Q190804",
                        "label": "Rijksmuseum",
                        "description": "museum in Amsterdam",
                        "concepturi": "http://www.wikidata.org/entity/Q190804",
                        "match": {"type": "label", "language": "en", "text": "Rijksmuseum"},
                    }
                ],
                "success": 1,
            }
        ),
        match={"action": "wbsearchentities"},
    )
    hits = WikidataClient(wiki_server.url("/w/api.php")).search_entities("Rijksmuseum")
    assert [(h.id, h.label) for h in hits] == [("Q190804", "Rijksmuseum")]


# -- Commons Impact Metrics (synthetic) ----------------------------------------------------------


def synthetic(name: str) -> Any:
    data = json.loads((SYNTHETIC / name).read_text(encoding="utf-8"))
    assert data["_synthetic"] is True
    return data


@pytest.fixture
def cim(wiki_server: RecordedServer) -> CommonsMetricsClient:
    for name in (
        "category-metrics-snapshot",
        "pageviews-per-category-monthly",
        "edits-per-category-monthly",
        "top-pages-per-category-monthly",
        "top-wikis-per-category-monthly",
    ):
        data = synthetic(f"{name}.json")
        wiki_server.add(f"/metrics/commons-analytics/{data['_request']}", Reply(data))
    wiki_server.add(
        "/metrics/commons-analytics/category-metrics-snapshot/Not_allow_listed/20260101/20260401",
        Reply(synthetic("not-loaded-404.json"), 404),
    )
    return CommonsMetricsClient(wiki_server.base_url)


CATEGORY = "Category:Media contributed by the Example Museum"


def test_cim_category_snapshots(cim: CommonsMetricsClient) -> None:
    snapshots = cim.category_snapshots(CATEGORY, date(2026, 1, 1), date(2026, 4, 1))
    assert [s.month for s in snapshots] == [date(2026, m, 1) for m in (1, 2, 3)]
    assert snapshots[-1].media_file_count_deep == 1503
    assert snapshots[-1].used_media_file_count_deep == 343
    assert snapshots[-1].leveraging_page_count_deep == 315


def test_cim_monthly_series(cim: CommonsMetricsClient) -> None:
    views = cim.pageviews_per_category(CATEGORY, date(2026, 1, 1), date(2026, 4, 1))
    assert [v.count for v in views] == [152000, 148500, 161250]
    uploads = cim.edits_per_category(
        "media_contributed_by_the_Example_Museum",
        date(2026, 1, 1),
        date(2026, 4, 1),
        edit_type="create",
    )
    # A month without uploads has no row (and a series with no row at all answers 404).
    assert [(u.month.month, u.count) for u in uploads] == [(1, 40), (3, 212)]


def test_cim_rankings(cim: CommonsMetricsClient) -> None:
    pages = cim.top_pages(CATEGORY, 2026, 3)
    assert pages[0].title == "Example Museum"
    # Asked for all wikis, each page keeps its own wiki (page-wiki), named as GlobalUsage does.
    assert (pages[0].wiki, pages[0].rank, pages[0].views) == ("en.wikipedia.org", 1, 20110)
    assert [p.wiki for p in pages] == ["en.wikipedia.org", "sv.wikipedia.org", "de.wikipedia.org"]
    wikis = cim.top_wikis(CATEGORY, 2026, 3)
    assert [w.wiki for w in wikis] == ["en.wikipedia.org", "sv.wikipedia.org", "de.wikipedia.org"]


def test_cim_category_not_allow_listed(cim: CommonsMetricsClient) -> None:
    with pytest.raises(NotInCommonsImpactMetrics) as caught:
        cim.category_snapshots("Not allow listed", date(2026, 1, 1), date(2026, 4, 1))
    assert isinstance(caught.value, WikiNotFound)
    assert not caught.value.retryable


def test_cim_reply_missing_a_field_is_malformed(wiki_server: RecordedServer) -> None:
    data = synthetic("category-metrics-snapshot.json")
    del data["items"][0]["media-file-count"]
    wiki_server.add(f"/metrics/commons-analytics/{data['_request']}", Reply(data))
    with pytest.raises(WikiMalformedResponse):
        CommonsMetricsClient(wiki_server.base_url).category_snapshots(
            CATEGORY, date(2026, 1, 1), date(2026, 4, 1)
        )


def test_cim_series_without_rows_is_empty_not_uncovered(wiki_server: RecordedServer) -> None:
    # Edit rows exist only where a month had edits: a 404 from a series means "no rows".
    wiki_server.add(
        "/metrics/commons-analytics/edits-per-category-monthly/"
        "Media_contributed_by_the_Example_Museum/deep/create/20260101/20260401",
        Reply(synthetic("not-loaded-404.json"), 404),
    )
    uploads = CommonsMetricsClient(wiki_server.base_url).edits_per_category(
        CATEGORY, date(2026, 1, 1), date(2026, 4, 1), edit_type="create"
    )
    assert uploads == []


def test_cim_subcategory_has_no_tree_figures(
    cim: CommonsMetricsClient, wiki_server: RecordedServer
) -> None:
    # Deep figures are summed over primary (allow-listed) categories only: a subcategory's
    # are 0 although its own files are in its tree.
    data = synthetic("category-metrics-snapshot.json")
    for item in data["items"]:
        item["category"] = "Example_Museum_details"
        for key in [k for k in item if k.endswith("-deep")]:
            item[key] = 0
    wiki_server.add(
        "/metrics/commons-analytics/category-metrics-snapshot/Example_Museum_details/"
        "20260101/20260401",
        Reply(data),
    )
    start, end = date(2026, 1, 1), date(2026, 4, 1)
    assert all(s.has_tree_figures for s in cim.category_snapshots(CATEGORY, start, end))
    sub = cim.category_snapshots("Example Museum details", start, end)
    assert not any(s.has_tree_figures for s in sub)


@pytest.mark.parametrize(
    "name,host",
    [
        ("en.wikipedia", "en.wikipedia.org"),  # Commons Impact Metrics, pageviews
        ("en.wikipedia.org", "en.wikipedia.org"),  # GlobalUsage
        ("https://sv.wikipedia.org/wiki/Skansen", "sv.wikipedia.org"),
        ("commons.wikimedia", "commons.wikimedia.org"),
        ("all-wikis", "all-wikis"),
    ],
)
def test_every_spelling_of_a_wiki_gives_one_id(name: str, host: str) -> None:
    assert project_host(name) == host


@pytest.mark.parametrize(
    "first,last,expected",
    [
        # The service counts whole months only and cuts an end that is not a month's last day
        # back to the month before (AQS aqsUtil.getLastFullMonthLastDay).
        (date(2026, 1, 1), date(2026, 12, 1), "2026010100/2026123100"),
        # One month (HUB_IMPACT_HISTORY_MONTHS=1): start = end would be refused with 400.
        (date(2026, 12, 1), date(2026, 12, 1), "2026120100/2026123100"),
        (date(2024, 2, 1), date(2024, 2, 1), "2024020100/2024022900"),
    ],
)
def test_monthly_pageviews_ask_for_whole_months(first: date, last: date, expected: str) -> None:
    url = PageviewsClient().article_url("en.wikipedia.org", "Skansen", first, last)
    assert url.endswith(f"/Skansen/monthly/{expected}")


def test_a_wiktionary_title_keeps_its_first_letter() -> None:
    # Wiktionaries are case-sensitive: "cat" and "Cat" are two entries.
    client = PageviewsClient()
    wiktionary = client.article_url("en.wiktionary.org", "cat", date(2026, 1, 1), date(2026, 1, 1))
    wikipedia = client.article_url("en.wikipedia.org", "cat", date(2026, 1, 1), date(2026, 1, 1))
    assert "/user/cat/monthly/" in wiktionary
    assert "/user/Cat/monthly/" in wikipedia
    assert capitalizes_first_letter("en.wikipedia.org")
    assert not capitalizes_first_letter("fr.wiktionary.org")
