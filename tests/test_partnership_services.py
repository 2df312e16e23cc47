"""Partnership services: creation, partners and roles, agreement, archive, main goals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hub.core.models import AuditEvent
from hub.partnerships import goals, services
from hub.partnerships.models import (
    AffiliateGoal,
    AgreementPoint,
    ChecklistPoint,
    Partnership,
    PartnershipPartner,
    Stage,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_maps_goals_and_contribution_types_to_their_columns(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name="Museum")
    goal = factories.main_goal(affiliate_a, name="Women in Red")
    p = services.create_partnership(
        actor=member_a,
        affiliate=affiliate_a,
        title="Textiles on Commons",
        partners=[(museum, "main")],
        goals=["content", "advocacy"],
        contribution_types=["content", "knowledge"],
        responsible=[member_a],
        main_goals=[goal],
        start_date=dt.date(2026, 1, 1),
    )
    p.refresh_from_db()
    assert (p.goal_content, p.goal_advocacy, p.goal_funding) == (True, True, False)
    assert (p.gives_content, p.gives_knowledge, p.gives_support) == (True, True, False)
    assert sorted(p.goals) == ["advocacy", "content"]
    assert list(p.responsible.all()) == [member_a]
    assert list(p.main_goals.all()) == [goal]
    assert p.stage == Stage.IDEA
    assert p.agreement_points.count() == len(ChecklistPoint.values)
    event = AuditEvent.objects.get(action="partnership.created", target_id=p.pk)
    assert event.changes["partners"][1] == ["Museum (Main partner)"]


def test_create_with_two_partners_in_different_roles(affiliate_a, member_a):
    a = factories.organisation(affiliate_a, name="Archive")
    b = factories.organisation(affiliate_a, name="Ministry")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(a, "main"), (b, "funder")])
    assert sorted(p.partners.values_list("organisation__name", "role")) == [
        ("Archive", "main"),
        ("Ministry", "funder"),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"partners": []},
        {"goals": ["world peace"]},
        {"start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 4, 1)},
        {"agreement_signed_on": dt.date(2026, 5, 1), "agreement_expires_on": dt.date(2025, 1, 1)},
    ],
    ids=["no partner", "unknown goal", "ends before start", "expires before signed"],
)
def test_create_refuses_bad_input_and_writes_nothing(affiliate_a, member_a, bad):
    org = factories.organisation(affiliate_a)
    kwargs = {"partners": [(org, "main")], **bad}
    with pytest.raises(ValidationError) as error:
        services.create_partnership(actor=member_a, affiliate=affiliate_a, title="X", **kwargs)
    assert error.value.messages
    assert not Partnership.objects.exists()
    assert not AuditEvent.objects.filter(action="partnership.created").exists()


def test_end_before_start_is_explained_in_words(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    with pytest.raises(ValidationError) as error:
        services.create_partnership(
            actor=member_a,
            affiliate=affiliate_a,
            title="X",
            partners=[(org, "main")],
            start_date=dt.date(2026, 5, 1),
            end_date=dt.date(2026, 4, 1),
        )
    assert error.value.message_dict["end_date"] == ["The end date is before the start date."]


def test_responsible_people_must_be_members(affiliate_a, member_a, member_b):
    org = factories.organisation(affiliate_a)
    with pytest.raises(ValidationError, match="Only members"):
        services.create_partnership(
            actor=member_a,
            affiliate=affiliate_a,
            title="X",
            partners=[(org, "main")],
            responsible=[member_b],
        )


def test_main_goals_must_be_the_affiliates_own(affiliate_a, affiliate_b, member_a):
    org = factories.organisation(affiliate_a)
    foreign = factories.main_goal(affiliate_b)
    with pytest.raises(ValidationError, match="own main goals"):
        services.create_partnership(
            actor=member_a,
            affiliate=affiliate_a,
            title="X",
            partners=[(org, "main")],
            main_goals=[foreign],
        )


def test_partners_come_only_from_the_same_affiliate(affiliate_a, affiliate_b, member_a):
    foreign = factories.organisation(affiliate_b)
    with pytest.raises(ValidationError, match="own directory"):
        factories.partnership(affiliate_a, actor=member_a, partners=[(foreign, "main")])


def test_the_same_partner_twice_is_refused(affiliate_a, member_a):
    org = factories.organisation(affiliate_a, name="Twice")
    with pytest.raises(ValidationError, match="listed twice"):
        factories.partnership(
            affiliate_a, actor=member_a, partners=[(org, "main"), (org, "funder")]
        )


def test_set_partners_replaces_roles_and_records_the_change(affiliate_a, member_a):
    a = factories.organisation(affiliate_a, name="A")
    b = factories.organisation(affiliate_a, name="B")
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(a, "main")])
    services.set_partners(
        actor=member_a, partnership=p, partners=[(a, "funder"), (b, "venue_host")]
    )
    assert sorted(p.partners.values_list("organisation__name", "role")) == [
        ("A", "funder"),
        ("B", "venue_host"),
    ]
    event = AuditEvent.objects.get(action="partnership.partners_changed")
    assert event.changes["partners"] == [["A (Main partner)"], ["A (Funder)", "B (Venue host)"]]


def test_the_last_partner_cannot_be_removed(affiliate_a, member_a):
    a = factories.organisation(affiliate_a)
    b = factories.organisation(affiliate_a)
    p = factories.partnership(affiliate_a, actor=member_a, partners=[(a, "main")])
    services.add_partner(actor=member_a, partnership=p, organisation=b, role="co_partner")
    services.remove_partner(actor=member_a, partnership=p, organisation=a)
    assert list(p.partners.values_list("organisation_id", flat=True)) == [b.pk]
    with pytest.raises(ValidationError, match="at least one partner"):
        services.remove_partner(actor=member_a, partnership=p, organisation=b)
    assert PartnershipPartner.objects.filter(partnership=p).count() == 1


def test_update_records_only_what_changed(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, title="Old")
    services.update_partnership(actor=member_a, partnership=p, title="New", goals=["funding"])
    event = AuditEvent.objects.get(action="partnership.updated")
    assert event.changes == {"title": ["Old", "New"], "goal_funding": [False, True]}
    services.update_partnership(actor=member_a, partnership=p, title="New")
    assert AuditEvent.objects.filter(action="partnership.updated").count() == 1


def test_update_refuses_an_end_before_the_start(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, start_date=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError):
        services.update_partnership(actor=member_a, partnership=p, end_date=dt.date(2026, 2, 1))
    p.refresh_from_db()
    assert p.end_date is None


def test_agreement_points_and_dates_are_saved_and_audited(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    services.update_agreement_point(
        actor=member_a, partnership=p, point="licences", status="agreed", text="CC BY-SA 4.0"
    )
    point = p.agreement_points.get(point="licences")
    assert (point.status, point.text) == ("agreed", "CC BY-SA 4.0")
    services.set_agreement_dates(
        actor=member_a,
        partnership=p,
        signed_on=dt.date(2026, 2, 1),
        expires_on=dt.date(2027, 2, 1),
    )
    p.refresh_from_db()
    assert p.agreement_expires_on == dt.date(2027, 2, 1)
    assert AuditEvent.objects.filter(action="partnership.agreement_updated").count() == 2
    assert not services.checklist_reviewed(p)


def test_expiry_before_signing_is_refused_and_nothing_changes(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    with pytest.raises(ValidationError, match="cannot expire before it was signed"):
        services.update_agreement(
            actor=member_a,
            partnership=p,
            points={"money": ("agreed", "The museum pays the scanner.")},
            signed_on=dt.date(2026, 2, 1),
            expires_on=dt.date(2026, 1, 1),
        )
    assert p.agreement_points.get(point="money").status == AgreementPoint.Status.NOT_DISCUSSED
    p.refresh_from_db()
    assert p.agreement_signed_on is None


def test_archive_and_restore(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    services.archive_partnership(actor=member_a, partnership=p)
    assert p.archived_at is not None
    services.restore_partnership(actor=member_a, partnership=p)
    assert p.archived_at is None
    assert (
        AuditEvent.objects.filter(
            action__in=["partnership.archived", "partnership.restored"]
        ).count()
        == 2
    )


def test_main_goals_are_managed_by_managers_only(affiliate_a, member_a):
    manager = factories.member(affiliate_a, username="mona", role="manager")
    goal = goals.add_main_goal(actor=manager, affiliate=affiliate_a, name="  Open  heritage ")
    assert goal.name == "Open heritage"
    with pytest.raises(ValidationError, match="already has a goal"):
        goals.add_main_goal(actor=manager, affiliate=affiliate_a, name="open heritage")
    goals.rename_main_goal(actor=manager, goal=goal, name="Open public heritage")
    with pytest.raises(PermissionDenied):
        goals.add_main_goal(actor=member_a, affiliate=affiliate_a, name="Mine")
    goals.remove_main_goal(actor=manager, goal=goal)
    assert not AffiliateGoal.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="main_goal.").count() == 3
