"""Prepared queries give what Django gives for the same queryset, without compiling again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.core import audit
from hub.core.prepared import PreparedQuery
from hub.partners.models import Interaction
from hub.partnerships import activities, selectors, services, todo
from hub.partnerships.models import Contribution, Task
from tests import factories

pytestmark = pytest.mark.django_db


def _values(objects: list[Any], *names: str) -> list[tuple[Any, ...]]:
    return [tuple(getattr(obj, name) for name in names) for obj in objects]


@pytest.fixture
def busy(affiliate_a: Any, member_a: Any) -> Any:
    """A partnership with two partners, interactions, activities, money, tasks and events."""
    museum = factories.organisation(affiliate_a, name="Museum")
    library = factories.organisation(affiliate_a, name="Library")
    p = factories.partnership(
        affiliate_a, actor=member_a, partners=[(museum, "main"), (library, "funder")]
    )
    p.responsible.add(member_a)
    p.main_goals.add(factories.main_goal(affiliate_a, "Open heritage"))
    for n in range(3):
        factories.interaction(museum if n % 2 else library, actor=member_a, summary=f"Talk {n}")
        activities.create_activity(
            actor=member_a,
            partnership=p,
            kind="editathon",
            title=f"Edit-a-thon {n}",
            starts_on=dt.date(2026, 1, 1 + n),
        )
        activities.add_contribution(
            actor=member_a,
            partnership=p,
            organisation=museum if n else None,
            kind="financial",
            received_on=dt.date(2026, 2, 1 + n),
            amount=Decimal("10.25") * (n + 1),
            currency="EUR",
        )
    todo.create_task(actor=member_a, affiliate=affiliate_a, title="Report", partnership=p)
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Call", partnership=p, assignee=member_a
    )
    factories.document(p, actor=member_a)
    services.update_partnership(actor=member_a, partnership=p, summary="Changed")
    # Another affiliate's partnership, which no query of A's may return.
    factories.partnership(factories.affiliate(slug="gamma"))
    return p


def test_every_prepared_read_of_the_partnership_page_matches_django(busy: Any) -> None:
    p = busy
    orgs = list(p.partners.values_list("organisation_id", flat=True))
    pairs: list[tuple[list[Any], tuple[str, ...]]] = [
        (selectors._PARTNERSHIP(p.affiliate_id, p.pk), ("pk", "title", "stage", "summary")),
        (selectors._PARTNERS(p.pk), ("pk", "role", "organisation_id")),
        (selectors._CHECKLIST(p.pk), ("pk", "point", "status")),
        (selectors._DOCUMENTS(p.pk), ("pk", "original_name", "uploaded_at")),
        (selectors._STAGES(p.pk), ("pk", "to_stage", "at")),
        (selectors._RESPONSIBLE(p.pk), ("pk", "username")),
        (selectors._MAIN_GOALS(p.pk), ("pk", "name")),
        (selectors._INTERACTIONS(p.affiliate_id, orgs, upto=5), ("pk", "date", "summary")),
        (selectors._ACTIVITIES(p.pk, upto=2), ("pk", "title", "starts_on")),
        (selectors._TASKS(p.pk, upto=5), ("pk", "title", "created_at", "assignee_id")),
        (selectors._CONTRIBUTIONS(p.pk, upto=5), ("pk", "amount", "received_on")),
        (selectors._EVENTS(p.pk, upto=5), ("pk", "action", "created_at", "changes")),
    ]
    expected = [
        type(p).objects.filter(pk=p.pk),
        p.partners.all(),
        p.agreement_points.order_by("id"),
        p.documents.all(),
        p.stage_changes.all(),
        p.responsible.order_by("username"),
        p.main_goals.all(),
        Interaction.objects.filter(affiliate=p.affiliate, organisation_id__in=orgs).order_by(
            "-date", "-id"
        )[:5],
        p.activities.order_by("-starts_on", "-id")[:2],
        Task.objects.filter(partnership=p).order_by("-created_at", "-id")[:5],
        Contribution.objects.filter(partnership=p).order_by("-received_on", "-id")[:5],
        audit.events_for(p).exclude(action__in=selectors._SHOWN_ELSEWHERE)[:5],
    ]
    for (prepared, names), queryset in zip(pairs, expected, strict=True):
        assert prepared, names
        assert _values(prepared, *names) == _values(list(queryset), *names)
    # Dates, times and amounts come back as Python values on either database.
    money = selectors._CONTRIBUTIONS(p.pk, upto=5)
    assert money[0].amount == Decimal("30.75") and money[0].received_on == dt.date(2026, 2, 3)


def test_joined_rows_come_with_the_object_and_ask_nothing_more(busy: Any, member_a: Any) -> None:
    tasks = selectors._TASKS(busy.pk, upto=5)
    contributions = selectors._CONTRIBUTIONS(busy.pk, upto=5)
    with CaptureQueriesContext(connection) as queries:
        assignees = {str(t.assignee) for t in tasks if t.assignee_id}
        names = [c.organisation.name if c.organisation_id else None for c in contributions]
        partners = [pp.organisation.name for pp in selectors._PARTNERS(busy.pk)]
    assert assignees == {str(member_a)}
    assert names == ["Museum", "Museum", None]
    assert sorted(partners) == ["Library", "Museum"]
    assert len(queries) == 1  # the partners' read itself
    # Columns left out are deferred, as with only().
    assert "password" in selectors._RESPONSIBLE(busy.pk)[0].get_deferred_fields()


def test_another_affiliates_partnership_is_not_found(busy: Any, affiliate_b: Any) -> None:
    assert selectors._PARTNERSHIP(affiliate_b.pk, busy.pk) == []


def test_in_lists_of_each_length_get_their_own_sql(busy: Any) -> None:
    orgs = sorted(busy.partners.values_list("organisation_id", flat=True))
    one = selectors._INTERACTIONS(busy.affiliate_id, orgs[:1], upto=10)
    both = selectors._INTERACTIONS(busy.affiliate_id, orgs, upto=10)
    assert {i.organisation_id for i in one} == {orgs[0]}
    assert {i.organisation_id for i in both} == set(orgs) and len(both) == 3


def test_a_build_that_ignores_its_id_is_refused(busy: Any) -> None:
    broken = PreparedQuery(lambda pk: Task.objects.filter(title="Report"))
    with pytest.raises(ValueError, match="stand-in id"):
        broken(busy.pk)
