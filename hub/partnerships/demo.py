"""Demo partnerships for the seed partners: believable stages, activities, money and tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

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


ALL_POINTS = ("roles", "authority", "communication", "money", "licences", "exit")
TO_ACTIVE = ("first_contact", "concept_note", "negotiation", "agreement", "active")

DEMO_PARTNERSHIPS: tuple[DemoPartnership, ...] = (
    DemoPartnership(
        affiliate="sweden",
        title="WikiGap with Swedish embassies",
        main_goal="Close the gender gap",
        summary="Edit-a-thons on articles about women, held with embassies around the world.",
        partners=(
            ("Swedish Ministry for Foreign Affairs", "main"),
            ("The Swedish Internet Foundation", "venue_host"),
        ),
        stages=(*TO_ACTIVE, "reporting", "evaluation", "continued"),
        started_days_ago=6 * 365,
        goals=("content", "advocacy"),
        contribution_types=("content", "contributors", "knowledge", "awareness", "support"),
        expected_outcomes="New and improved articles about women in many languages.",
        agreed=ALL_POINTS,
        published=True,
        agreement_expires_in_days=45,
        impact_report_every_months=12,
        languages="sv, en, fr, ar",
        activities=(
            DemoActivity(
                "campaign", "WikiGap 2025", 600, "Stockholm", False, 120, 310, 540, 45, 0, 0, 80
            ),
            DemoActivity(
                "editathon", "WikiGap 2026", 250, "Stockholm", False, 95, 260, 400, 30, 0, 0, 60
            ),
            DemoActivity(
                "training", "Training embassy staff", 240, "", True, 25, people_trained=25
            ),
            DemoActivity("meeting", "Planning WikiGap 2027", 20, "Stockholm"),
        ),
        contributions=(
            DemoContribution(
                "Swedish Ministry for Foreign Affairs",
                "financial",
                "150000",
                "SEK",
                300,
                "Grant for WikiGap coordination",
            ),
            DemoContribution(
                "The Swedish Internet Foundation",
                "in_kind",
                "12000",
                "SEK",
                250,
                "Venue and catering for WikiGap 2026",
                "venue",
            ),
        ),
        tasks=(
            DemoTask("Send WikiGap 2026 figures to the ministry", 10),
            DemoTask("Check in with embassy contacts", 30, "monthly"),
        ),
    ),
    DemoPartnership(
        affiliate="poland",
        title="Wikipedian in Residence at the National Museum",
        main_goal="Cultural heritage free online",
        summary="The chapter's first Wikipedian in Residence: digitised collections to Commons.",
        partners=(("Polish National Museum", "main"),),
        stages=(*TO_ACTIVE, "reporting"),
        started_days_ago=2 * 365,
        goals=("content",),
        contribution_types=("content", "knowledge", "capacity"),
        expected_outcomes="Public-domain paintings on Commons, with Wikidata items.",
        agreed=("roles", "authority", "communication", "licences", "exit"),
        not_applicable=("money",),
        published=True,
        impact_report_every_months=6,
        languages="pl, en",
        activities=(
            DemoActivity(
                "residency", "Residency 2025–2026", 500, "Warsaw", participants=1, files_uploaded=0
            ),
            DemoActivity(
                "media_upload", "Upload of 1,240 paintings", 200, "Warsaw", files_uploaded=1240
            ),
            DemoActivity("data_upload", "Wikidata items for the paintings", 180, items_created=860),
            DemoActivity(
                "training", "Workshop for curators", 120, "Warsaw", False, 14, 0, 0, 0, 0, 0, 14
            ),
        ),
        contributions=(
            DemoContribution(
                "Polish National Museum",
                "in_kind",
                "18000",
                "PLN",
                400,
                "Office, scanning equipment and staff time",
                "staff_time",
            ),
        ),
        tasks=(DemoTask("Send the museum its half-year impact report", 5),),
    ),
    DemoPartnership(
        affiliate="poland",
        title="Countryside traditions with the Ethnographic Museum",
        summary="Volunteers photograph and write about traditions of the Polish countryside.",
        partners=(("Ethnographic Museum", "main"),),
        stages=("first_contact", "concept_note", "negotiation"),
        started_days_ago=90,
        goals=("content", "advocacy"),
        contribution_types=("content", "contributors"),
        outcome_clarity="indirect",
        agreed=("roles", "communication"),
        tasks=(DemoTask("Draft the agreement", 14),),
    ),
    DemoPartnership(
        affiliate="chile",
        title="Alliances programme: heritage and tourism",
        main_goal="Heritage and tourism content",
        summary="Content creation and content donation with public-sector partners.",
        partners=(
            ("National Cultural Heritage Service", "main"),
            ("National Tourism Service", "co_partner"),
            ("Economic Commission for Latin America and the Caribbean", "co_partner"),
        ),
        stages=TO_ACTIVE,
        started_days_ago=500,
        goals=("content", "advocacy"),
        contribution_types=("content", "knowledge", "capacity"),
        structure="complex",
        agreed=ALL_POINTS,
        published=True,
        agreement_expires_in_days=25,
        languages="es",
        activities=(
            DemoActivity(
                "training",
                "Wikipedia for heritage workers",
                300,
                "Santiago",
                False,
                40,
                12,
                30,
                0,
                0,
                0,
                40,
            ),
            DemoActivity("media_upload", "Heritage photo donation", 210, files_uploaded=420),
            DemoActivity("editathon", "Tourism edit-a-thon", 60, "Valparaíso", False, 35, 25, 60),
        ),
        contributions=(
            DemoContribution(
                "National Tourism Service",
                "in_kind",
                "800000",
                "CLP",
                60,
                "Venue and transport for the edit-a-thon",
                "transport",
            ),
        ),
    ),
    DemoPartnership(
        affiliate="morocco",
        title="Reading Wikipedia in the Classroom",
        main_goal="Wikipedia in education",
        summary="Teacher training with the Foundation's Education team; the network is the "
        "fiscal sponsor.",
        partners=(
            ("Reading Network in Morocco", "fiscal_sponsor"),
            ("Wikimedia Foundation", "funder"),
        ),
        stages=(*TO_ACTIVE, "reporting", "evaluation"),
        started_days_ago=420,
        goals=("funding", "advocacy"),
        contribution_types=("knowledge", "contributors", "support"),
        scope="internal",
        agreed=ALL_POINTS,
        languages="ar, fr, zgh",
        activities=(
            DemoActivity(
                "training", "Teacher training, Rabat", 300, "Rabat", False, 30, people_trained=30
            ),
            DemoActivity(
                "training", "Teacher training, Agadir", 200, "Agadir", False, 26, people_trained=26
            ),
        ),
        contributions=(
            DemoContribution(
                "Wikimedia Foundation", "financial", "12000", "USD", 380, "Programme grant"
            ),
            DemoContribution(
                "Reading Network in Morocco",
                "in_kind",
                "15000",
                "MAD",
                250,
                "Classrooms and connectivity",
                "connectivity",
            ),
        ),
        tasks=(DemoTask("Write the evaluation for the Foundation", -3),),
    ),
    DemoPartnership(
        affiliate="morocco",
        title="Tachelhit Wikipedia recordings",
        main_goal="Amazigh languages online",
        summary="Language recordings and articles to get the Tachelhit Wikipedia out of the "
        "Incubator.",
        partners=(("Royal Institute of Amazigh Culture", "main"),),
        stages=("first_contact", "concept_note"),
        started_days_ago=120,
        goals=("content",),
        contribution_types=("content", "knowledge"),
        outcome_clarity="unclear",
        initiative="partner",
        languages="shi",
        activities=(DemoActivity("recording", "First word recordings", 40, "Rabat", False, 6),),
    ),
    DemoPartnership(
        affiliate="ukraine",
        title="WikiGap and She Did It",
        main_goal="Close the gender gap",
        summary="Articles about prominent women, with the Swedish embassy and the UN "
        "Population Fund.",
        partners=(
            ("Embassy of Sweden in Kyiv", "main"),
            ("United Nations Population Fund, Ukraine office", "co_partner"),
            ("National Democratic Institute", "co_partner"),
        ),
        stages=(*TO_ACTIVE, "reporting", "evaluation", "continued"),
        started_days_ago=5 * 365,
        goals=("content", "advocacy"),
        contribution_types=("content", "contributors", "awareness"),
        agreed=ALL_POINTS,
        published=True,
        agreement_expires_in_days=55,
        languages="uk",
        activities=(
            DemoActivity("campaign", "WikiGap challenge 2025", 560, "", True, 210, 640, 300),
            DemoActivity("campaign", "WikiGap challenge 2026", 200, "", True, 260, 710, 380),
            DemoActivity("campaign", "She Did It", 100, "", True, 90, 150, 90),
        ),
        contributions=(
            DemoContribution(
                "Embassy of Sweden in Kyiv",
                "in_kind",
                "2500",
                "EUR",
                200,
                "Prizes for the winners",
                "prizes",
            ),
        ),
    ),
    DemoPartnership(
        affiliate="germany",
        title="Open educational resources with Serlo",
        summary="Informal exchange on community support, crowdfunding and software development.",
        partners=(("Serlo Education", "main"),),
        stages=("first_contact",),
        started_days_ago=60,
        goals=("advocacy",),
        contribution_types=("knowledge", "capacity"),
        outcome_clarity="unclear",
        initiative="partner",
    ),
    DemoPartnership(
        affiliate="wikiedu",
        title="Women in science with the American Chemical Society",
        main_goal="Students as editors",
        summary="Students improve articles about women chemists in their courses.",
        partners=(("American Chemical Society", "main"), ("Smithsonian Institution", "co_partner")),
        stages=(*TO_ACTIVE,),
        started_days_ago=800,
        goals=("content", "funding"),
        contribution_types=("content", "contributors", "support"),
        agreed=ALL_POINTS,
        published=True,
        activities=(
            DemoActivity(
                "training", "Course cohort, spring", 420, "", True, 140, 30, 210, 0, 0, 0, 140
            ),
            DemoActivity(
                "training", "Course cohort, autumn", 180, "", True, 160, 42, 260, 0, 0, 0, 160
            ),
        ),
        contributions=(
            DemoContribution(
                "American Chemical Society", "financial", "40000", "USD", 420, "Sponsorship"
            ),
        ),
    ),
    DemoPartnership(
        affiliate="czechia",
        title="Digital literacy with Digikoalice",
        summary="Media, information and literacy skills; Lush and Veolia Foundation as funders.",
        partners=(
            ("Digikoalice", "main"),
            ("Veolia Foundation", "funder"),
            ("Lush", "funder"),
        ),
        stages=(*TO_ACTIVE[:-1],),
        started_days_ago=150,
        goals=("funding", "advocacy"),
        contribution_types=("knowledge", "support", "awareness"),
        outcome_clarity="indirect",
        agreed=("roles", "money"),
        tasks=(DemoTask("Agree licences for the teaching material", 21),),
    ),
    DemoPartnership(
        affiliate="nigeria",
        title="Closing the gender gap with African Women in Media",
        main_goal="More women editing",
        summary="Training women journalists to write on Wikipedia.",
        partners=(("African Women in Media", "main"),),
        stages=TO_ACTIVE,
        started_days_ago=400,
        goals=("content", "advocacy"),
        contribution_types=("contributors", "knowledge"),
        agreed=ALL_POINTS,
        published=True,
        activities=(
            DemoActivity(
                "training",
                "Journalists' workshop, Lagos",
                330,
                "Lagos",
                False,
                35,
                20,
                40,
                0,
                0,
                0,
                35,
            ),
            DemoActivity("editathon", "Women in media edit-a-thon", 90, "", True, 50, 60, 90),
        ),
    ),
    DemoPartnership(
        affiliate="taiwan",
        title="History courses at National Cheng Kung University",
        main_goal="Students as editors",
        summary="Students write on history as part of their courses.",
        partners=(("Department of History, National Cheng Kung University", "main"),),
        stages=(*TO_ACTIVE, "reporting", "evaluation", "ended"),
        started_days_ago=3 * 365,
        goals=("content",),
        contribution_types=("content", "contributors"),
        agreed=ALL_POINTS,
        exit_notes="The department keeps the assignment in its syllabus; we answer questions "
        "by e-mail once a term.",
        activities=(
            DemoActivity("training", "Course assignment", 700, "Tainan", False, 45, 40, 20),
        ),
    ),
)

DEMO_MAIN_GOALS: dict[str, tuple[str, ...]] = {
    "sweden": ("Close the gender gap",),
    "poland": ("Cultural heritage free online",),
    "chile": ("Heritage and tourism content",),
    "morocco": (
        "Wikipedia in education",
        "Amazigh languages online",
    ),
    "ukraine": ("Close the gender gap",),
    "wikiedu": ("Students as editors",),
    "nigeria": ("More women editing",),
    "taiwan": ("Students as editors",),
}

DEMO_CURRENCIES: dict[str, tuple[str, dict[str, Decimal]]] = {
    # affiliate slug: (reporting currency, {currency: rate}), rates entered for this year and last.
    "sweden": ("SEK", {}),
    "poland": ("PLN", {}),
    "chile": ("CLP", {}),
    "morocco": ("MAD", {"USD": Decimal("9.95")}),
    "ukraine": ("UAH", {"EUR": Decimal("45.1")}),
    "wikiedu": ("USD", {}),
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


def load_demo_partnerships(*, today: dt.date) -> DemoPartnershipSummary:
    """Create the demo partnerships that are missing, through the services, as a user would.

    Partners come from the CRM demo (hub.partners.demo), which must be loaded first; a
    partnership whose affiliate or partners are missing is skipped and named in the summary.
    """
    summary = DemoPartnershipSummary()
    with transaction.atomic():
        _load(summary, today)
    return summary


def _load(summary: DemoPartnershipSummary, today: dt.date) -> None:
    """Create what is missing, counting it in the summary."""
    from hub.core.models import Affiliate, Membership
    from hub.partners.models import Organisation
    from hub.partnerships import activities, scoring, services, todo
    from hub.partnerships.models import AffiliateGoal, Partnership

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
        manager = (
            Membership.objects.filter(affiliate=affiliate, role=Membership.Role.MANAGER)
            .select_related("user")
            .first()
        )
        actor = manager.user if manager else None
        goals = {g.name: g for g in AffiliateGoal.objects.filter(affiliate=affiliate)}
        for name in DEMO_MAIN_GOALS.get(data.affiliate, ()):
            if name not in goals and actor is not None:
                goals[name] = services.add_main_goal(actor=actor, affiliate=affiliate, name=name)
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
