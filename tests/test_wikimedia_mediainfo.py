"""Structured data on Commons (hub/wikimedia/mediainfo.py) against the stand-in built from real
Commons traffic (tests/sdc_standin.py), alone and in front of the local MediaWiki."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hub.wikimedia import mediainfo as mi
from hub.wikimedia.errors import InvalidEntityId, StructuredDataError
from hub.wikimedia.http import reset_sessions
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.wikidata import WikidataClient
from tests.localwiki import LocalWiki
from tests.sdc_standin import SdcStandIn
from tests.wikiserver import RecordedServer, Reply

FLOW = "commons-sdc/flickypedia_test_upload_single_photo__commons_flow.json"
NO_DATA_YET = 1004  # File:Nyungw.jpg: on Commons, no structured data (recorded "missing")
EMPTY = 138833893  # File:PrintedLibraryOfCongressSubjectHeadings.jpg: labels {}, statements []


@pytest.fixture
def commons(settings: Any) -> Iterator[SdcStandIn]:
    standin = SdcStandIn()
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [standin.base_url]
    reset_sessions()
    yield standin
    standin.close()
    reset_sessions()


def client_for(standin: SdcStandIn) -> MediaWikiClient:
    return MediaWikiClient(standin.api_url)


def sent(standin: SdcStandIn, action: str) -> list[dict[str, str]]:
    return [p for p in standin.seen if p["action"] == action]


def flow_claims() -> list[mi.Claim]:
    """The statements flickypedia wrote for its photo (the recorded flow), built with ours."""
    flickr = "https://www.flickr.com/photos/199246608@N02/53370809793"
    return [
        mi.string("P12120", "53370809793"),
        mi.somevalue(
            "P170",
            qualifiers=[
                mi.string("P3267", "199246608@N02"),
                mi.string("P2093", "Alex Chan"),
                mi.url("P2699", "https://www.flickr.com/people/199246608@N02/"),
            ],
        ),
        mi.item("P6216", "Q50423863"),
        mi.item(
            "P7482",
            "Q74228490",
            qualifiers=[
                mi.url("P973", flickr),
                mi.item("P137", "Q103204"),
                mi.url(
                    "P2699", "https://live.staticflickr.com/65535/53370809793_dc5cb614ab_o_d.jpg"
                ),
                mi.time("P813", "2023-12-02"),
            ],
        ),
        mi.item("P275", "Q19125117"),
        mi.item("P1433", "Q103204", qualifiers=[mi.time("P577", "2023-12-02")]),
        mi.time("P571", "2021-09-22"),
    ]


def recorded_flow(fixtures_dir: Path) -> list[dict[str, Any]]:
    return list(json.loads((fixtures_dir / FLOW).read_text())["interactions"])


# The statements, built -------------------------------------------------------------------------


def test_builders_make_what_commons_accepted_in_the_recorded_flow(fixtures_dir: Path) -> None:
    edit = next(
        i
        for i in recorded_flow(fixtures_dir)
        if i["request"].get("form", {}).get("action") == "wbeditentity"
    )
    recorded = json.loads(edit["request"]["form"]["data"])["claims"]
    assert [mi.statement_key(c) for c in recorded] == [c.key() for c in flow_claims()]


def test_dates_carry_their_precision_and_bad_ones_are_refused() -> None:
    assert mi.time("P571", "1890").snak()["datavalue"]["value"]["precision"] == 9
    month = mi.time("P571", "1890-05").snak()["datavalue"]["value"]
    assert (month["time"], month["precision"]) == ("+1890-05-00T00:00:00Z", 10)
    for bad in ("c. 1890", "1890-13", "1890-05-00", "May 1890"):
        with pytest.raises(ValueError, match="is not a date like 1890"):
            mi.time("P571", bad)
    with pytest.raises(InvalidEntityId):
        mi.item("P180", "cat")
    assert mi.mediainfo_id(123) == "M123"


# Reading -----------------------------------------------------------------------------------------


def test_a_file_without_structured_data_reads_empty(commons: SdcStandIn) -> None:
    assert mi.get_mediainfo(client_for(commons), [NO_DATA_YET, EMPTY]) == {
        NO_DATA_YET: {},
        EMPTY: mi.get_mediainfo(client_for(commons), [EMPTY])[EMPTY],
    }
    assert mi.get_mediainfo(client_for(commons), [EMPTY])[EMPTY]["statements"] == []


def test_a_page_that_does_not_exist_is_a_typed_error(commons: SdcStandIn) -> None:
    with pytest.raises(StructuredDataError, match="not on Commons"):
        mi.get_mediainfo(client_for(commons), [NO_DATA_YET, 999])


# Writing -----------------------------------------------------------------------------------------


def test_a_write_reads_back_and_a_second_write_sends_nothing(commons: SdcStandIn) -> None:
    client = client_for(commons)
    captions = {"en": "A row of red fire buckets", "cy": "Rhes o fwcedi tân coch"}
    claims = [mi.item("P180", "Q1146131"), mi.item("P275", "Q19125117"), mi.time("P571", "1890")]
    revision = mi.write_mediainfo(
        client, NO_DATA_YET, captions=captions, claims=claims, summary="Batch 4"
    )
    entity = mi.get_mediainfo(client, [NO_DATA_YET])[NO_DATA_YET]
    assert entity["lastrevid"] == revision
    assert {lang: label["value"] for lang, label in entity["labels"].items()} == captions
    assert {s["mainsnak"]["property"] for v in entity["statements"].values() for s in v} == {
        "P180",
        "P275",
        "P571",
    }
    assert sent(commons, "wbeditentity")[0]["summary"] == "Batch 4"
    # A batch resumed after a crash sends the same again: nothing is added, nothing sent.
    again = mi.write_mediainfo(
        client, NO_DATA_YET, captions=captions, claims=claims, summary="Batch 4"
    )
    assert again == revision
    assert len(sent(commons, "wbeditentity")) == 1


def test_only_what_is_missing_is_sent_with_the_base_revision(commons: SdcStandIn) -> None:
    client = client_for(commons)
    first = mi.write_mediainfo(
        client, EMPTY, captions={}, claims=[mi.item("P275", "Q19125117")], summary=""
    )
    mi.write_mediainfo(
        client,
        EMPTY,
        captions={"en": "Subject headings"},
        claims=[mi.item("P275", "Q19125117"), mi.item("P180", "Q2061766")],
        summary="",
    )
    second = sent(commons, "wbeditentity")[-1]
    assert second["baserevid"] == str(first)
    data = json.loads(second["data"])
    assert [c["mainsnak"]["property"] for c in data["claims"]] == ["P180"]
    assert data["labels"] == {"en": {"language": "en", "value": "Subject headings"}}


def test_someone_elses_caption_is_never_overwritten(commons: SdcStandIn) -> None:
    client = client_for(commons)
    mi.set_caption(client, "File:Nyungw.jpg", language="en", text="Their caption")
    mi.write_mediainfo(
        client, NO_DATA_YET, captions={"en": "Ours", "fr": "La nôtre"}, claims=[], summary=""
    )
    labels = mi.get_mediainfo(client, [NO_DATA_YET])[NO_DATA_YET]["labels"]
    assert (labels["en"]["value"], labels["fr"]["value"]) == ("Their caption", "La nôtre")


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        ("doesnotexist", "A caption", "does not know that language"),
        ("en", "x" * 251, "at most 250 characters"),
    ],
)
def test_a_caption_commons_refuses_is_a_typed_error_in_plain_words(
    commons: SdcStandIn, language: str, text: str, words: str
) -> None:
    with pytest.raises(StructuredDataError, match=words):
        mi.set_caption(client_for(commons), "File:GwrFireBuckets.jpg", language=language, text=text)


def test_a_caption_too_long_is_refused_before_sending(commons: SdcStandIn) -> None:
    with pytest.raises(StructuredDataError, match="at most 250"):
        mi.write_mediainfo(
            client_for(commons), NO_DATA_YET, captions={"en": "x" * 251}, claims=[], summary=""
        )
    assert commons.seen == []


def test_writing_to_a_file_that_is_not_there_is_a_typed_error(commons: SdcStandIn) -> None:
    client = client_for(commons)
    with pytest.raises(StructuredDataError, match="not on Commons") as caught:
        mi.write_mediainfo(
            client, 999, captions={}, claims=[mi.item("P275", "Q19125117")], summary=""
        )
    assert caught.value.code == "no-such-entity"
    with pytest.raises(StructuredDataError, match="not on Commons") as by_title:
        mi.set_caption(client, "File:!!!.jpg", language="en", text="Not there")
    assert by_title.value.code == "no-such-entity-link"


def test_an_unknown_language_inside_the_data_is_a_typed_error(commons: SdcStandIn) -> None:
    with pytest.raises(StructuredDataError, match="language"):
        mi.write_mediainfo(
            client_for(commons), NO_DATA_YET, captions={"xx-nope": "Hm"}, claims=[], summary=""
        )


# Wikidata items that do not exist ------------------------------------------------------------


def test_missing_items_are_found_in_one_request_per_50(wiki_server: RecordedServer) -> None:
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "entities": {
                    "Q42": {"id": "Q42", "type": "item", "lastrevid": 1},
                    "Q999999999": {"id": "Q999999999", "missing": ""},
                },
                "success": 1,
            }
        ),
        match={"action": "wbgetentities"},
    )
    client = WikidataClient(wiki_server.url("/w/api.php"))
    assert mi.missing_items(client, ["Q42", "q999999999", "Q999999999", "not an id"]) == {
        "q999999999",
        "Q999999999",
        "not an id",
    }
    assert len(wiki_server.seen) == 1


# The whole flow: upload to the local wiki, caption, structured data -----------------------------


@pytest.fixture
def commons_on_the_local_wiki(local_wiki: LocalWiki, settings: Any) -> Iterator[SdcStandIn]:
    standin = SdcStandIn(upstream=local_wiki.base_url)
    settings.HUB_ALLOWED_PRIVATE_WIKIS = [standin.base_url, local_wiki.base_url]
    reset_sessions()
    yield standin
    standin.close()
    reset_sessions()


def test_upload_then_caption_then_structured_data_as_in_the_recorded_flow(
    commons_on_the_local_wiki: SdcStandIn, local_wiki: LocalWiki, fixtures_dir: Path, tmp_path: Path
) -> None:
    flow = recorded_flow(fixtures_dir)
    caption = next(i for i in flow if i["request"].get("form", {}).get("action") == "wbsetlabel")
    edit = next(i for i in flow if i["request"].get("form", {}).get("action") == "wbeditentity")
    photo = tmp_path / "floor.jpg"
    Image.new("RGB", (64, 48), (120, 80, 40)).save(photo, "JPEG")
    client = MediaWikiClient(commons_on_the_local_wiki.api_url, user_supplied=True)
    client.login(*local_wiki.admin_bot)

    uploaded = client.upload(
        photo, filename=caption["request"]["form"]["title"], text="{{Information}}", comment="Flow"
    )
    assert uploaded.file is not None
    page_id = uploaded.file.page_id

    form = caption["request"]["form"]
    mi.set_caption(client, uploaded.file.title, language=form["language"], text=form["value"])
    revision = mi.write_mediainfo(
        client, page_id, captions={}, claims=flow_claims(), summary="Flow"
    )

    entity = mi.get_mediainfo(client, [page_id])[page_id]
    assert entity["id"] == f"M{page_id}" and entity["lastrevid"] == revision
    assert entity["labels"]["en"]["value"] == form["value"]
    recorded = edit["response"]["body_json"]["entity"]["statements"]
    assert {p: [mi.statement_key(s) for s in v] for p, v in entity["statements"].items()} == {
        p: [mi.statement_key(s) for s in v] for p, v in recorded.items()
    }
    statement = entity["statements"]["P170"][0]
    assert statement["id"].startswith(f"M{page_id}$") and statement["mainsnak"]["hash"]
    assert (
        mi.write_mediainfo(client, page_id, captions={}, claims=flow_claims(), summary="")
        == revision
    )
