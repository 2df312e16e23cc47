"""Load the demo partnerships for the seed partners: stages, activities, money and tasks.

The records are in hub/demo/data/partnerships.json; this module creates what is missing of them
through the partnerships' services, as a user would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from hub.core.models import Affiliate, Membership, User
from hub.demo.records import build, read
from hub.partners.models import Organisation
from hub.partnerships import scoring, services
from hub.partnerships.activities import services as activities
from hub.partnerships.goals import add_main_goal
from hub.partnerships.models import AffiliateGoal, Partnership
from hub.partnerships.todo import services as todo

# Days are counted back from the day the demo is loaded, so the demo never goes stale.


@dataclass(frozen=True)
class DemoActivity:
    kind: str
    title: str
    days_ago: int
    place: str = ""
    online: bool = False
    participants: int | None = None
    articles_created: int = 0
    articles_improved: int = 0
    files_uploaded: int = 0
    items_created: int = 0
    items_edited: int = 0
    people_trained: int = 0


@dataclass(frozen=True)
class DemoContribution:
    partner: str
    kind: str
    amount: str
    currency: str
    days_ago: int
    description: str
    in_kind_type: str = ""


@dataclass(frozen=True)
class DemoTask:
    title: str
    due_in_days: int
    recurrence: str = ""


@dataclass(frozen=True)
class DemoPartnership:
    affiliate: str
    title: str
    summary: str
    partners: tuple[tuple[str, str], ...]  # (organisation name, role)
    stages: tuple[str, ...]  # the path walked from "idea", in order
    started_days_ago: int
    goals: tuple[str, ...] = ("content",)
    contribution_types: tuple[str, ...] = ("content",)
    outcome_clarity: str = "clear"
    expected_outcomes: str = ""
    agreed: tuple[str, ...] = ()  # checklist points agreed; the others stay open
    not_applicable: tuple[str, ...] = ()
    published: bool = False
    exit_notes: str = ""
    agreement_expires_in_days: int | None = None
    impact_report_every_months: int | None = None
    activities: tuple[DemoActivity, ...] = ()
    contributions: tuple[DemoContribution, ...] = ()
    tasks: tuple[DemoTask, ...] = ()
    languages: str = ""
    main_goal: str = ""  # one of the affiliate's main goals (DEMO_MAIN_GOALS) it serves
    initiative: str = "affiliate"
    structure: str = "simple"
    scope: str = "external"


_DATA = read("partnerships.json")
DEMO_PARTNERSHIPS: tuple[DemoPartnership, ...] = tuple(
    build(DemoPartnership, raw) for raw in _DATA["partnerships"]
)
# Affiliate slug: the main goals it works towards.
DEMO_MAIN_GOALS: dict[str, tuple[str, ...]] = {
    slug: tuple(goals) for slug, goals in _DATA["main_goals"].items()
}
# Affiliate slug: (reporting currency, {currency: rate}), rates entered for this year and last.
DEMO_CURRENCIES: dict[str, tuple[str, dict[str, Decimal]]] = {
    slug: (entry["reporting"], {code: Decimal(rate) for code, rate in entry["rates"].items()})
    for slug, entry in _DATA["currencies"].items()
}


@dataclass
class DemoPartnershipSummary:
    """What one run created."""

    partnerships: int = 0
    activities: int = 0
    contributions: int = 0
    tasks: int = 0
    skipped: list[str] = field(default_factory=list)


def days_ago(today: dt.date, days: int) -> dt.date:
    """Return the date that many days before today."""
    return today - dt.timedelta(days=days)


def first_manager(affiliate: Affiliate) -> User | None:
    """Return the affiliate's first manager, who does its demo work (None if it has none)."""
    manager = (
        Membership.objects.filter(affiliate=affiliate, role=Membership.Role.MANAGER)
        .select_related("user")
        .first()
    )
    return manager.user if manager else None


def load_demo_partnerships(*, today: dt.date) -> DemoPartnershipSummary:
    """Create the demo partnerships that are missing, through the services, as a user would.

    Partners come from the CRM demo (hub.demo.partners), which must be loaded first; a
    partnership whose affiliate or partners are missing is skipped and named in the summary.
    """
    summary = DemoPartnershipSummary()
    with transaction.atomic():
        _load(summary, today)
    return summary


def _load(summary: DemoPartnershipSummary, today: dt.date) -> None:
    """Create what is missing, counting it in the summary."""
    for data in DEMO_PARTNERSHIPS:
        affiliate = Affiliate.objects.filter(slug=data.affiliate).first()
        if affiliate is None:
            summary.skipped.append(data.title)
            continue
        if Partnership.objects.filter(affiliate=affiliate, title=data.title).exists():
            continue
        names = [name for name, _role in data.partners]
        orgs = {o.name: o for o in Organisation.objects.filter(affiliate=affiliate, name__in=names)}
        if len(orgs) != len(names):
            summary.skipped.append(data.title)
            continue
        actor = first_manager(affiliate)
        goals = {g.name: g for g in AffiliateGoal.objects.filter(affiliate=affiliate)}
        for name in DEMO_MAIN_GOALS.get(data.affiliate, ()):
            if name not in goals and actor is not None:
                goals[name] = add_main_goal(actor=actor, affiliate=affiliate, name=name)
        started = days_ago(today, data.started_days_ago)
        partnership = services.create_partnership(
            actor=actor,
            affiliate=affiliate,
            title=data.title,
            partners=[(orgs[name], role) for name, role in data.partners],
            goals=data.goals,
            contribution_types=data.contribution_types,
            responsible=[actor] if actor else [],
            main_goals=[goals[data.main_goal]] if data.main_goal in goals else [],
            summary=data.summary,
            start_date=started,
            outcome_clarity=data.outcome_clarity,
            expected_outcomes=data.expected_outcomes,
            languages=data.languages,
            initiative=data.initiative,
            structure=data.structure,
            scope=data.scope,
            visibility="published" if data.published else "private",
            impact_report_every_months=data.impact_report_every_months,
        )
        points = {point: ("agreed", "") for point in data.agreed}
        points.update({point: ("not_applicable", "") for point in data.not_applicable})
        services.update_agreement(
            actor=actor,
            partnership=partnership,
            points=points,
            signed_on=started + dt.timedelta(days=30) if "agreement" in data.stages else None,
            expires_on=today + dt.timedelta(days=data.agreement_expires_in_days)
            if data.agreement_expires_in_days is not None
            else None,
        )
        for stage in data.stages:
            services.advance_stage(
                actor=actor,
                partnership=partnership,
                to_stage=stage,
                exit_notes=data.exit_notes if stage == "ended" else None,
            )
        for item in data.activities:
            activities.create_activity(
                actor=actor,
                partnership=partnership,
                partners=[orgs[names[0]]],
                kind=item.kind,
                title=item.title,
                starts_on=days_ago(today, item.days_ago),
                place=item.place,
                online=item.online,
                participants=item.participants,
                articles_created=item.articles_created,
                articles_improved=item.articles_improved,
                files_uploaded=item.files_uploaded,
                items_created=item.items_created,
                items_edited=item.items_edited,
                people_trained=item.people_trained,
            )
            summary.activities += 1
        for money in data.contributions:
            activities.add_contribution(
                actor=actor,
                partnership=partnership,
                organisation=orgs[money.partner],
                kind=money.kind,
                in_kind_type=money.in_kind_type,
                received_on=days_ago(today, money.days_ago),
                description=money.description,
                amount=Decimal(money.amount),
                currency=money.currency,
            )
            summary.contributions += 1
        for task in data.tasks:
            todo.create_task(
                actor=actor,
                affiliate=affiliate,
                title=task.title,
                assignee=actor,
                due_on=today + dt.timedelta(days=task.due_in_days),
                partnership=partnership,
                recurrence=task.recurrence,
            )
            summary.tasks += 1
        summary.partnerships += 1
    for slug, (reporting, rates) in DEMO_CURRENCIES.items():
        affiliate = Affiliate.objects.filter(slug=slug).first()
        if affiliate is None or affiliate.reporting_currency == reporting:
            continue
        activities.set_reporting_currency(actor=None, affiliate=affiliate, currency=reporting)
        affiliate.refresh_from_db()
        for currency, rate in rates.items():
            for year in (today.year - 1, today.year):
                activities.set_exchange_rate(
                    actor=None, affiliate=affiliate, currency=currency, year=year, rate=rate
                )
    scoring.refresh_scores(today=today)
