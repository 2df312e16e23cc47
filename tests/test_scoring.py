"""The strategic score, rule by rule, the definition hub staff edit, and the health flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hub.core.models import AuditEvent
from hub.partnerships import scoring, selectors
from hub.partnerships.activities import selectors as activity_selectors
from hub.partnerships.models import (
    Activity,
    AffiliateGoal,
    AgreementPoint,
    Partnership,
    PartnershipPartner,
    StrategicDefinition,
)
from hub.partnerships.scoring import Facts
from hub.partnerships.todo import selectors as selectors_tasks
from hub.partnerships.todo import services as todo
from tests import factories

D = dt.date
TODAY = D(2026, 6, 15)
# A partnership that meets every rule of the default definition (not GLAM).
GOOD = {"start_date": D(2025, 1, 1), "gives_capacity": True}
GOOD_FACTS = {"activities": 3, "last_interaction": D(2026, 5, 1), "has_main_goal": True}


def run(partnership: dict[str, Any], facts: dict[str, Any], **definition: Any) -> Any:
    return scoring.assess(
        Partnership(**{**GOOD, **partnership}),
        StrategicDefinition(**definition),
        Facts(**{**GOOD_FACTS, **facts}),
        today=TODAY,
    )


def rule(result: Any, name: str) -> Any:
    return next((r for r in result.reasons if r.rule == name), None)


@pytest.mark.parametrize(
    ("name", "partnership", "facts", "met"),
    [
        ("sustained", {"start_date": D(2025, 6, 15)}, {}, True),  # exactly 12 months
        ("sustained", {"start_date": D(2025, 6, 16)}, {}, False),  # a day short
        ("sustained", {"start_date": None}, {}, False),
        ("sustained", {"start_date": D(2024, 1, 1), "end_date": D(2024, 12, 31)}, {}, False),
        ("sustained", {"start_date": D(2024, 1, 31), "end_date": D(2025, 1, 31)}, {}, True),
        ("activities", {}, {"activities": 3}, True),
        ("activities", {}, {"activities": 2}, False),
        ("interaction", {}, {"last_interaction": D(2025, 12, 15)}, True),  # six months ago
        ("interaction", {}, {"last_interaction": D(2025, 12, 14)}, False),
        ("interaction", {}, {"last_interaction": None}, False),
        ("main_goal", {}, {"has_main_goal": True}, True),
        ("main_goal", {}, {"has_main_goal": False}, False),
        ("capacity", {"gives_capacity": True}, {}, True),
        ("capacity", {"gives_capacity": False, "gives_knowledge": True}, {}, True),
        ("capacity", {"gives_capacity": False}, {}, False),
        ("glam_content", {"gives_content": True}, {"has_glam_partner": True}, True),
        ("glam_content", {}, {"has_glam_partner": True, "uploads": 1}, True),
        ("glam_content", {}, {"has_glam_partner": True}, False),
    ],
)
def test_each_rule_met_or_not(name, partnership, facts, met):
    result = run(partnership, facts)
    reason = rule(result, name)
    assert reason is not None and reason.met is met
    assert reason.explanation
    assert result.is_strategic is met  # every other rule is met


def test_glam_rule_does_not_apply_without_a_glam_partner():
    result = run({}, {"has_glam_partner": False})
    assert rule(result, "glam_content") is None
    assert (result.score, result.applicable, result.label) == (5, 5, "strategic")


def test_glam_partnership_without_content_is_a_collaboration():
    result = run({}, {"has_glam_partner": True})
    assert (result.score, result.applicable, result.label) == (5, 6, "collaboration")
    assert result.label_text == "Collaboration"


@pytest.mark.parametrize(
    ("definition", "name"),
    [
        ({"sustained_months": 0}, "sustained"),
        ({"min_activities": 0}, "activities"),
        ({"interaction_within_months": 0}, "interaction"),
        ({"require_main_goal": False}, "main_goal"),
        ({"require_capacity": False}, "capacity"),
        ({"glam_requires_content": False}, "glam_content"),
    ],
)
def test_a_rule_switched_off_does_not_apply(definition, name):
    result = run({}, {"has_glam_partner": True}, **definition)
    assert result.applicable == 5 and rule(result, name) is None


@pytest.mark.parametrize(
    ("definition", "facts", "label"),
    [
        ({"min_activities": 5}, {"activities": 4}, "collaboration"),
        ({"min_activities": 5}, {"activities": 5}, "strategic"),
        ({"sustained_months": 24}, {}, "collaboration"),  # 17 months
        ({"strategic_from_score": 4}, {"activities": 0}, "strategic"),  # 4 of 5
        ({"strategic_from_score": 4}, {"activities": 0, "has_main_goal": False}, "collaboration"),
        ({"strategic_from_score": 6}, {}, "strategic"),  # more than apply: all that apply
    ],
)
def test_thresholds_decide_the_label(definition, facts, label):
    assert run({}, facts, **definition).label == label


def test_no_rule_that_applies_means_collaboration():
    result = run(
        {},
        {},
        sustained_months=0,
        min_activities=0,
        interaction_within_months=0,
        require_main_goal=False,
        require_capacity=False,
        glam_requires_content=False,
    )
    assert (result.applicable, result.label) == (0, "collaboration")


def _strategic_partnership(affiliate: Any, member: Any, *, glam: bool = False) -> Partnership:
    org = factories.organisation(affiliate, partner_type="museum" if glam else "university")
    p = factories.partnership(
        affiliate, partners=[(org, "main")], start_date=D(2024, 1, 1), gives_knowledge=True
    )
    goal = AffiliateGoal.objects.create(affiliate=affiliate, name=f"Goal {p.pk}")
    p.main_goals.add(goal)
    for i in range(3):
        Activity.objects.create(
            partnership=p, kind="editathon", title=f"Edit-a-thon {i}", starts_on=D(2025, 3, 1 + i)
        )
    factories.interaction(org, actor=member, date=D(2026, 5, 1))
    return p


@pytest.mark.django_db
def test_facts_come_from_activities_goals_partners_and_interactions(affiliate_a, member_a):
    p = _strategic_partnership(affiliate_a, member_a, glam=True)
    co = factories.organisation(affiliate_a)
    PartnershipPartner.objects.create(partnership=p, organisation=co, role="co_partner")
    factories.interaction(co, actor=member_a, date=D(2026, 6, 1))  # the latest, via a co-partner
    factories.interaction(factories.organisation(affiliate_a), date=D(2026, 6, 14))  # not a partner
    Activity.objects.create(partnership=p, kind="media_upload", title="Upload", starts_on=TODAY)
    facts = scoring.facts_for(Partnership.objects.filter(pk=p.pk))[p.pk]
    assert facts == Facts(
        activities=4,
        uploads=1,
        last_interaction=D(2026, 6, 1),
        has_main_goal=True,
        has_glam_partner=True,
    )


@pytest.mark.django_db
def test_refresh_scores_stores_labels_without_touching_updated_at(affiliate_a, member_a):
    good = _strategic_partnership(affiliate_a, member_a)
    weak = factories.partnership(affiliate_a)
    stamp = Partnership.objects.get(pk=good.pk).updated_at
    assert scoring.refresh_scores(affiliate_a, today=TODAY) == 1
    good.refresh_from_db()
    weak.refresh_from_db()
    assert (good.strategic_score, good.is_strategic) == (5, True)
    assert (weak.strategic_score, weak.is_strategic) == (0, False)
    assert good.updated_at == stamp
    assert scoring.refresh_scores(affiliate_a, today=TODAY) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 8])
def test_refresh_scores_query_count_does_not_grow(
    affiliate_a, member_a, n, django_assert_max_num_queries
):
    for _ in range(n):
        _strategic_partnership(affiliate_a, member_a)
    # The definition, six for the facts, the partnerships, one update (and its savepoint),
    # the affiliate whose labels moved and its audit event (which moves the dashboard's stamp).
    with django_assert_max_num_queries(13):
        assert scoring.refresh_scores(today=TODAY) == n


@pytest.mark.django_db
def test_refresh_score_of_one_partnership(affiliate_a, member_a):
    p = _strategic_partnership(affiliate_a, member_a, glam=True)
    result = scoring.refresh_score(p, today=TODAY)
    assert (result.score, result.applicable, p.is_strategic) == (5, 6, False)
    p.gives_content = True
    p.save()
    assert scoring.refresh_score(p, today=TODAY).is_strategic
    assert Partnership.objects.get(pk=p.pk).is_strategic


FROZEN = time_machine.travel(dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.mark.django_db
@FROZEN
def test_hub_staff_edit_the_definition_and_labels_follow(
    affiliate_a, member_a, client_a, django_capture_on_commit_callbacks
):
    p = _strategic_partnership(affiliate_a, member_a)
    scoring.refresh_scores()
    p.refresh_from_db()
    assert p.is_strategic
    url = reverse("partnerships:strategic_definition")
    assert client_a.get(url).status_code == 404
    assert client_a.post(url, {"min_activities": 9}).status_code == 404
    staff = factories.member(affiliate_a, username="hubby", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and b"sustained for at least" in page.content.lower()
    data = {
        "sustained_months": 12,
        "min_activities": 10,
        "interaction_within_months": 6,
        "require_main_goal": "on",
        "require_capacity": "on",
        "glam_requires_content": "on",
        "strategic_from_score": 0,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="strategic_definition.updated")
    assert event.actor == staff and event.changes == {"min_activities": [3, 10]}
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hub.partnerships.tasks.refresh_strategic_scores"
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    p.refresh_from_db()
    assert (p.strategic_score, p.is_strategic) == (4, False)


@pytest.mark.django_db
def test_definition_form_refuses_absurd_numbers_and_saves_nothing(affiliate_a):
    staff = factories.member(affiliate_a, username="hubby", is_hub_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("partnerships:strategic_definition"),
        {
            "sustained_months": 5000,
            "min_activities": 3,
            "interaction_within_months": 6,
            "strategic_from_score": 8,
        },
    )
    assert response.status_code == 200
    assert "There are seven rules" in response.content.decode()
    assert "up to 240" in response.content.decode()
    assert scoring.get_definition().sustained_months == 12
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_health_flags_say_what_needs_care(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    p = factories.partnership(
        affiliate_a,
        partners=[(org, "main")],
        stage="active",
        start_date=D(2025, 1, 1),
        impact_report_every_months=6,
        agreement_expires_on=D(2026, 7, 1),
    )
    factories.interaction(org, actor=member_a, date=D(2026, 2, 1))
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="T", due_on=D(2026, 6, 1), partnership=p
    )
    flags = {f.code: f.text for f in scoring.health_flags(p, today=TODAY)}
    assert flags == {
        "quiet": "No interaction in 90 days.",
        "checklist": "6 agreement points not discussed.",
        "tasks": "1 overdue task.",
        "impact_report": "Impact report overdue since 2025-07-01.",
        "agreement": "The agreement expires on 2026-07-01.",
    }


@pytest.mark.django_db
def test_a_healthy_partnership_has_no_flags(affiliate_a, member_a):
    org = factories.organisation(affiliate_a)
    p = factories.partnership(
        affiliate_a,
        partners=[(org, "main")],
        stage="negotiation",
        impact_reported_on=D(2026, 6, 1),
        impact_report_every_months=6,
        agreement_expires_on=D(2026, 8, 15),
    )
    AgreementPoint.objects.filter(partnership=p).update(status="agreed")
    factories.interaction(org, actor=member_a, date=D(2026, 6, 1))
    assert scoring.health_flags(p, today=TODAY) == []
    # Ideas have no agreement to settle yet; ended partnerships are not watched.
    idea = factories.partnership(affiliate_a, stage="idea", partners=[(org, "main")])
    ended = factories.partnership(affiliate_a, stage="ended")
    assert "checklist" not in {f.code for f in scoring.health_flags(idea, today=TODAY)}
    assert scoring.health_flags(ended, today=TODAY) == []


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 10])
def test_health_flags_for_a_page_take_a_fixed_number_of_queries(
    affiliate_a, member_a, n, django_assert_num_queries
):
    rows = [factories.partnership(affiliate_a, stage="active") for _ in range(n)]
    with django_assert_num_queries(4):
        flags = scoring.health_flags_for(rows, today=TODAY)
    assert all("checklist" in {f.code for f in flags[p.pk]} for p in rows)


@pytest.mark.django_db
def test_section_context_renders_both_partials(
    affiliate_a, member_a, rf, django_assert_max_num_queries
):
    p = _strategic_partnership(affiliate_a, member_a)
    todo.create_task(actor=member_a, affiliate=affiliate_a, title="Sign the letter", partnership=p)
    scoring.get_definition()
    page = selectors.partnership_page(affiliate_a, p.pk)
    outputs = activity_selectors.activity_outputs(Activity.objects.filter(partnership=p))
    # Open tasks and the definition: the rules' facts come from what the page has loaded.
    with django_assert_max_num_queries(2):
        context = selectors_tasks.section_context(page, outputs, today=TODAY)
    request = rf.get("/")
    request.user = member_a
    context.update({"partnership": p, "affiliate": affiliate_a, "can_edit": True})
    tasks_html = render_to_string("partnerships/_section_tasks.html", context, request=request)
    strategic_html = render_to_string(
        "partnerships/_section_strategic.html", context, request=request
    )
    assert "Sign the letter" in tasks_html and "mark done" in tasks_html
    assert f"?partnership={p.pk}" in tasks_html
    assert "Strategic partnership" in strategic_html
    assert "meets 5 of 5 rules" in strategic_html
    assert "3 joint activities; at least 3 needed." in strategic_html


@pytest.mark.django_db
@pytest.mark.parametrize("glam", [False, True])
def test_partnership_page_judges_as_the_scoring_of_all_does(affiliate_a, member_a, glam):
    """The page reads the rules' facts off what it loaded; the verdict and the flags must be
    the ones the database-wide scoring and the health flags compute themselves."""
    p = _strategic_partnership(affiliate_a, member_a, glam=glam)
    co = factories.organisation(affiliate_a)
    PartnershipPartner.objects.create(partnership=p, organisation=co, role="co_partner")
    factories.interaction(co, actor=member_a, date=D(2026, 6, 1))
    Activity.objects.create(partnership=p, kind="media_upload", title="Upload", starts_on=TODAY)
    todo.create_task(
        actor=member_a, affiliate=affiliate_a, title="Late", partnership=p, due_on=D(2026, 1, 2)
    )
    page = selectors.partnership_page(affiliate_a, p.pk)
    outputs = activity_selectors.activity_outputs(Activity.objects.filter(partnership=p))
    context = selectors_tasks.section_context(page, outputs, today=TODAY)
    facts = scoring.facts_for(Partnership.objects.filter(pk=p.pk))[p.pk]
    assert context["assessment"] == scoring.assess(p, scoring.get_definition(), facts, today=TODAY)
    assert context["health_flags"] == scoring.health_flags(p, today=TODAY)
    assert {f.code for f in context["health_flags"]} >= {"tasks"}


@pytest.mark.django_db
@FROZEN
def test_strategic_overview_lists_labels_and_flags_for_members_only(
    affiliate_a, member_a, client_a, client_b, viewer_a, django_assert_max_num_queries
):
    good = _strategic_partnership(affiliate_a, member_a)
    factories.partnership(affiliate_a, title="Quiet one", stage="active")
    scoring.refresh_scores()
    url = reverse("partnerships:strategic_overview", kwargs={"slug": "alpha"})
    with django_assert_max_num_queries(14):
        page = client_a.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert good.title in html and "Quiet one" in html
    assert "No interaction in 90 days." in html
    only = client_a.get(url, {"label": "strategic"}).content.decode()
    assert good.title in only and "Quiet one" not in only
    assert client_b.get(url).status_code == 404
    viewer = Client()
    viewer.force_login(viewer_a)
    assert viewer.get(url).status_code == 200
