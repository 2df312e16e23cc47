"""The partner selectors: scoping, duplicates, My work ordering, and pinned query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.partners import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db


def _fill(affiliate, member, n):
    for i in range(n):
        org = factories.organisation(affiliate, name=f"Org {i}", tags=["GLAM", f"t{i}"])
        c = factories.contact(org)
        factories.interaction(org, contacts=[c], users=[member])


def test_list_is_scoped_to_the_affiliate(affiliate_a, affiliate_b):
    factories.organisation(affiliate_a, name="Mine")
    factories.organisation(affiliate_b, name="Theirs")
    names = [
        o.name for o in selectors.organisation_list(affiliate_a, selectors.OrganisationFilters())
    ]
    assert names == ["Mine"]


@pytest.mark.parametrize("n", [3, 12])
def test_list_page_query_count_does_not_grow(affiliate_a, member_a, n, django_assert_num_queries):
    _fill(affiliate_a, member_a, n)
    with django_assert_num_queries(2):  # organisations + their tags
        rows = selectors.with_tag_names(
            selectors.organisation_list(affiliate_a, selectors.OrganisationFilters())
        )
        assert all(len(r.tag_names) == 2 and "GLAM" in r.tag_names for r in rows)


@pytest.mark.parametrize("n", [2, 10])
def test_organisation_page_query_count_is_pinned(
    affiliate_a, member_a, n, django_assert_num_queries
):
    org = factories.organisation(affiliate_a, tags=["GLAM"])
    for _ in range(n):
        c = factories.contact(org)
        factories.interaction(org, contacts=[c], users=[member_a])
    with django_assert_num_queries(7):
        page = selectors.organisation_page(affiliate_a, org.pk)
        for entry in page.timeline:
            if entry.interaction:
                list(entry.interaction.contacts.all())
                list(entry.interaction.users.all())
            if entry.event:
                str(entry.event.actor)


@pytest.mark.parametrize(("n", "counted", "kept"), [(2, 16, 8), (25, 16, 8)])
def test_my_work_query_count_is_pinned(
    affiliate_a, member_a, n, counted, kept, django_assert_num_queries
):
    from hub.partnerships.todo import services as todo

    for i in range(n):
        org = factories.organisation(affiliate_a)
        factories.interaction(org, follow_up_on=dt.date(2026, 11, 25), users=[member_a])
        todo.create_task(actor=member_a, affiliate=affiliate_a, title=f"T{i}", assignee=member_a)
    # The person's own follow-ups (and the others' when theirs do not fill the list), recent
    # partners, the audit stamp and the kept directory counts; the reminders and open tasks, and
    # a count of the tasks when there are more than My work shows. Counting the directory
    # afresh (three grouped queries) and keeping the counts costs the first view more; one
    # query counts the partners' corrections waiting for approval (the surveys app's section).
    with django_assert_num_queries(counted):
        selectors.my_work(affiliate_a, member_a, today=dt.date(2026, 11, 22))
    with django_assert_num_queries(kept):
        work = selectors.my_work(affiliate_a, member_a, today=dt.date(2026, 11, 22))
        assert [i.organisation.name for i in work.follow_ups]


def test_my_work_counts_follow_each_change(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    today = dt.date(2026, 11, 22)
    before = selectors.my_work(affiliate_a, member_a, today=today).counts
    services.log_interaction(
        actor=member_a,
        organisation=org,
        kind="email",
        date=today,
        summary="Asked about the photo archive",
        follow_up_on=today - dt.timedelta(days=1),
    )
    after = selectors.my_work(affiliate_a, member_a, today=today).counts
    assert after["follow_ups"] == before["follow_ups"] + 1
    assert after["overdue"] == before["overdue"] + 1
    assert after["interactions_30d"] == before["interactions_30d"] + 1


def test_my_work_puts_my_follow_ups_first_then_by_date(affiliate_a, member_a):
    other = factories.member(affiliate_a, username="other")
    org = factories.organisation(affiliate_a, name="Org")
    theirs = factories.interaction(
        org, actor=other, follow_up_on=dt.date(2026, 11, 20), users=[other]
    )
    mine_late = factories.interaction(
        org, actor=other, follow_up_on=dt.date(2026, 11, 30), users=[member_a]
    )
    mine_early = factories.interaction(org, actor=member_a, follow_up_on=dt.date(2026, 11, 21))
    factories.interaction(org, actor=member_a, follow_up_on=dt.date(2027, 3, 1))  # too far
    work = selectors.my_work(affiliate_a, member_a, today=dt.date(2026, 11, 22))
    assert [i.pk for i in work.follow_ups] == [mine_early.pk, mine_late.pk, theirs.pk]
    assert work.counts["overdue"] == 2


def test_duplicates_by_each_key(affiliate_a, affiliate_b):
    org = factories.organisation(
        affiliate_a,
        name="Serlo Education e.V.",
        website="https://de.serlo.org",
        wikidata_qid="Q21014693",
    )
    factories.contact(org, emails="team@serlo.example")
    factories.organisation(affiliate_b, name="Serlo Education")  # other tenant: never matched
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"name": "serlo education"}, "same name"),
        ({"website": "http://serlo.org/"}, None),
        ({"website": "https://www.de.serlo.org/mathe"}, "same website"),
        ({"wikidata_qid": "q21014693"}, "same Wikidata item"),
        ({"emails": ["TEAM@serlo.example"]}, "a contact with the same e-mail"),
    ]
    for kwargs, reason in cases:
        found = selectors.find_duplicate_organisations(affiliate_a, **kwargs)
        if reason is None:
            assert found == [], kwargs
        else:
            assert [m.organisation.pk for m in found] == [org.pk], kwargs
            assert reason in found[0].reasons


def test_a_website_typed_in_punycode_matches_the_same_site_in_unicode(affiliate_a):
    org = factories.organisation(affiliate_a, name="Canada Museum", website="https://কানাডা.com")
    found = selectors.find_duplicate_organisations(
        affiliate_a, website="http://www.xn--p5byu1gbb.com/"
    )
    assert [m.organisation.pk for m in found] == [org.pk]
