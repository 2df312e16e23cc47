"""Partnership reads: the list's filters and sorts, the page and its timeline, in few queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404, QueryDict

from hub.partnerships import selectors, services
from hub.partnerships.models import Activity, Contribution, Stage, Task
from hub.partnerships.selectors import PartnershipFilters
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    """Three partnerships with different partners, goals and stages, and one archived."""
    museum = factories.organisation(
        affiliate_a, name="Museo de Arte", partner_type="museum", country="CL"
    )
    ministry = factories.organisation(
        affiliate_a, name="Kulturdepartementet", partner_type="government", country="SE"
    )
    school = factories.organisation(
        affiliate_a, name="Escuela Tromsø", partner_type="school", country="NO"
    )
    a = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Textiles upload",
        partners=[(museum, "main"), (ministry, "funder")],
        goals=["content"],
        contribution_types=["content"],
        responsible=[member_a],
        visibility="published",
        start_date=dt.date(2025, 1, 1),
    )
    b = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Teachers training",
        partners=[(school, "main")],
        goals=["advocacy"],
        contribution_types=["knowledge"],
        stage=Stage.ACTIVE,
        start_date=dt.date(2026, 1, 1),
    )
    c = factories.partnership(
        affiliate_a, actor=member_a, title="Old archive", partners=[(museum, "co_partner")]
    )
    services.archive_partnership(actor=member_a, partnership=c)
    factories.partnership(factories.affiliate(), title="Textiles elsewhere")
    return {"a": a, "b": b, "c": c, "museum": museum}


def titles(affiliate: Any, **params: str) -> list[str]:
    query = QueryDict(mutable=True)
    query.update(params)
    return [
        p.title
        for p in selectors.partnership_list(affiliate, PartnershipFilters.from_params(query))
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Teachers training", "Textiles upload"]),
        ({"stage": "active"}, ["Teachers training"]),
        ({"goal": "content"}, ["Textiles upload"]),
        ({"contribution": "knowledge"}, ["Teachers training"]),
        ({"type": "government"}, ["Textiles upload"]),
        ({"region": "lac"}, ["Textiles upload"]),
        ({"visibility": "published"}, ["Textiles upload"]),
        ({"strategic": "yes"}, []),
        ({"strategic": "no"}, ["Teachers training", "Textiles upload"]),
        ({"q": "textiles"}, ["Textiles upload"]),
        ({"q": "kulturdepartementet"}, ["Textiles upload"]),
        ({"q": "tromso"}, ["Teachers training"]),
        ({"q": "museo textiles"}, ["Textiles upload"]),
        ({"q": "nothing like it"}, []),
        ({"archived": "1"}, ["Old archive"]),
        ({"sort": "title"}, ["Teachers training", "Textiles upload"]),
        ({"sort": "-start"}, ["Teachers training", "Textiles upload"]),
        ({"sort": "start"}, ["Textiles upload", "Teachers training"]),
        ({"stage": "heaven", "sort": "'; DROP"}, ["Teachers training", "Textiles upload"]),
    ],
)
def test_list_filters_and_sorts(spread, affiliate_a, params, expected) -> None:
    result = titles(affiliate_a, **params)
    assert sorted(result) == sorted(expected)
    if "sort" in params and params["sort"] in selectors.PARTNERSHIP_SORTS:
        assert result == expected


def test_list_filters_by_responsible_person(spread, affiliate_a, member_a) -> None:
    assert titles(affiliate_a, responsible=str(member_a.pk)) == ["Textiles upload"]


def test_list_rows_carry_partner_names_in_one_query(spread, affiliate_a, django_assert_num_queries):
    rows = list(selectors.partnership_list(affiliate_a, PartnershipFilters(sort="title")))
    with django_assert_num_queries(1):
        rows = selectors.with_partner_names(rows)
    names = rows[1].partner_names  # type: ignore[attr-defined]
    assert names == ["Museo de Arte", "Kulturdepartementet"]


def test_list_page_costs_the_same_for_many_partnerships(
    affiliate_a, member_a, django_assert_max_num_queries
):
    orgs = [factories.organisation(affiliate_a) for _ in range(3)]
    for n in range(12):
        factories.partnership(
            affiliate_a,
            title=f"P{n}",
            partners=[(orgs[n % 3], "main"), (orgs[(n + 1) % 3], "funder")],
        )
    with django_assert_max_num_queries(3):  # count, page, partner names
        qs = selectors.partnership_list(
            affiliate_a, PartnershipFilters(q="p", partner_type="other")
        )
        assert qs.count() == 12
        rows = selectors.with_partner_names(qs[:50])
        assert all(len(r.partner_names) == 2 for r in rows)  # type: ignore[attr-defined]


def test_page_gathers_everything_in_a_pinned_number_of_queries(
    affiliate_a, member_a, django_assert_num_queries
):
    museum = factories.organisation(affiliate_a, name="Museum")
    funder = factories.organisation(affiliate_a, name="Funder")
    p = factories.partnership(
        affiliate_a,
        actor=member_a,
        partners=[(museum, "main"), (funder, "funder")],
        responsible=[member_a],
        main_goals=[factories.main_goal(affiliate_a)],
    )
    for n in range(5):
        factories.interaction(museum, actor=member_a, date=dt.date(2026, 1, 1 + n))
        Activity.objects.create(
            partnership=p, kind="editathon", title=f"WikiGap {n}", starts_on=dt.date(2026, 3, 1 + n)
        )
        Task.objects.create(
            affiliate=affiliate_a, partnership=p, title=f"Call {n}", assignee=member_a
        )
        Contribution.objects.create(
            partnership=p,
            organisation=funder,
            kind="in_kind",
            in_kind_type="venue",
            received_on=dt.date(2026, 2, 1 + n),
            amount=Decimal("100"),
            currency="EUR",
        )
        services.update_partnership(actor=member_a, partnership=p, summary=f"Version {n}")
    services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.FIRST_CONTACT)
    factories.document(p, actor=member_a, name="signed.pdf")
    # The partnership, its partners, checklist, documents, stages, responsible people and main
    # goals, then one query per timeline source: interactions, activities, tasks,
    # contributions and audit events. Showing the rows' people, organisations and partnership
    # asks nothing more.
    with django_assert_num_queries(12):
        page = selectors.partnership_page(affiliate_a, p.pk, per_page=10)
        kinds = {e.kind for e in page.timeline}
        shown = {
            "partnership": {pp.partnership.pk for pp in page.partners}
            | {ap.partnership.pk for ap in page.checklist},
            "assignees": {str(t.assignee) for t in page.latest_tasks},
            "sources": {c.organisation.name for c in page.latest_contributions if c.organisation},
            "uploaders": {str(d.uploaded_by) for d in page.documents},
            "actors": {str(c.actor) for c in page.stage_history},
            "activities": {a.partnership.title for a in page.latest_activities},
        }
    assert shown == {
        "partnership": {p.pk},
        "assignees": {str(member_a)},
        "sources": {"Funder"},
        "uploaders": {str(member_a)},
        "actors": {str(member_a)},
        "activities": {p.title},
    }
    assert [d.original_name for d in page.documents] == ["signed.pdf"]
    assert [g.name for g in page.main_goals] == [p.main_goals.get().name]
    assert len(page.timeline) == 10
    assert page.timeline_has_more is True
    assert [pp.organisation.name for pp in page.partners] == ["Museum", "Funder"]
    assert len(page.checklist) == 6
    assert page.checklist_reviewed is False
    assert [c.to_stage for c in page.stage_history] == [Stage.FIRST_CONTACT, Stage.IDEA]
    assert page.moves[0].to_stage == Stage.CONCEPT_NOTE
    assert page.responsible == [member_a]
    whens = [e.when for e in page.timeline]
    assert whens == sorted(whens, reverse=True)
    every = []
    n = 1
    while True:
        more = selectors.partnership_page(affiliate_a, p.pk, per_page=10, timeline_page=n)
        every += more.timeline
        if not more.timeline_has_more:
            break
        n += 1
    kinds |= {e.kind for e in every}
    assert kinds == {
        "stage",
        "interaction",
        "activity",
        "task",
        "contribution",
        "document",
        "event",
    }
    # stages, 4 kinds x 5, the document, created, 5 updates
    assert len(every) == 2 + 5 * 4 + 1 + 1 + 5


def test_page_of_another_affiliate_is_404(affiliate_a, affiliate_b, member_a) -> None:
    p = factories.partnership(affiliate_a, actor=member_a)
    with pytest.raises(Http404):
        selectors.partnership_page(affiliate_b, p.pk)


def test_get_partnership_finds_only_the_affiliates_own(affiliate_a, affiliate_b, member_a) -> None:
    p = factories.partnership(affiliate_a, actor=member_a, title="Alpha only")
    found = selectors.get_partnership(affiliate_a, p.pk)
    assert (found.pk, found.title, found.affiliate) == (p.pk, "Alpha only", affiliate_a)
    with pytest.raises(Http404):
        selectors.get_partnership(affiliate_b, p.pk)
    with pytest.raises(Http404):
        selectors.get_partnership(affiliate_a, p.pk + 1000)


def test_organisation_partnerships_lists_roles_newest_first(
    affiliate_a, member_a, django_assert_num_queries
):
    museum = factories.organisation(affiliate_a, name="Museum")
    first = factories.partnership(affiliate_a, title="First", partners=[(museum, "main")])
    factories.partnership(affiliate_a, title="Second", partners=[(museum, "venue_host")])
    services.archive_partnership(actor=None, partnership=first)
    with django_assert_num_queries(1):
        rows = selectors.organisation_partnerships(affiliate_a, museum)
        assert [(r.partnership.title, r.role) for r in rows] == [
            ("Second", "venue_host"),
            ("First", "main"),
        ]
