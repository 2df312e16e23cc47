"""Generate the benchmark's data through the ORM: many affiliates of a realistic size, one big.

``generate(first, last)`` adds affiliates ``a001``… of ``REALISTIC`` size (organisations with
their contacts and interactions, partnerships with their partners, checklist, stage history,
a task, contributions and activities, five coordinators); ``generate_stress()`` adds the
affiliate ``stress`` of ``STRESS`` size. Everything is written with ``bulk_create`` and skips
the services (no audit trail); the derived columns (folded names, search text, e-mail keys) are
built with the same functions the services use. ``VERSION`` names the data's shape: change it
when the generated data changes, and cached databases are made again.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hub.core.models import Affiliate, Membership, User
from hub.core.regions import region_for_country
from hub.partners.keys import (
    contact_search_text,
    normalise_email,
    normalise_name,
    organisation_search_text,
    search_words,
    website_domain,
)
from hub.partners.models import Contact, ContactEmail, Interaction, Organisation, PartnerType, Tag
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    ChecklistPoint,
    Contribution,
    Partnership,
    PartnershipPartner,
    Stage,
    StageChange,
    Task,
)

VERSION = 1


@dataclass(frozen=True)
class Size:
    """How much one affiliate holds."""

    organisations: int
    partnerships: int
    activities: int


REALISTIC = Size(organisations=1_000, partnerships=100, activities=1_000)
STRESS = Size(organisations=100_000, partnerships=10_000, activities=100_000)
STRESS_SLUG = "stress"
CONTACTS_PER_ORGANISATION = 3
INTERACTIONS_PER_ORGANISATION = 2
COORDINATORS = 5
BATCH = 2_000
DESCRIPTION = "Synthetic organisation generated for benchmarks; not a real partner."
TAG_NAMES = (
    "generated",
    "GLAM",
    "education",
    "WikiGap",
    "government",
    "Wikidata",
    "photo contest",
    "Wikimedian in Residence",
)
PARTNERSHIP_WORDS = (
    "Open collections",
    "Women in science",
    "Language recordings",
    "Monuments",
    "Archive digitisation",
    "Photo contest",
    "Public domain day",
    "Library data",
    "Museum residency",
    "Student edit-a-thons",
)
CURRENCIES = ("EUR", "EUR", "EUR", "SEK", "USD", "INR")

_TYPE_WORDS = {
    PartnerType.MUSEUM: "Museum",
    PartnerType.ARCHIVE: "Archive",
    PartnerType.LIBRARY: "Library",
    PartnerType.GALLERY: "Gallery",
    PartnerType.UNIVERSITY: "University",
    PartnerType.SCHOOL: "School",
    PartnerType.GOVERNMENT: "Ministry",
    PartnerType.INTERGOVERNMENTAL: "Agency",
    PartnerType.EMBASSY: "Embassy",
    PartnerType.NGO: "Association",
    PartnerType.FOUNDATION: "Foundation",
    PartnerType.COMPANY: "Company",
    PartnerType.MEDIA: "Radio",
    PartnerType.PROFESSIONAL: "Society",
    PartnerType.EXPERT: "Studio",
    PartnerType.AFFILIATE: "Wikimedians",
    PartnerType.FISCAL_SPONSOR: "Trust",
    PartnerType.OTHER: "Centre",
}
_TYPES = list(_TYPE_WORDS)
_ADJECTIVES = (
    "National",
    "Regional",
    "City",
    "Open",
    "Central",
    "Royal",
    "People's",
    "Free",
    "Northern",
    "Southern",
    "Historical",
    "Maritime",
    "Municipal",
    "Community",
    "Modern",
)
_PLACES = (
    ("SE", "Göteborg"),
    ("SE", "Stockholm"),
    ("PL", "Kraków"),
    ("PL", "Warszawa"),
    ("MA", "Rabat"),
    ("MA", "Marrakesh"),
    ("CL", "Valparaíso"),
    ("CL", "Santiago"),
    ("UA", "Lviv"),
    ("UA", "Kyiv"),
    ("DE", "München"),
    ("DE", "Berlin"),
    ("FR", "Besançon"),
    ("AR", "Córdoba"),
    ("US", "Chicago"),
    ("CA", "Montréal"),
    ("IN", "Pune"),
    ("BD", "Dhaka"),
    ("NG", "Lagos"),
    ("GH", "Tamale"),
    ("KE", "Nairobi"),
    ("ZA", "Durban"),
    ("BR", "São Paulo"),
    ("MX", "Oaxaca"),
    ("ID", "Yogyakarta"),
    ("TW", "Tainan"),
    ("AU", "Hobart"),
    ("NZ", "Wellington"),
    ("CZ", "Brno"),
    ("RS", "Niš"),
    ("EE", "Tartu"),
    ("NO", "Tromsø"),
    ("ES", "A Coruña"),
    ("IT", "Napoli"),
    ("", ""),
)
_STATUSES = (
    [Organisation.Status.ACTIVE] * 5
    + [Organisation.Status.PROSPECT] * 3
    + [Organisation.Status.DORMANT] * 2
    + [Organisation.Status.FORMER]
)
# Contacts of one organisation get first names with different ASCII initials, so that
# sorting their names gives the same order under every database collation.
_FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "A": ("Amina", "Ana", "Astrid", "Aarav"),
    "B": ("Björn", "Beatriz", "Bilal"),
    "C": ("Camille", "Chidi", "Côme"),
    "D": ("Daria", "Diego", "Dalia"),
    "E": ("Elif", "Emeka", "Esra"),
    "F": ("Fatima", "Felipe", "Freja"),
    "G": ("Giselle", "Grzegorz", "Gaurav"),
    "H": ("Hana", "Hugo", "Halima"),
    "I": ("Ingrid", "Iván", "Imani"),
    "J": ("Jana", "Jomo", "Joaquín"),
    "K": ("Kaarel", "Kemi", "Kateryna"),
    "L": ("Lucía", "Lars", "Leila"),
    "M": ("Marta", "Maik", "Mónica"),
    "N": ("Nikki", "Nour", "Nils"),
    "O": ("Olena", "Omar", "Oskar"),
    "P": ("Patricia", "Pablo", "Priya"),
    "S": ("Siosaia", "Sofía", "Stefan"),
    "T": ("Tore", "Tunde", "Taini"),
    "Y": ("Yusuf", "Yara", "Yoko"),
    "Z": ("Zofia", "Zainab", "Zoltán"),
}
_INITIALS = sorted(_FIRST_NAMES)
_LAST_NAMES = (
    "Example",
    "Sample",
    "Placeholder",
    "Testperson",
    "Demo",
    "Fictional",
    "Dummy",
    "Mock",
    "Specimen",
    "Exemplar",
    "Prototype",
    "Draft",
)
_ROLES = (
    "Director",
    "Curator",
    "Archivist",
    "Librarian",
    "Press officer",
    "Professor",
    "Programme officer",
    "Volunteer coordinator",
    "Digital lead",
    "",
)
_LANGUAGES = ("en", "fr", "es", "ar", "de", "pl", "uk", "sv", "pt", "")
_KINDS = [kind for kind, _label in Interaction.Kind.choices]
_TOPICS = (
    "an edit-a-thon",
    "a photo contest permit",
    "a data upload to Wikidata",
    "a media upload to Commons",
    "a Wikimedian in Residence",
    "the impact report",
    "a training for staff",
    "the partnership agreement",
    "language recordings",
    "a venue for the conference",
    "the satisfaction survey",
    "licences for the archive",
)


def slug_of(number: int) -> str:
    """Return the short name of the number-th realistic affiliate: a001, a002, …"""
    return f"a{number:03d}"


def coordinator_name(slug: str, n: int = 0) -> str:
    """Return the username of an affiliate's n-th generated coordinator (a member)."""
    return f"coord-{slug}-{n}"


def generate(first: int, last: int, size: Size = REALISTIC) -> None:
    """Add the realistic affiliates numbered first to last (inclusive), one transaction each."""
    for number in range(first, last + 1):
        add_affiliate(slug_of(number), size, seed=number)


def generate_stress() -> Affiliate:
    """Add the stress affiliate."""
    return add_affiliate(STRESS_SLUG, STRESS, seed=0)


def add_affiliate(slug: str, size: Size, *, seed: int) -> Affiliate:
    """Create an affiliate of the given size, with its people, partners and partnerships."""
    rng = random.Random(seed)
    with transaction.atomic():
        affiliate = Affiliate.objects.create(
            slug=slug, name=f"Generated affiliate {slug}", is_demo=True
        )
        users = User.objects.bulk_create(
            User(
                username=coordinator_name(slug, n),
                email=f"{coordinator_name(slug, n)}@example.org",
                password=make_password(None),
            )
            for n in range(COORDINATORS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, affiliate=affiliate, role=Membership.Role.MEMBER)
            for user in users
        )
        tags = Tag.objects.bulk_create(Tag(affiliate=affiliate, name=n) for n in TAG_NAMES)
        org_ids: list[int] = []
        for offset in range(0, size.organisations, BATCH):
            count = min(BATCH, size.organisations - offset)
            org_ids += _organisations(affiliate, rng, tags, users, offset + 1, count)
        _partnerships(affiliate, size, org_ids, users, rng)
    return affiliate


def _ascii_word(text: str) -> str:
    """Return the ASCII letters of a word, folded, for building e-mail addresses."""
    return re.sub(r"[^a-z]", "", search_words(text))


def _organisations(
    affiliate: Affiliate,
    rng: random.Random,
    tags: list[Tag],
    users: list[User],
    first_number: int,
    count: int,
) -> list[int]:
    """Create count organisations with their tags, contacts, e-mail keys and interactions."""
    today = timezone.localdate()
    orgs: list[Organisation] = []
    people: list[list[tuple[str, str, str]]] = []
    for number in range(first_number, first_number + count):
        country, city = rng.choice(_PLACES)
        partner_type = rng.choice(_TYPES)
        word = _TYPE_WORDS[partner_type]
        name = f"{rng.choice(_ADJECTIVES)} {word} of {city or 'Everywhere'} {number}"
        acronym = "".join(w[0] for w in name.split()[:-1] if w[0].isupper())
        website = f"https://www.org{number}-{affiliate.slug}.example.org/"
        contacts = []
        for initial in sorted(rng.sample(_INITIALS, CONTACTS_PER_ORGANISATION)):
            first, last = rng.choice(_FIRST_NAMES[initial]), rng.choice(_LAST_NAMES)
            email = f"{_ascii_word(first)}.{_ascii_word(last)}.{number}@example.org"
            contacts.append((f"{first} {last}", email, rng.choice(_ROLES)))
        org = Organisation(
            affiliate=affiliate,
            name=name,
            other_names=acronym,
            partner_type=partner_type,
            country=country,
            region=region_for_country(country),
            city=city,
            website=website,
            description=DESCRIPTION,
            status=rng.choice(_STATUSES),
            # A quarter of the partners say when their budget year starts.
            fiscal_year_starts=1 if number % 4 == 0 else None,
            normalised_name=normalise_name(name),
            website_domain=website_domain(website),
        )
        # The same text services.refresh_search_text builds once the contacts exist.
        org.search_text = organisation_search_text(
            name=org.name,
            other_names=org.other_names,
            city=org.city,
            website_domain=org.website_domain,
            wikidata_qid=org.wikidata_qid,
            contacts=[(contact_name, email) for contact_name, email, _role in contacts],
        )
        orgs.append(org)
        people.append(contacts)
    Organisation.objects.bulk_create(orgs, batch_size=BATCH)

    through = Organisation.tags.through
    links = [through(organisation_id=org.pk, tag_id=tags[0].pk) for org in orgs]
    links += [
        through(organisation_id=org.pk, tag_id=rng.choice(tags[1:]).pk)
        for org in orgs
        if rng.random() < 0.6
    ]
    through.objects.bulk_create(links, batch_size=BATCH)

    contact_rows = [
        Contact(
            affiliate=affiliate,
            organisation=org,
            name=contact_name,
            role=role,
            emails=email,
            preferred_language=rng.choice(_LANGUAGES),
            legal_basis=Contact.LegalBasis.LEGITIMATE_INTEREST,
            legal_basis_source="Generated for benchmarks",
            legal_basis_date=today - dt.timedelta(days=rng.randrange(1, 1000)),
            # What services.refresh_contact_search_text builds.
            search_text=contact_search_text(
                name=contact_name, emails=email, role=role, organisation_name=org.name
            ),
        )
        for org, contacts in zip(orgs, people, strict=True)
        for contact_name, email, role in contacts
    ]
    Contact.objects.bulk_create(contact_rows, batch_size=BATCH)
    ContactEmail.objects.bulk_create(
        (
            ContactEmail(affiliate=affiliate, contact=contact, email=normalise_email(email))
            for contact in contact_rows
            for email in contact.email_list
        ),
        batch_size=BATCH,
    )

    interactions = []
    for org in orgs:
        for _n in range(INTERACTIONS_PER_ORGANISATION):
            follow_up = None
            done = False
            if rng.random() < 0.15:
                follow_up = today + dt.timedelta(days=rng.randint(-30, 30))
                done = follow_up < today and rng.random() < 0.5
            interactions.append(
                Interaction(
                    affiliate=affiliate,
                    organisation=org,
                    date=today - dt.timedelta(days=rng.randrange(0, 1100)),
                    kind=rng.choice(_KINDS),
                    summary=f"Talked about {rng.choice(_TOPICS)}.",
                    follow_up_on=follow_up,
                    follow_up_done=done,
                    created_by=rng.choice(users),
                )
            )
    Interaction.objects.bulk_create(interactions, batch_size=BATCH)
    return [org.pk for org in orgs]


def _partnerships(
    affiliate: Affiliate,
    size: Size,
    org_ids: list[int],
    users: list[User],
    rng: random.Random,
) -> None:
    """Create the affiliate's partnerships with everything that hangs off them."""
    today = timezone.localdate()
    now = timezone.now()
    stages = list(Stage.values)
    rows = []
    for n in range(size.partnerships):
        start = today - dt.timedelta(days=rng.randint(0, 6 * 365))
        stage = rng.choice(stages)
        rows.append(
            Partnership(
                affiliate=affiliate,
                title=f"{rng.choice(PARTNERSHIP_WORDS)} {n + 1}",
                summary="Generated for the benchmark.",
                goal_funding=rng.random() < 0.3,
                goal_content=rng.random() < 0.8,
                goal_advocacy=rng.random() < 0.4,
                gives_content=rng.random() < 0.6,
                gives_contributors=rng.random() < 0.4,
                gives_knowledge=rng.random() < 0.4,
                gives_capacity=rng.random() < 0.2,
                gives_support=rng.random() < 0.3,
                gives_awareness=rng.random() < 0.3,
                stage=stage,
                stage_changed_at=now,
                start_date=start,
                end_date=start + dt.timedelta(days=rng.randint(30, 900))
                if stage == Stage.ENDED
                else None,
                visibility=rng.choice(["private", "published"]),
                agreement_signed_on=start if rng.random() < 0.5 else None,
                agreement_expires_on=today + dt.timedelta(days=rng.randint(-30, 400))
                if rng.random() < 0.5
                else None,
                impact_report_every_months=rng.choice([None, 3, 6, 12]),
                created_by=users[0],
            )
        )
    Partnership.objects.bulk_create(rows, batch_size=BATCH)
    ids = [p.pk for p in rows]
    partners, points, changes, people, tasks, money = [], [], [], [], [], []
    responsible = Partnership.responsible.through
    for pk in ids:
        chosen = rng.sample(org_ids, rng.choice([1, 1, 2, 3]))
        for i, org in enumerate(chosen):
            role = "main" if i == 0 else rng.choice(["co_partner", "funder", "venue_host"])
            partners.append(PartnershipPartner(partnership_id=pk, organisation_id=org, role=role))
        points += [
            AgreementPoint(
                partnership_id=pk,
                point=point,
                status=rng.choice(["not_discussed", "agreed", "agreed", "not_applicable"]),
            )
            for point in ChecklistPoint.values
        ]
        changes.append(StageChange(partnership_id=pk, from_stage="", to_stage="idea"))
        people.append(responsible(partnership_id=pk, user_id=rng.choice(users).pk))
        tasks.append(
            Task(
                affiliate=affiliate,
                partnership_id=pk,
                title="Send the report",
                assignee=rng.choice(users),
                due_on=today + dt.timedelta(days=rng.randint(-20, 60)),
            )
        )
        for _ in range(rng.choice([0, 1, 2, 3])):
            kind = rng.choice(["financial", "in_kind"])
            money.append(
                Contribution(
                    partnership_id=pk,
                    kind=kind,
                    in_kind_type=rng.choice(["venue", "catering", "staff_time"])
                    if kind == "in_kind"
                    else "",
                    received_on=today - dt.timedelta(days=rng.randint(0, 1500)),
                    amount=Decimal(rng.randint(50, 20_000)),
                    currency=rng.choice(CURRENCIES),
                )
            )
    model: Any
    for model, objects in (
        (PartnershipPartner, partners),
        (AgreementPoint, points),
        (StageChange, changes),
        (responsible, people),
        (Task, tasks),
        (Contribution, money),
    ):
        model.objects.bulk_create(objects, batch_size=BATCH)
    kinds = list(Activity.Kind.values)
    Activity.objects.bulk_create(
        (
            Activity(
                partnership_id=ids[n % len(ids)],
                kind=rng.choice(kinds),
                title=f"Activity {n + 1}",
                starts_on=today - dt.timedelta(days=rng.randint(0, 2000)),
                participants=rng.randint(3, 60),
                articles_created=rng.randint(0, 30),
                articles_improved=rng.randint(0, 60),
                files_uploaded=rng.randint(0, 500),
            )
            for n in range(size.activities)
        ),
        batch_size=BATCH,
    )
