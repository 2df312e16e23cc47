"""Generate synthetic organisations with contacts and interactions, fast, for benchmarks."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import time
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.models import Affiliate
from hub.core.regions import region_for_country
from hub.partners.keys import (
    contact_search_text,
    normalise_email,
    normalise_name,
    organisation_search_text,
    search_words,
    website_domain,
)
from hub.partners.models import (
    Contact,
    ContactEmail,
    Interaction,
    Organisation,
    PartnerType,
    Tag,
)

CONTACTS_PER_ORGANISATION = 3
INTERACTIONS_PER_ORGANISATION = 10
DEFAULT_BATCH_SIZE = 2_000
DEFAULT_AFFILIATE_SLUG = "generated"
GENERATED_TAG = "generated"
DESCRIPTION = "Synthetic organisation generated for benchmarks; not a real partner."

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


@dataclass
class _Counts:
    """Rows created so far."""

    organisations: int = 0
    contacts: int = 0
    interactions: int = 0


def _date(value: dt.date | None) -> Any:
    """Return a date as the database driver takes it in a plain INSERT."""
    return connection.ops.adapt_datefield_value(value)


def _insert(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows into a model's table, many at a time.

    For the rows whose ids nobody needs back (tag links, e-mail keys, interactions: most of
    the data): skipping model instances and per-value compilation of bulk_create brings
    10,000 organisations on SQLite from about 10 s down to about 5 s.
    """
    quote = connection.ops.quote_name
    column = {f.name: f.column for f in model._meta.concrete_fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
        quote(model._meta.db_table),
        ", ".join(quote(column[name]) for name in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _ascii_word(text: str) -> str:
    """Return the ASCII letters of a word, folded, for building e-mail addresses."""
    return re.sub(r"[^a-z]", "", search_words(text))


class Command(BaseCommand):
    help = _(
        "Create N synthetic organisations, each with 3 contacts and 10 interactions, for "
        "benchmarks. Writes in bulk and skips the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisations",
            type=int,
            required=True,
            metavar="N",
            help=_("How many organisations to create."),
        )
        parser.add_argument(
            "--affiliate",
            metavar="SLUG",
            default="",
            help=_(
                "Short name of the affiliate that gets them (default: a "
                "demo affiliate called “generated”)."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help=_("Seed of the random generator, for repeatable data."),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=_("Organisations written per transaction."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total: int = options["organisations"]
        if total < 1:
            raise CommandError(_("--organisations must be at least 1."))
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        affiliate = self._affiliate(options["affiliate"])
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        tags = self._tags(affiliate)
        first_number = Organisation.objects.filter(affiliate=affiliate).count() + 1
        # Small enough that progress shows every 10 %, never above the requested batch size.
        batch_size = max(1, min(options["batch_size"], math.ceil(total / 10)))

        counts = _Counts()
        started = time.perf_counter()
        next_report = 10
        for offset in range(0, total, batch_size):
            size = min(batch_size, total - offset)
            with transaction.atomic():
                self._create_batch(affiliate, rng, today, tags, first_number + offset, size, counts)
            percent = counts.organisations * 100 // total
            if percent >= next_report:
                self.stdout.write(
                    _("%(percent)3d %% — %(done)d of %(total)d organisations, %(seconds).1f s")
                    % {
                        "percent": percent,
                        "done": counts.organisations,
                        "total": total,
                        "seconds": time.perf_counter() - started,
                    }
                )
                next_report = (percent // 10 + 1) * 10
        self._analyse()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created %(organisations)d organisations, %(contacts)d contacts and "
                    "%(interactions)d interactions for “%(affiliate)s” in %(seconds).1f s."
                )
                % {
                    "organisations": counts.organisations,
                    "contacts": counts.contacts,
                    "interactions": counts.interactions,
                    "affiliate": affiliate.slug,
                    "seconds": time.perf_counter() - started,
                }
            )
        )

    def _affiliate(self, slug: str) -> Affiliate:
        """Return the affiliate named on the command line, or the default demo one."""
        if not slug:
            affiliate, _created = Affiliate.objects.get_or_create(
                slug=DEFAULT_AFFILIATE_SLUG,
                defaults={"name": "Generated benchmark affiliate", "is_demo": True},
            )
            return affiliate
        try:
            return Affiliate.objects.get(slug=slug)
        except Affiliate.DoesNotExist:
            raise CommandError(
                _("No affiliate has the short name “%(slug)s”.") % {"slug": slug}
            ) from None

    def _tags(self, affiliate: Affiliate) -> list[Tag]:
        """Return the affiliate's tags for generated data, "generated" first."""
        names = (
            GENERATED_TAG,
            "GLAM",
            "education",
            "WikiGap",
            "government",
            "Wikidata",
            "photo contest",
            "Wikimedian in Residence",
        )
        return [Tag.objects.get_or_create(affiliate=affiliate, name=name)[0] for name in names]

    def _create_batch(
        self,
        affiliate: Affiliate,
        rng: random.Random,
        today: dt.date,
        tags: list[Tag],
        first_number: int,
        size: int,
        counts: _Counts,
    ) -> None:
        """Create one batch: organisations, then their contacts, e-mail keys and interactions."""
        orgs: list[Organisation] = []
        people: list[list[tuple[str, str, str]]] = []
        for number in range(first_number, first_number + size):
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
        Organisation.objects.bulk_create(orgs)

        tag_links = []
        for org in orgs:
            tag_links.append((org.pk, tags[0].pk))
            if rng.random() < 0.6:
                tag_links.append((org.pk, rng.choice(tags[1:]).pk))
        through = Organisation.tags.through
        _insert(through, ("organisation", "tag"), tag_links)

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
        Contact.objects.bulk_create(contact_rows)
        _insert(
            ContactEmail,
            ("affiliate", "contact", "email"),
            [
                (affiliate.pk, contact.pk, normalise_email(email))
                for contact in contact_rows
                for email in contact.email_list
            ],
        )

        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        interactions = []
        for org in orgs:
            for _n in range(INTERACTIONS_PER_ORGANISATION):
                follow_up = None
                done = False
                if rng.random() < 0.15:
                    follow_up = today + dt.timedelta(days=rng.randint(-30, 30))
                    done = follow_up < today and rng.random() < 0.5
                interactions.append(
                    (
                        affiliate.pk,
                        org.pk,
                        _date(today - dt.timedelta(days=rng.randrange(0, 1100))),
                        rng.choice(_KINDS),
                        f"Talked about {rng.choice(_TOPICS)}.",
                        _date(follow_up),
                        done,
                        created_at,
                    )
                )
        _insert(
            Interaction,
            (
                "affiliate",
                "organisation",
                "date",
                "kind",
                "summary",
                "follow_up_on",
                "follow_up_done",
                "created_at",
            ),
            interactions,
        )

        counts.organisations += len(orgs)
        counts.contacts += len(contact_rows)
        counts.interactions += len(interactions)

    def _analyse(self) -> None:
        """Refresh the planner's statistics, so benchmark queries see the new row counts."""
        tables = [m._meta.db_table for m in (Organisation, Contact, ContactEmail, Interaction)]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")  # noqa: S608
