"""Bad input: odd titles, private addresses, addresses that are not wikis, ids that do not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from hub.wikimedia import titles as T
from hub.wikimedia.errors import (
    ForbiddenAddress,
    InvalidEntityId,
    InvalidTitle,
    InvalidWikiUrl,
    NotAWiki,
)
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.safety import check_wiki_url, is_public_address
from hub.wikimedia.wikidata import entity_id
from tests.wikiserver import RecordedServer, Reply


@pytest.mark.parametrize(
    "given",
    [
        "Category:Images from Nationalmuseum",
        "category:Images_from_Nationalmuseum",
        "Images from Nationalmuseum",
        "images_from_Nationalmuseum",
        "  Category : Images  from\u00a0Nationalmuseum ",
        ":Category:Images_from_Nationalmuseum",
        "Images from\u200e Nationalmuseum",
        "CATEGORY:Images\u3000from_Nationalmuseum",
    ],
)
def test_category_names_normalise_to_one_title(given: str) -> None:
    assert T.category_title(given) == "Category:Images from Nationalmuseum"


def test_decomposed_unicode_becomes_nfc() -> None:
    decomposed = "Cafe\u0301 de\u0301ja\u0300 vu"
    assert T.category_name(decomposed) == "Café déjà vu"
    assert T.category_name(decomposed).encode() == "Café déjà vu".encode()


def test_first_letter_is_capitalised_but_not_into_two_letters() -> None:
    assert T.category_name("élan") == "Élan"
    assert T.category_name("ßeta") == "ßeta"


@pytest.mark.parametrize("bad", ["", "Category:", "  ", "A [b]", "A|b", "A{b}", "A#b", "A%C3%A9"])
def test_impossible_titles_are_refused(bad: str) -> None:
    with pytest.raises(InvalidTitle):
        T.category_title(bad)


def test_titles_from_pasted_urls() -> None:
    url = "https://commons.wikimedia.org/wiki/Category:Caf%C3%A9_d%C3%A9j%C3%A0_vu"
    assert T.category_title(T.title_from_user_input(url)) == "Category:Café déjà vu"
    url = "https://commons.wikimedia.org/w/index.php?title=Category:A_b&action=history"
    assert T.category_title(T.title_from_user_input(url)) == "Category:A b"
    assert T.title_from_user_input("Andr%C3%A9_the_Giant") == "André_the_Giant"


def test_file_titles() -> None:
    assert T.file_title("image:sample_1.png") == "File:Sample 1.png"
    assert T.file_name("File:Sample 1.png") == "Sample 1.png"


def test_rest_path_segments_encode_like_the_pageviews_api() -> None:
    assert T.path_segment("HIV/AIDS") == "HIV%2FAIDS"
    assert T.path_segment('"Weird Al" Yankovic') == "%22Weird_Al%22_Yankovic"
    assert T.path_segment("Broussard's") == "Broussard's"
    assert T.path_segment("André the Giant") == "Andr%C3%A9_the_Giant"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/w/api.php",
        "http://localhost:8080/",
        "http://10.1.2.3/w/api.php",
        "https://192.168.0.10/",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(ForbiddenAddress):
        check_wiki_url(url)
    with pytest.raises(ForbiddenAddress):
        MediaWikiClient.for_user_url(url)


def test_public_addresses_are_accepted() -> None:
    assert is_public_address("208.80.154.224")
    assert is_public_address("2620:0:861:ed1a::1")
    assert not is_public_address("fd00::1")


def test_an_administrator_configured_private_wiki_is_allowed(settings: Any) -> None:
    settings.HUB_ALLOWED_PRIVATE_WIKIS = ["http://10.1.2.3"]
    assert check_wiki_url("http://10.1.2.3/w/api.php") == "http://10.1.2.3:80"
    with pytest.raises(ForbiddenAddress):
        check_wiki_url("http://10.1.2.3:8080/w/api.php")


@pytest.mark.parametrize(
    "url",
    ["ftp://commons.wikimedia.org/", "commons.wikimedia.org", "https://", "https://u:p@x.org/"],
)
def test_addresses_that_are_not_http_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidWikiUrl):
        check_wiki_url(url)


def test_the_connection_guard_refuses_a_private_peer_even_without_the_up_front_check(
    settings: Any,
) -> None:
    from hub.wikimedia.http import reset_sessions

    server = RecordedServer()
    try:
        server.add("/api.php", Reply({"query": {"general": {"generator": "MediaWiki 1.39"}}}))
        settings.HUB_ALLOWED_PRIVATE_WIKIS = []
        reset_sessions()
        client = MediaWikiClient(server.url("/api.php"))  # as if DNS had said "public"
        with pytest.raises(ForbiddenAddress):
            client.siteinfo()
        assert server.seen == []
    finally:
        server.close()
        reset_sessions()


def test_an_address_that_answers_but_is_not_a_wiki(wiki_server: RecordedServer) -> None:
    wiki_server.add("/w/api.php", Reply("<html>Shop</html>", 200, {"Content-Type": "text/html"}))
    wiki_server.add("/api.php", Reply({"hello": "world"}))
    with pytest.raises(NotAWiki):
        MediaWikiClient.for_user_url(wiki_server.url("/"))


def test_an_address_that_answers_404_is_not_a_wiki(wiki_server: RecordedServer) -> None:
    with pytest.raises(NotAWiki):
        MediaWikiClient.for_user_url(wiki_server.url("/some/page"))


def test_a_wiki_at_a_page_address_is_found_through_w_api_php(
    wiki_server: RecordedServer, fixtures_dir: Any
) -> None:
    import json

    siteinfo = json.loads((fixtures_dir / "mediawiki" / "frwikisource-siteinfo.json").read_text())
    wiki_server.add("/w/api.php", Reply(siteinfo[0]["body"]))
    client = MediaWikiClient.for_user_url(wiki_server.url("/wiki/Wikisource:Accueil"))
    site = client.siteinfo()
    assert client.api_url == wiki_server.url("/w/api.php")
    assert site.sitename == "Wikisource"
    assert site.generator.startswith("MediaWiki 1.45")
    assert site.page_url("Victor Hugo") == "https://fr.wikisource.org/wiki/Victor_Hugo"


@pytest.mark.parametrize("given,expected", [("Q42", "Q42"), (" q42 ", "Q42"), ("P195", "P195")])
def test_entity_ids_normalise(given: str, expected: str) -> None:
    assert entity_id(given) == expected
    assert entity_id(f"https://www.wikidata.org/wiki/{expected}") == expected


@pytest.mark.parametrize("bad", ["", "Q", "Q0", "42", "Q42a", "X42", "Q-1"])
def test_entity_ids_that_cannot_exist_are_refused(bad: str) -> None:
    with pytest.raises(InvalidEntityId):
        entity_id(bad)


def test_a_deployment_without_a_wikimedia_contact_does_not_start(settings: Any) -> None:
    settings.DEBUG = False
    settings.DEVELOPMENT = False
    settings.TESTING = False
    settings.HUB_WIKIMEDIA_CONTACT = ""
    settings.HUB_WIKIMEDIA_USER_AGENT = ""
    ids = [m.id for m in run_checks(tags=["wikimedia"])]
    assert ids == ["wikimedia.E001"]
    settings.HUB_WIKIMEDIA_USER_AGENT = "Hub/1.0"
    assert [m.id for m in run_checks(tags=["wikimedia"])] == ["wikimedia.E002"]
    settings.HUB_WIKIMEDIA_USER_AGENT = ""
    settings.HUB_WIKIMEDIA_CONTACT = "ops@hub.example.org"
    assert run_checks(tags=["wikimedia"]) == []


def test_development_and_tests_need_no_contact(settings: Any) -> None:
    settings.HUB_WIKIMEDIA_CONTACT = ""
    settings.HUB_WIKIMEDIA_USER_AGENT = ""
    settings.DEBUG = True
    assert run_checks(tags=["wikimedia"]) == []
