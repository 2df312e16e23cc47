"""Library search: relevance, accents and case, file text, facets, snippets; both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from hub.library import processing, services
from hub.library.models import Resource
from hub.library.selectors import search_library
from tests import library_files as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    lf.use_temporary_media(settings, tmp_path / "media")


def add(affiliate: Any, actor: Any, title: str, **fields: Any) -> Any:
    upload = fields.pop("upload", None)
    fields.setdefault("kind", "guideline")
    fields.setdefault("visibility", "movement")
    resource = services.create_resource(
        actor=actor, affiliate=affiliate, title=title, upload=upload, **fields
    )
    if upload:
        processing.process_file(resource_id=resource.pk)
    return resource


@pytest.fixture
def library(affiliate_a: Any, member_a: Any, media: None) -> dict[str, Any]:
    a, m = affiliate_a, member_a
    return {
        "agreement": add(
            a,
            m,
            "Agreement template for museums",
            kind="template",
            template_kind="agreement",
            summary="A model agreement between an affiliate and a museum: roles and who pays.",
            topics=["agreements"],
            partner_types=["museum"],
        ),
        "concept": add(
            a,
            m,
            "Concept note for a ministry",
            kind="template",
            template_kind="concept_note",
            summary="Pitch a government ministry: goals, budget and a timeline after a contest.",
            partner_types=["government"],
        ),
        "ecoles": add(
            a,
            m,
            "Écoles et Wikipédia : le guide",
            language="fr",
            summary="Comment organiser des ateliers d'écriture dans les écoles.",
            partner_types=["school"],
            regions=["nwe"],
        ),
        "flyer": add(
            a,
            m,
            "Photo contest flyer",
            kind="promotional",
            upload=lf.stream(
                "flyer.pdf", lf.pdf("Wiki Loves Monuments", "Ask the heritage office for permits")
            ),
            activity_kinds=["campaign"],
        ),
        "archives": add(
            a,
            m,
            "Data licence agreement for archives",
            kind="template",
            template_kind="data_licence_agreement",
            summary="How an archive releases its catalogue metadata under CC0.",
            partner_types=["archive"],
        ),
        "bibliotek": add(
            a,
            m,
            "Partnerskap med bibliotek",
            language="sv",
            summary="Hur man samarbetar med folkbibliotek och universitetsbibliotek.",
            partner_types=["library"],
            regions=["nwe"],
        ),
        "minutes": add(
            a,
            m,
            "Meeting minutes",
            upload=lf.stream("minutes.docx", lf.docx("We met the Rijksmuseum curator.")),
        ),
        "odt": add(
            a,
            m,
            "Training handout",
            upload=lf.stream("handout.odt", lf.odf("odt", "Upload with Pattypan, step by step.")),
        ),
    }


# query -> the title expected first
RELEVANCE = [
    ("agreement museum", "agreement"),
    ("ministry", "concept"),
    ("ecoles", "ecoles"),  # no accent typed, accents in the text
    ("ÉCOLES", "ecoles"),  # upper case with an accent
    ("wikipedia", "ecoles"),
    ("monuments permits", "flyer"),  # only inside the PDF
    ("contest", "flyer"),  # title beats a word in another resource's summary
    ("archives cc0", "archives"),
    ("bibliotek", "bibliotek"),
    ("rijksmuseum", "minutes"),  # only inside the DOCX
    ("pattypan", "odt"),  # only inside the ODT
    ("museums", "agreement"),  # plural against the title; singular in the summary
    ("Schools", "ecoles"),  # the partner type's English words are searched too
]


@pytest.mark.parametrize(("query", "expected"), RELEVANCE)
def test_relevance_table(library: dict[str, Any], member_a: Any, query: str, expected: str):
    page = search_library(member_a, query)
    assert page.hits, query
    assert page.hits[0].resource.pk == library[expected].pk, (
        query,
        [h.resource.title for h in page.hits],
    )


def test_every_word_must_match(library: dict[str, Any], member_a: Any) -> None:
    assert search_library(member_a, "museum ministry").total == 0
    assert search_library(member_a, "zzzqqq").total == 0


def test_snippet_marks_the_words_and_keeps_accents(library: dict[str, Any], member_a: Any):
    hit = search_library(member_a, "ecoles").hits[0]
    assert "<mark>écoles</mark>" in str(hit.snippet)
    assert "<mark>Écoles</mark>" in str(hit.title)


def test_snippet_comes_from_the_file_text(library: dict[str, Any], member_a: Any) -> None:
    hit = search_library(member_a, "permits").hits[0]
    assert "<mark>permits</mark>" in str(hit.snippet)


def test_facets_count_and_filter(library: dict[str, Any], member_a: Any) -> None:
    page = search_library(member_a, "")
    assert page.total == 8
    facets = {f.name: {v.value: v.count for v in f.values} for f in page.facets}
    assert facets["kind"] == {"template": 3, "guideline": 4, "promotional": 1}
    assert facets["language"]["fr"] == 1
    assert facets["region"] == {"nwe": 2}
    narrowed = search_library(member_a, "", {"region": "nwe", "language": "sv"})
    assert [h.resource.pk for h in narrowed.hits] == [library["bibliotek"].pk]
    templates = search_library(member_a, "agreement", {"kind": "template"})
    assert {h.resource.pk for h in templates.hits} == {
        library["agreement"].pk,
        library["archives"].pk,
    }


def test_facet_labels_follow_the_interface_language(library: dict[str, Any], member_a: Any):
    from django.utils import translation

    with translation.override("fr"):
        page = search_library(member_a, "bibliotek")
    assert page.hits[0].resource.pk == library["bibliotek"].pk


def test_search_sees_only_what_the_viewer_may(
    library: dict[str, Any], affiliate_b: Any, member_b: Any, member_a: Any
) -> None:
    services.update_resource(actor=member_a, resource=library["ecoles"], visibility="affiliate")
    services.update_resource(actor=member_a, resource=library["bibliotek"], visibility="public")
    assert search_library(member_b, "ecoles").total == 0
    assert search_library(member_a, "ecoles").total == 1
    anonymous = search_library(AnonymousUser(), "")
    assert [h.resource.pk for h in anonymous.hits] == [library["bibliotek"].pk]
    own = add(affiliate_b, member_b, "Ecoles de B", visibility="affiliate")
    assert [h.resource.pk for h in search_library(member_b, "ecoles").hits] == [own.pk]


def test_a_change_that_left_no_audit_event_never_shows_a_private_resource(
    library: dict[str, Any], member_b: Any
) -> None:
    """An edit in the admin site records no audit event, so search's in-memory copy is not
    rebuilt; the page still reads its rows through the visibility rule."""
    assert search_library(member_b, "ecoles").total == 1  # read once: the copy is built
    Resource.objects.filter(pk=library["ecoles"].pk).update(visibility="affiliate")
    page = search_library(member_b, "ecoles")
    assert library["ecoles"].pk not in [h.resource.pk for h in page.hits]


def test_edits_and_deletes_reach_the_index(library: dict[str, Any], member_a: Any) -> None:
    services.update_resource(actor=member_a, resource=library["concept"], title="Letter to a mayor")
    assert search_library(member_a, "mayor").hits[0].resource.pk == library["concept"].pk
    services.delete_resource(actor=member_a, resource=library["concept"])
    assert search_library(member_a, "mayor").total == 0


def test_punctuation_and_operators_are_words_not_syntax(library: dict[str, Any], member_a: Any):
    queries = ['"', "AND OR NOT", "museum*", "(ministry", "-", "NEAR(a b)", "'; DROP", "a_b_c"]
    for query in queries:
        search_library(member_a, query)  # no error
    assert search_library(member_a, "ministry)").hits[0].resource.pk == library["concept"].pk


def test_many_matches_put_title_matches_first_then_the_newest(
    library: dict[str, Any], member_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.library import selectors

    monkeypatch.setattr(selectors, "RANK_ALL", 1)
    expected = [library["agreement"].pk, library["archives"].pk, library["concept"].pk]
    page = search_library(member_a, "template")  # three templates, one with it in its title
    assert [h.resource.pk for h in page.hits] == expected
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    assert [h.resource.pk for h in search_library(member_a, "template", page=2).hits] == [
        library["concept"].pk
    ]
    assert search_library(member_a, "template", page=2).pages == 2


def _whole_library(
    viewer: Any, chosen: dict[str, str] | None = None
) -> tuple[int, dict[str, int], dict[str, int]]:
    """Return the library page without words: its total and its kind and language counts."""
    page = search_library(viewer, "", chosen)
    facets = {f.name: {v.value: v.count for v in f.values} for f in page.facets}
    return page.total, facets.get("kind", {}), facets.get("language", {})


def _counted_from_resources(
    viewer: Any, **narrow: str
) -> tuple[int, dict[str, int], dict[str, int]]:
    """Return the same figures counted from the resources the viewer may see, one by one."""
    from collections import Counter

    from hub.library.selectors import visible_resources

    seen = list(visible_resources(viewer).filter(**narrow).values_list("kind", "language"))
    return (
        len(seen),
        dict(Counter(kind for kind, _ in seen)),
        dict(Counter(language for _, language in seen)),
    )


def _words_counted_from_hits(viewer: Any, query: str) -> None:
    """A search's total and facet counts are those of its results, which the viewer may see."""
    from collections import Counter

    from hub.library.selectors import visible_resources

    page = search_library(viewer, query)
    assert page.total == len(page.hits)  # the test library fits on one page
    facets = {f.name: {v.value: v.count for v in f.values} for f in page.facets}
    assert facets.get("kind", {}) == dict(Counter(h.resource.kind for h in page.hits))
    assert facets.get("language", {}) == dict(Counter(h.resource.language for h in page.hits))
    ids = {h.resource.pk for h in page.hits}
    assert ids == set(visible_resources(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def test_many_matches_are_counted_and_paged_alike(
    library: dict[str, Any], member_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RANK_ALL: every match counted, pages without gaps or repeats, newest first."""
    from hub.library import selectors

    monkeypatch.setattr(selectors, "RANK_ALL", 1)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    first = search_library(member_a, "alpha")  # the affiliate's name: in every resource
    seen = [
        h.resource.pk
        for n in range(1, first.pages + 1)
        for h in search_library(member_a, "alpha", page=n).hits
    ]
    assert len(seen) == len(set(seen)) == first.total == 8
    assert seen[0] == library["odt"].pk  # no title has the word: the newest first
    facets = {f.name: {v.value: v.count for v in f.values} for f in first.facets}
    assert sum(facets["kind"].values()) == first.total


def test_idsets() -> None:
    from hub.library import idsets

    ids = [3, 9, 64, 65, 1000, 7]
    made = idsets.of(ids)
    assert idsets.members(made) == sorted(ids)
    assert made.bit_count() == 6
    assert idsets.newest(made, 0, 2) == [1000, 65]
    assert idsets.newest(made, 4, 5) == [7, 3]
    assert idsets.members(made & idsets.of([9, 1000, 5])) == [9, 1000]
    assert idsets.of([]) == idsets.EMPTY and idsets.newest(idsets.EMPTY, 0, 3) == []


def test_whole_library_counts_follow_every_change_at_once(
    library: dict[str, Any], affiliate_b: Any, member_a: Any, member_b: Any
) -> None:
    """The counts of the library without words are kept between visits: never read stale."""
    viewers = [member_a, member_b, AnonymousUser()]

    def check() -> None:
        for viewer in viewers:
            assert _whole_library(viewer) == _counted_from_resources(viewer)
            templates = _whole_library(viewer, {"kind": "template"})
            assert templates == _counted_from_resources(viewer, kind="template")
            for query in ("agreement", "ecoles", "notes"):
                _words_counted_from_hits(viewer, query)

    check()
    check()  # kept, then read again: the same
    services.update_resource(actor=member_a, resource=library["ecoles"], visibility="public")
    assert _whole_library(AnonymousUser())[2] == {"fr": 1}
    check()
    services.update_resource(actor=member_a, resource=library["concept"], visibility="affiliate")
    assert _whole_library(member_b)[1]["template"] == 2
    assert _whole_library(member_a)[1]["template"] == 3
    check()
    services.update_resource(actor=member_a, resource=library["flyer"], kind="guideline")
    assert "promotional" not in _whole_library(member_a)[1]
    check()
    own = add(affiliate_b, member_b, "B's own notes", visibility="affiliate", language="de")
    assert _whole_library(member_b)[2]["de"] == 1
    assert "de" not in _whole_library(member_a)[2]
    check()
    services.delete_resource(actor=member_b, resource=own)
    services.delete_resource(actor=member_a, resource=library["agreement"])
    assert _whole_library(member_a)[0] == 7
    check()
