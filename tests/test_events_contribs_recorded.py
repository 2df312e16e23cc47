"""The usercontribs client against the recorded Commons replies (shared/fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.wikimedia.mediawiki import MediaWikiClient
from tests.wikiserver import RecordedServer, Reply

SITEINFO = {
    "batchcomplete": True,
    "query": {
        "general": {"generator": "MediaWiki 1.45.0-wmf.25", "sitename": "Wikimedia Commons"},
        "userinfo": {"id": 0, "name": "127.0.0.1", "anon": True, "rights": ["read"]},
    },
}
AUG_START = datetime(2022, 8, 1, tzinfo=UTC)
AUG_END = datetime(2022, 9, 1, 23, 59, 59, tzinfo=UTC)


def recorded(fixtures_dir: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (fixtures_dir / "commons" / "usercontribs.json").read_text(encoding="utf-8")
    )
    return data


def commons(server: RecordedServer) -> MediaWikiClient:
    server.add("/w/api.php", Reply(SITEINFO), match={"meta": "siteinfo|userinfo"})
    client = MediaWikiClient(server.url("/w/api.php"))
    client.siteinfo()
    return client


def test_two_users_go_in_one_request_joined_by_a_pipe(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    reply = recorded(fixtures_dir)[0]
    client = commons(wiki_server)
    wiki_server.add("/w/api.php", Reply(reply["body"]), match={"list": "usercontribs"})
    uploads = list(
        client.iter_user_contributions(
            ["Jamzze", "FieldMarine"], start=AUG_START, end=AUG_END, namespaces=[6], new_only=True
        )
    )
    sent = [s for s in wiki_server.seen if s.query.get("list") == "usercontribs"]
    assert len(sent) == 1
    assert sent[0].query["ucuser"] == "Jamzze|FieldMarine"
    assert sent[0].query["ucnamespace"] == "6"
    assert sent[0].query["ucshow"] == "new"
    assert sent[0].query["uclimit"] == "max"
    # Oldest first: ucstart is the earlier time with ucdir=newer.
    assert sent[0].query["ucdir"] == "newer"
    assert sent[0].query["ucstart"] == "2022-08-01T00:00:00Z"
    assert sent[0].query["ucend"] == "2022-09-01T23:59:59Z"
    # FieldMarine uploaded nothing that month; Jamzze's eight new files are all there.
    assert len(uploads) == 8
    assert {u.user for u in uploads} == {"Jamzze"}
    assert all(u.new and u.namespace == 6 for u in uploads)
    first = next(u for u in uploads if u.revid == 683990913)
    assert first.title == "File:On Condom Failure.webm"
    assert first.page_id == 122118769
    assert first.timestamp == datetime(2022, 8, 21, 7, 20, 24, tzinfo=UTC)
    assert first.comment.startswith("Imported media from")


def test_an_empty_answer_is_no_contributions(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    reply = recorded(fixtures_dir)[1]
    client = commons(wiki_server)
    wiki_server.add("/w/api.php", Reply(reply["body"]), match={"list": "usercontribs"})
    page = client.user_contributions_page(
        ["Ragesoss"],
        start=datetime(2018, 11, 23, tzinfo=UTC),
        end=datetime(2018, 12, 30, 23, 59, 59, tzinfo=UTC),
        namespaces=[6],
        new_only=True,
    )
    assert page.contributions == ()
    assert page.next_continue is None


def test_a_large_answer_split_by_continuation_is_read_to_the_end(
    wiki_server: RecordedServer, fixtures_dir: Path
) -> None:
    items = recorded(fixtures_dir)[2]["body"]["query"]["usercontribs"]
    assert len(items) == 147
    client = commons(wiki_server)
    # The same 147 uploads served as the wiki does past its limit: 100, then the rest.
    wiki_server.add(
        "/w/api.php",
        Reply(
            {
                "continue": {"uccontinue": "20150301000000|1", "continue": "-||"},
                "query": {"usercontribs": items[:100]},
            }
        ),
        Reply({"batchcomplete": True, "query": {"usercontribs": items[100:]}}),
        match={"list": "usercontribs"},
    )
    uploads = list(
        client.iter_user_contributions(
            ["Ragesoss"],
            start=datetime(2015, 1, 1, tzinfo=UTC),
            end=datetime(2015, 7, 1, 23, 59, 59, tzinfo=UTC),
            namespaces=[6],
            new_only=True,
        )
    )
    sent = [s for s in wiki_server.seen if s.query.get("list") == "usercontribs"]
    assert len(sent) == 2
    assert sent[1].query["uccontinue"] == "20150301000000|1"
    assert len(uploads) == 147
    assert len({u.revid for u in uploads}) == 147
