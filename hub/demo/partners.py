"""Load the demo affiliates and partners named in the user research, with demo logins.

The records are in hub/demo/data/affiliates.json; this module creates what is missing of them
through the partners' services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hub.core.models import Affiliate, Membership, User
from hub.core.regions import region_for_country
from hub.demo.records import build, read
from hub.partners import services
from hub.partners.models import Contact, Interaction, Organisation

# Every demo account has this password; `load_demo` and `make run` print it.
DEMO_PASSWORD = "demo-password"  # noqa: S105 - a published demo password, not a secret
DEMO_TAG = "demo"
DEMO_NOTE = (
    "Demo data for trying out the Hub. The organisation is named in the Wikimedia user "
    "research; its contacts and interactions are fictional."
)
VIEWER_USERNAME = "viewer"
VIEWER_AFFILIATE = "chile"
HUB_STAFF_USERNAME = "hubstaff"
HUB_STAFF_ROLE = "hub_staff"  # DemoLogin.role: a Membership.Role value, or this


@dataclass(frozen=True)
class DemoContact:
    """A fictional person at a demo organisation."""

    name: str
    email: str
    role: str = ""
    language: str = ""
    collected_days_ago: int = 200
    source: str = "Met at a partner meeting (demo)"


@dataclass(frozen=True)
class DemoInteraction:
    """A logged interaction, dated relative to today; follow_up_in < 0 is overdue."""

    days_ago: int
    kind: str
    summary: str
    follow_up_in: int | None = None
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoOrganisation:
    """A partner organisation named in the seeds, with what the research says about it."""

    name: str
    partner_type: str
    country: str
    about: str
    city: str = ""
    website: str = ""
    wikidata_qid: str = ""
    other_names: tuple[str, ...] = ()
    status: str = Organisation.Status.ACTIVE
    region: str = ""  # set only to override the region derived from the country
    tags: tuple[str, ...] = ()
    contacts: tuple[DemoContact, ...] = ()
    interactions: tuple[DemoInteraction, ...] = ()


@dataclass(frozen=True)
class DemoAffiliate:
    """A demo affiliate; one with a manager username gets a demo login."""

    slug: str
    name: str
    country: str
    kind: str = Affiliate.Kind.CHAPTER
    legal_status: str = Affiliate.LegalStatus.REGISTERED
    fiscal_sponsor: str = ""
    website: str = ""
    wikidata_qid: str = ""
    manager: str = ""
    organisations: tuple[DemoOrganisation, ...] = ()


@dataclass(frozen=True)
class DemoLogin:
    """One demo account as `make run` prints it."""

    username: str
    password: str
    affiliate: str
    role: str


@dataclass
class DemoSummary:
    """What one run of `load_demo` created, and every demo login."""

    affiliates: int = 0
    users: int = 0
    organisations: int = 0
    contacts: int = 0
    interactions: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        """Return True if this run created at least one row."""
        return any(
            (self.affiliates, self.users, self.organisations, self.contacts, self.interactions)
        )


DEMO_AFFILIATES: tuple[DemoAffiliate, ...] = tuple(
    build(DemoAffiliate, raw) for raw in read("affiliates.json")
)


# --- Loading --------------------------------------------------------------------------------


class _Loader:
    """Create what is missing of the demo data, counting what it created."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.summary = DemoSummary()
        self._password_hash = ""

    def password_hash(self) -> str:
        """Return the hash of the demo password, computed once."""
        # The key derivation is deliberately slow, and every demo user shares the password.
        if not self._password_hash:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def affiliate(self, data: DemoAffiliate) -> Affiliate:
        """Return the demo affiliate, creating it when missing."""
        affiliate, created = Affiliate.objects.get_or_create(
            slug=data.slug,
            defaults={
                "name": data.name,
                "kind": data.kind,
                "country": data.country,
                "region": region_for_country(data.country),
                "website": data.website,
                "wikidata_qid": data.wikidata_qid,
                "legal_status": data.legal_status,
                "fiscal_sponsor": data.fiscal_sponsor,
                "is_demo": True,
            },
        )
        self.summary.affiliates += created
        return affiliate

    def user(self, username: str, *, first_name: str, last_name: str, **extra: bool) -> User | None:
        """Return the demo user, creating it when missing; None if a real account has the name."""
        email = f"{username}@example.org"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "password": self.password_hash(),
                **extra,
            },
        )
        self.summary.users += created
        # Never hand a demo role to somebody's real account that happens to share the name.
        return user if created or user.email == email else None

    def member(self, user: User, affiliate: Affiliate, role: str) -> None:
        """Give the demo user its role in the affiliate, and list the login."""
        Membership.objects.get_or_create(user=user, affiliate=affiliate, defaults={"role": role})
        self.summary.logins.append(DemoLogin(user.username, DEMO_PASSWORD, affiliate.name, role))

    def organisation(
        self, affiliate: Affiliate, data: DemoOrganisation, actor: User | None
    ) -> None:
        """Create the organisation, its contacts and its interactions where missing."""
        org = Organisation.objects.filter(affiliate=affiliate, name=data.name).first()
        if org is None:
            fields: dict[str, object] = {}
            if data.region:
                fields.update(region=data.region, region_overridden=True)
            org = services.create_organisation(
                actor=actor,
                affiliate=affiliate,
                tags=(DEMO_TAG, *data.tags),
                name=data.name,
                other_names="\n".join(data.other_names),
                partner_type=data.partner_type,
                country=data.country,
                city=data.city,
                website=data.website,
                wikidata_qid=data.wikidata_qid,
                description=f"{data.about}\n\n{DEMO_NOTE}",
                status=data.status,
                **fields,
            )
            self.summary.organisations += 1
        contacts = {c.name: c for c in Contact.objects.filter(organisation=org)}
        for person in data.contacts:
            if person.name not in contacts:
                contacts[person.name] = services.create_contact(
                    actor=actor,
                    affiliate=affiliate,
                    organisation=org,
                    name=person.name,
                    role=person.role,
                    emails=person.email,
                    preferred_language=person.language,
                    legal_basis=Contact.LegalBasis.LEGITIMATE_INTEREST,
                    legal_basis_source=person.source,
                    legal_basis_date=self.today - dt.timedelta(days=person.collected_days_ago),
                    notes="A fictional person in the demo data.",
                )
                self.summary.contacts += 1
        logged = set(Interaction.objects.filter(organisation=org).values_list("summary", flat=True))
        for item in data.interactions:
            if item.summary in logged:
                continue
            follow_up = (
                self.today + dt.timedelta(days=item.follow_up_in)
                if item.follow_up_in is not None
                else None
            )
            services.log_interaction(
                actor=actor,
                organisation=org,
                date=self.today - dt.timedelta(days=item.days_ago),
                kind=item.kind,
                summary=item.summary,
                contacts=[contacts[name] for name in item.contacts],
                users=[actor] if actor is not None else [],
                follow_up_on=follow_up,
            )
            self.summary.interactions += 1


def load_demo(*, today: dt.date | None = None) -> DemoSummary:
    """Create the demo affiliates, logins, partners, contacts and interactions that are missing.

    Running it again creates nothing new; interactions are dated relative to ``today``.
    """
    loader = _Loader(today or timezone.localdate())
    with transaction.atomic():
        affiliates = {data.slug: loader.affiliate(data) for data in DEMO_AFFILIATES}
        for data in DEMO_AFFILIATES:
            manager = None
            if data.manager:
                manager = loader.user(
                    data.manager, first_name=data.name, last_name="(demo manager)"
                )
                if manager is not None:
                    loader.member(manager, affiliates[data.slug], Membership.Role.MANAGER)
            for org in data.organisations:
                loader.organisation(affiliates[data.slug], org, manager)
        viewer = loader.user(VIEWER_USERNAME, first_name="Demo", last_name="Viewer")
        if viewer is not None:
            loader.member(viewer, affiliates[VIEWER_AFFILIATE], Membership.Role.VIEWER)
        staff = loader.user(
            HUB_STAFF_USERNAME, first_name="Hub", last_name="Staff", is_hub_staff=True
        )
        if staff is not None:
            loader.summary.logins.append(
                DemoLogin(HUB_STAFF_USERNAME, DEMO_PASSWORD, "", HUB_STAFF_ROLE)
            )
    return loader.summary
