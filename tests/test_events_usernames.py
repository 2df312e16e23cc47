"""The events' username rules: what people type or paste becomes the name the wiki knows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hub.events.usernames import canonical_username, parse_username_list
from hub.wikimedia.projects import WikiKind, classify_wiki

NORMALISED = [
    # spaces and underscores
    ("  Anna   Svensson ", "Anna Svensson"),
    ("Anna_Svensson", "Anna Svensson"),
    ("Anna__Svensson_", "Anna Svensson"),
    ("Anna\u00a0Svensson", "Anna Svensson"),
    # lower-case first letter (MediaWiki upper-cases it; the rest is kept)
    ("anna svensson", "Anna svensson"),
    ("éva", "Éva"),
    ("ǆemal", "Ǆemal"),
    # right-to-left names, with the direction marks a copy from a page carries
    ("\u200fمستخدم:أحمد\u200f", "أحمد"),
    ("\u202bמשתמש:דנה\u202c", "דנה"),
    ("محمد_علي", "محمد علي"),
    # combining characters: stored in NFC like every MediaWiki title
    ("Jose\u0301", "José"),
    ("e\u0301mile", "Émile"),
    # User: prefixes, in several languages, talk pages and subpages
    ("User:Anna", "Anna"),
    ("user:anna", "Anna"),
    ("User talk:Anna", "Anna"),
    ("User_talk:Anna/Archive 1", "Anna"),
    ("Usuario:María", "María"),
    ("Utilisatrice:Chloé", "Chloé"),
    ("Benutzer:Hans", "Hans"),
    ("[[User:Anna|Anna]]", "Anna"),
    # URLs pasted instead of names
    ("https://en.wikipedia.org/wiki/User:Jimbo_Wales", "Jimbo Wales"),
    ("https://sv.m.wikipedia.org/wiki/Anv%C3%A4ndare:Anna", "Anna"),
    ("https://en.wikipedia.org/wiki/Special:Contributions/Anna_S", "Anna S"),
    ("https://fr.wikipedia.org/wiki/Sp%C3%A9cial:Contributions/Chlo%C3%A9", "Chloé"),
    ("https://en.wikipedia.org/w/index.php?title=User:Anna&action=history", "Anna"),
    (
        "https://en.wikipedia.org/w/index.php?title=Special:Contributions&target=Anna_S",
        "Anna S",
    ),
    ("Special:Contributions/anna", "Anna"),
]


@pytest.mark.parametrize(("typed", "expected"), NORMALISED)
def test_usernames_are_normalised_as_mediawiki_does(typed, expected):
    assert canonical_username(typed) == expected


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("User:", "empty"),
        ("Anna#1", "#"),
        ("<Anna>", "<"),
        ("Anna|Bo", "|"),
        ("{{Anna}}", "{"),
        ("x" * 256, "too long"),
        ("é" * 128, "too long"),  # 256 bytes though 128 letters
        ("https://example.org/people/anna", "web address"),
    ],
)
def test_what_cannot_be_a_username_gets_a_clear_message(typed, words):
    with pytest.raises(ValidationError) as caught:
        canonical_username(typed)
    assert words in " ".join(caught.value.messages)


def test_a_list_reports_bad_lines_with_their_numbers():
    names, bad = parse_username_list("username\nanna\n\nBad#Name\nUser:Anna\nBo\n")
    assert names == ["Anna", "Bo"]
    assert [(b.number, b.text) for b in bad] == [(4, "Bad#Name")]


def test_a_csv_list_counts_by_its_first_column():
    names, bad = parse_username_list('"User:Anna",anna@example.org\nBo;x\nCe\tdd\n')
    assert names == ["Anna", "Bo", "Ce"] and bad == []


@pytest.mark.parametrize(
    ("typed", "kind", "base"),
    [
        ("https://sv.wikipedia.org", WikiKind.WIKIMEDIA, "https://sv.wikipedia.org"),
        ("sv.wikipedia.org/wiki/Huvudsida", WikiKind.WIKIMEDIA, "https://sv.wikipedia.org"),
        ("https://sv.m.wikipedia.org/", WikiKind.WIKIMEDIA, "https://sv.wikipedia.org"),
        ("commons.wikimedia.org", WikiKind.WIKIMEDIA, "https://commons.wikimedia.org"),
        ("wikidata.org", WikiKind.WIKIMEDIA, "https://www.wikidata.org"),
        ("fr.wikisource.org", WikiKind.WIKIMEDIA, "https://fr.wikisource.org"),
        ("zh-min-nan.wikipedia.org", WikiKind.WIKIMEDIA, "https://zh-min-nan.wikipedia.org"),
        ("office.wikimedia.org", WikiKind.PRIVATE, ""),
        ("board.wikimedia.org", WikiKind.PRIVATE, ""),
        ("xx1.wikipedia.org", WikiKind.UNKNOWN, ""),
        ("nowhere.wikimedia.org", WikiKind.UNKNOWN, ""),
        ("a.b.wikipedia.org", WikiKind.UNKNOWN, ""),
        ("example.org", WikiKind.NOT_WIKIMEDIA, ""),
        ("wikipedia.example.com", WikiKind.NOT_WIKIMEDIA, ""),
        ("mailto:anna@example.org", WikiKind.INVALID, ""),
    ],
)
def test_wiki_addresses_are_classified(typed, kind, base):
    address = classify_wiki(typed)
    assert (address.kind, address.base) == (kind, base)


def test_a_wiki_the_administrator_allowed_is_usable(settings):
    settings.HUB_ALLOWED_PRIVATE_WIKIS = ["http://127.0.0.1:8123"]
    address = classify_wiki("http://127.0.0.1:8123")
    assert address.usable and address.base == "http://127.0.0.1:8123"
    assert not classify_wiki("http://127.0.0.1:9999").usable
