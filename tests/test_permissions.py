"""The one helper that fetches an affiliate's object or answers 404 (hub.core.permissions)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from hub.core.permissions import get_for_affiliate_or_404
from hub.partners.models import Organisation
from hub.partnerships.activities import services as activities
from hub.partnerships.models import Activity
from tests import factories


def test_returns_the_affiliates_own_object_with_the_affiliate_row_it_holds(
    affiliate_a, django_assert_num_queries
):
    org = factories.organisation(affiliate_a, name="Museum")
    with django_assert_num_queries(1):
        found = get_for_affiliate_or_404(Organisation, affiliate_a, org.pk)
        assert found.affiliate.name == affiliate_a.name  # no second query for the affiliate
    assert found == org


def test_another_affiliates_object_answers_404_as_a_missing_one_does(affiliate_a, affiliate_b):
    theirs = factories.organisation(affiliate_b, name="Their museum")
    with pytest.raises(Http404):
        get_for_affiliate_or_404(Organisation, affiliate_a, theirs.pk)
    with pytest.raises(Http404):
        get_for_affiliate_or_404(Organisation, affiliate_a, theirs.pk + 1000)


def test_an_object_without_its_own_affiliate_is_scoped_through_a_relation(
    affiliate_a, affiliate_b, django_assert_num_queries
):
    partnership = factories.partnership(affiliate_a)
    activity = activities.create_activity(
        actor=None,
        partnership=partnership,
        partners=[],
        kind="editathon",
        title="Edit-a-thon",
        starts_on=dt.date(2026, 11, 1),
    )
    rows = Activity.objects.select_related("partnership")
    with django_assert_num_queries(1):
        found = get_for_affiliate_or_404(rows, affiliate_a, activity.pk, through="partnership")
        assert found.partnership.affiliate.slug == affiliate_a.slug
    with pytest.raises(Http404):
        get_for_affiliate_or_404(rows, affiliate_b, activity.pk, through="partnership")


def test_further_filters_narrow_the_lookup(affiliate_a):
    org = factories.organisation(affiliate_a, name="Archive")
    with pytest.raises(Http404):
        get_for_affiliate_or_404(
            Organisation, affiliate_a, org.pk, status=Organisation.Status.FORMER
        )
    assert get_for_affiliate_or_404(Organisation, affiliate_a, org.pk, status=org.status) == org
