"""Load the demo data: affiliates and partners named in the user research, with demo logins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from hub.core.models import Affiliate, Membership, User
from hub.core.regions import Region, region_for_country
from hub.partners import services
from hub.partners.models import Contact, Interaction, Organisation, PartnerType

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

Status = Organisation.Status
Kind = Interaction.Kind
AffiliateKind = Affiliate.Kind
Legal = Affiliate.LegalStatus


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
    status: str = Status.ACTIVE
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
    kind: str = AffiliateKind.CHAPTER
    legal_status: str = Legal.REGISTERED
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


# --- The affiliates and partners the seeds name ---------------------------------------------

_MOROCCO = DemoAffiliate(
    slug="morocco",
    name="Wikimedia MA User Group",
    country="MA",
    kind=AffiliateKind.USER_GROUP,
    legal_status=Legal.SPONSORED,
    fiscal_sponsor="Reading Network in Morocco",
    manager="morocco",
    organisations=(
        DemoOrganisation(
            name="Royal Institute of Amazigh Culture",
            other_names=("IRCAM", "Institut Royal de la Culture Amazighe"),
            partner_type=PartnerType.UNIVERSITY,
            country="MA",
            city="Rabat",
            website="https://www.ircam.ma",
            tags=("language", "Tachelhit"),
            about="Informal work with the user group to get the new Tachelhit Wikipedia accepted.",
            contacts=(
                DemoContact(
                    "Fulan Ben Fulan",
                    "fulan.benfulan@example.org",
                    role="Researcher, language studies",
                    language="fr",
                ),
            ),
            interactions=(
                DemoInteraction(
                    45,
                    Kind.MEETING,
                    "Met in Rabat about the Tachelhit Wikipedia in the Incubator: agreed "
                    "to review the list of basic vocabulary together.",
                    follow_up_in=4,
                    contacts=("Fulan Ben Fulan",),
                ),
                DemoInteraction(
                    12,
                    Kind.EMAIL,
                    "Sent the first 200 vocabulary entries for review.",
                    contacts=("Fulan Ben Fulan",),
                ),
            ),
        ),
        DemoOrganisation(
            name="Reading Network in Morocco",
            partner_type=PartnerType.NGO,
            country="MA",
            tags=("education", "fiscal sponsor"),
            about="Fiscal sponsor and partner for “Reading Wikipedia in the Classroom”; "
            "opened the door to teachers, professors, ministry of education officials, "
            "students, volunteers and media contacts.",
            contacts=(
                DemoContact(
                    "Fulana Bent Fulan",
                    "fulana.bentfulan@example.org",
                    role="Programme coordinator",
                    language="ar",
                ),
            ),
            interactions=(
                DemoInteraction(
                    70,
                    Kind.MEETING,
                    "Planned the teacher trainings of “Reading Wikipedia in the Classroom”.",
                    contacts=("Fulana Bent Fulan",),
                ),
                DemoInteraction(
                    20,
                    Kind.CALL,
                    "Went through the grant budget; they need the narrative report as the "
                    "fiscal sponsor.",
                    follow_up_in=-5,
                    contacts=("Fulana Bent Fulan",),
                ),
            ),
        ),
        DemoOrganisation(
            name="Embassy of Sweden in Rabat",
            partner_type=PartnerType.EMBASSY,
            country="MA",
            city="Rabat",
            website="https://www.swedenabroad.se",
            status=Status.DORMANT,
            tags=("WikiGap",),
            about="The user group's first partnership, around WikiGap.",
            interactions=(
                DemoInteraction(
                    300,
                    Kind.EVENT,
                    "WikiGap edit-a-thon at the embassy on articles about women.",
                ),
            ),
        ),
        DemoOrganisation(
            name="Wikimedia Foundation",
            other_names=("WMF Education team",),
            partner_type=PartnerType.AFFILIATE,
            country="US",
            city="San Francisco",
            website="https://wikimediafoundation.org",
            wikidata_qid="Q180",
            tags=("education", "internal"),
            about="Partnership with the Foundation's Education team, continued from an "
            "earlier project and run alongside Bolivia and the Philippines.",
            interactions=(
                DemoInteraction(
                    8,
                    Kind.CALL,
                    "Monthly call with the Education team and the two local project staff.",
                    follow_up_in=22,
                ),
            ),
        ),
    ),
)

_CHILE = DemoAffiliate(
    slug="chile",
    name="Wikimedia Chile",
    country="CL",
    website="https://www.wikimedia.cl",
    manager="chile",
    organisations=(
        DemoOrganisation(
            name="National Tourism Service",
            other_names=("SERNATUR", "Servicio Nacional de Turismo"),
            partner_type=PartnerType.GOVERNMENT,
            country="CL",
            city="Santiago",
            website="https://www.sernatur.cl",
            tags=("Alliances", "government"),
            about="Public-sector partner of the Alliances programme: content creation and "
            "content donation.",
            contacts=(
                DemoContact(
                    "Fulano de Tal",
                    "fulano.detal@example.org",
                    role="Communications officer",
                    language="es",
                ),
            ),
            interactions=(
                DemoInteraction(
                    30,
                    Kind.MEETING,
                    "Discussed donating photographs of tourist destinations to Commons.",
                    follow_up_in=2,
                    contacts=("Fulano de Tal",),
                ),
            ),
        ),
        DemoOrganisation(
            name="National Cultural Heritage Service",
            other_names=("Servicio Nacional del Patrimonio Cultural",),
            partner_type=PartnerType.GOVERNMENT,
            country="CL",
            city="Santiago",
            website="https://www.patrimoniocultural.gob.cl",
            tags=("Alliances", "GLAM", "government"),
            about="Public-sector partner of the Alliances programme; training for cultural "
            "heritage workers.",
            contacts=(
                DemoContact(
                    "Juana Ejemplo",
                    "juana.ejemplo@example.org",
                    role="Head of digital collections",
                    language="es",
                ),
            ),
            interactions=(
                DemoInteraction(
                    60,
                    Kind.EVENT,
                    "Open culture training for heritage practitioners.",
                    contacts=("Juana Ejemplo",),
                ),
                DemoInteraction(
                    15,
                    Kind.EMAIL,
                    "Asked which collection could be the pilot for an upload.",
                    follow_up_in=-3,
                    contacts=("Juana Ejemplo",),
                ),
            ),
        ),
        DemoOrganisation(
            name="Economic Commission for Latin America and the Caribbean",
            other_names=(
                "ECLAC",
                "CEPAL",
                "Comisión Económica para América Latina y el Caribe",
            ),
            partner_type=PartnerType.INTERGOVERNMENTAL,
            country="CL",
            city="Santiago",
            website="https://www.cepal.org",
            tags=("Alliances", "international"),
            about="International agency in the Alliances programme.",
            contacts=(
                DemoContact(
                    "Mengano Ejemplar",
                    "mengano.ejemplar@example.org",
                    role="Knowledge management officer",
                    language="es",
                ),
            ),
            interactions=(
                DemoInteraction(
                    5,
                    Kind.CALL,
                    "Talked about releasing statistical publications under a free licence.",
                    follow_up_in=10,
                    contacts=("Mengano Ejemplar",),
                ),
            ),
        ),
    ),
)

_POLAND = DemoAffiliate(
    slug="poland",
    name="Wikimedia Polska",
    country="PL",
    website="https://wikimedia.pl",
    manager="poland",
    organisations=(
        DemoOrganisation(
            # The seed says "the Polish National Museum" without naming the branch, so the
            # record keeps that name and no city or Wikidata item.
            name="Polish National Museum",
            other_names=("Muzeum Narodowe",),
            partner_type=PartnerType.MUSEUM,
            country="PL",
            tags=("GLAM", "Wikipedian in Residence"),
            about="Home of Wikimedia Polska's first Wikipedian in Residence.",
            contacts=(
                DemoContact(
                    "Jan Kowalski",
                    "jan.kowalski@example.org",
                    role="Head of digitisation",
                    language="pl",
                ),
            ),
            interactions=(
                DemoInteraction(
                    90,
                    Kind.MEETING,
                    "Reviewed the first year of the Wikipedian in Residence.",
                    contacts=("Jan Kowalski",),
                ),
                DemoInteraction(
                    25,
                    Kind.EMAIL,
                    "Proposed a second batch upload of public-domain prints.",
                    follow_up_in=-10,
                    contacts=("Jan Kowalski",),
                ),
            ),
        ),
        DemoOrganisation(
            name="Ethnographic Museum",
            partner_type=PartnerType.MUSEUM,
            country="PL",
            tags=("GLAM",),
            about="With volunteers, covered cultures and traditions of the Polish countryside.",
            contacts=(
                DemoContact(
                    "Anna Przykładowa",
                    "anna.przykladowa@example.org",
                    role="Curator",
                    language="pl",
                ),
            ),
            interactions=(
                DemoInteraction(
                    120,
                    Kind.EVENT,
                    "Photo walk for volunteers in the open-air collection.",
                    contacts=("Anna Przykładowa",),
                ),
            ),
        ),
    ),
)

_ARGENTINA = DemoAffiliate(
    slug="argentina",
    name="Wikimedia Argentina",
    country="AR",
    website="https://www.wikimedia.org.ar",
    manager="argentina",
    organisations=(
        DemoOrganisation(
            name="UNESCO",
            other_names=("United Nations Educational, Scientific and Cultural Organization",),
            partner_type=PartnerType.INTERGOVERNMENTAL,
            country="FR",
            city="Paris",
            region=Region.GLOBAL,
            website="https://www.unesco.org",
            wikidata_qid="Q7809",
            tags=("education", "Bring Wikipedia to the town"),
            about="Working with teachers in small Argentine communities to “bring "
            "Wikipedia to the town”: culture and traditions of the countryside in 2016, "
            "ecology in 2017.",
            contacts=(
                DemoContact(
                    "Zutana Ejemplo",
                    "zutana.ejemplo@example.org",
                    role="Education programme officer",
                    language="es",
                ),
            ),
            interactions=(
                DemoInteraction(
                    40,
                    Kind.MEETING,
                    "Chose the towns and the theme (ecology) for next year.",
                    follow_up_in=6,
                    contacts=("Zutana Ejemplo",),
                ),
            ),
        ),
    ),
)

_GERMANY = DemoAffiliate(
    slug="germany",
    name="Wikimedia Deutschland",
    country="DE",
    website="https://www.wikimedia.de",
    wikidata_qid="Q8288",
    manager="germany",
    organisations=(
        DemoOrganisation(
            name="Serlo Education",
            other_names=("Serlo",),
            partner_type=PartnerType.NGO,
            country="DE",
            city="Munich",
            website="https://serlo.org",
            tags=("OER", "education"),
            about="Informal cooperation on open educational resources; Serlo wants to learn "
            "about community support, crowdfunding and software development.",
            contacts=(
                DemoContact(
                    "Erika Mustermann",
                    "erika.mustermann@example.org",
                    role="Partnerships",
                    language="de",
                ),
                DemoContact(
                    "Max Mustermann",
                    "max.mustermann@example.org",
                    role="Software development",
                    language="de",
                ),
            ),
            interactions=(
                DemoInteraction(
                    50,
                    Kind.MEETING,
                    "OER activities: agreed on one small, tangible first project.",
                    contacts=("Erika Mustermann", "Max Mustermann"),
                ),
                DemoInteraction(
                    3,
                    Kind.EMAIL,
                    "Shared our crowdfunding learnings.",
                    follow_up_in=14,
                    contacts=("Erika Mustermann",),
                ),
            ),
        ),
    ),
)

_UKRAINE = DemoAffiliate(
    slug="ukraine",
    name="Wikimedia Ukraine",
    country="UA",
    website="https://wikimedia.org.ua",
    manager="ukraine",
    organisations=(
        DemoOrganisation(
            name="Embassy of Sweden in Kyiv",
            partner_type=PartnerType.EMBASSY,
            country="UA",
            city="Kyiv",
            website="https://www.swedenabroad.se",
            tags=("WikiGap", "gender"),
            about="Key partner of the WikiGap challenge for several years running.",
            contacts=(
                DemoContact(
                    "Olena Prykladna",
                    "olena.prykladna@example.org",
                    role="Cultural attaché",
                    language="uk",
                ),
            ),
            interactions=(
                DemoInteraction(
                    35,
                    Kind.MEETING,
                    "Planned this year's WikiGap challenge and its prizes.",
                    follow_up_in=1,
                    contacts=("Olena Prykladna",),
                ),
            ),
        ),
        DemoOrganisation(
            name="United Nations Population Fund, Ukraine office",
            other_names=("UNFPA Ukraine",),
            partner_type=PartnerType.INTERGOVERNMENTAL,
            country="UA",
            city="Kyiv",
            website="https://ukraine.unfpa.org",
            tags=("WikiGap", "gender"),
            about="Partner of WikiGap and of “She Did It”, on articles about prominent women.",
            contacts=(
                DemoContact(
                    "Ivan Prykladenko",
                    "ivan.prykladenko@example.org",
                    role="Gender programme analyst",
                    language="uk",
                ),
            ),
            interactions=(
                DemoInteraction(
                    22,
                    Kind.CALL,
                    "Agreed the list of women's biographies for “She Did It”.",
                    follow_up_in=-2,
                    contacts=("Ivan Prykladenko",),
                ),
            ),
        ),
        DemoOrganisation(
            name="National Democratic Institute",
            other_names=("NDI",),
            partner_type=PartnerType.NGO,
            country="UA",
            city="Kyiv",
            website="https://www.ndi.org",
            tags=("WikiGap", "gender"),
            about="Partner of the WikiGap challenge.",
            interactions=(
                DemoInteraction(
                    180,
                    Kind.EVENT,
                    "WikiGap award ceremony.",
                ),
            ),
        ),
    ),
)


def _academic(
    name: str,
    website: str,
    *,
    partner_type: str = PartnerType.PROFESSIONAL,
    status: str = Status.ACTIVE,
    about: str = "Academic association partner.",
) -> DemoOrganisation:
    """Return one of Wiki Education's academic association partners, with no contacts yet."""
    return DemoOrganisation(
        name=name,
        partner_type=partner_type,
        country="US",
        website=website,
        status=status,
        about=about,
        tags=("academic association",),
    )


_WIKI_EDUCATION = DemoAffiliate(
    slug="wikiedu",
    name="Wiki Education Foundation",
    country="US",
    kind=AffiliateKind.THEMATIC,
    website="https://wikiedu.org",
    manager="wikiedu",
    organisations=(
        DemoOrganisation(
            name="American Chemical Society",
            partner_type=PartnerType.PROFESSIONAL,
            country="US",
            city="Washington, D.C.",
            website="https://www.acs.org",
            wikidata_qid="Q247556",
            tags=("academic association",),
            about="Academic association partner.",
            contacts=(
                DemoContact(
                    "Jane Doe",
                    "jane.doe@example.org",
                    role="Education outreach manager",
                    language="en",
                ),
            ),
            interactions=(
                DemoInteraction(
                    14,
                    Kind.CALL,
                    "Discussed a course for members on improving chemistry articles.",
                    follow_up_in=0,
                    contacts=("Jane Doe",),
                ),
            ),
        ),
        DemoOrganisation(
            name="Smithsonian Institution",
            partner_type=PartnerType.MUSEUM,
            country="US",
            city="Washington, D.C.",
            website="https://www.si.edu",
            wikidata_qid="Q131626",
            tags=("GLAM",),
            about="Provides quality information sources for editing.",
            contacts=(
                DemoContact(
                    "John Doe",
                    "john.doe@example.org",
                    role="Digital programmes",
                    language="en",
                ),
            ),
            interactions=(
                DemoInteraction(
                    28,
                    Kind.MEETING,
                    "Talked about a course on women in science using Smithsonian sources.",
                    follow_up_in=-7,
                    contacts=("John Doe",),
                ),
            ),
        ),
        _academic("American Sociological Association", "https://www.asanet.org"),
        _academic("American Anthropological Association", "https://americananthro.org"),
        _academic("National Women's Studies Association", "https://www.nwsa.org"),
        _academic("American Physical Society", "https://www.aps.org", status=Status.PROSPECT),
        _academic(
            "500 Women Scientists",
            "https://500womenscientists.org",
            partner_type=PartnerType.NGO,
            about="Partner for improving articles about women in science.",
        ),
    ),
)

# Further pairs from the 2022 report on grantees' partnerships and the 2021-22 interviews.
_MORE_WITH_PARTNERS = (
    DemoAffiliate(
        slug="sweden",
        name="Wikimedia Sverige",
        country="SE",
        website="https://wikimedia.se",
        manager="sweden",
        organisations=(
            DemoOrganisation(
                name="Swedish Ministry for Foreign Affairs",
                other_names=("Utrikesdepartementet",),
                partner_type=PartnerType.GOVERNMENT,
                country="SE",
                city="Stockholm",
                tags=("WikiGap",),
                about="WikiGap, held with embassies around the world.",
                contacts=(
                    DemoContact(
                        "Sven Svensson",
                        "sven.svensson@example.org",
                        role="Desk officer",
                        language="sv",
                    ),
                ),
                interactions=(
                    DemoInteraction(
                        18,
                        Kind.MEETING,
                        "Which embassies join WikiGap this year.",
                        follow_up_in=5,
                        contacts=("Sven Svensson",),
                    ),
                ),
            ),
            DemoOrganisation(
                name="The Swedish Internet Foundation",
                other_names=("Internetstiftelsen",),
                partner_type=PartnerType.FOUNDATION,
                country="SE",
                city="Stockholm",
                website="https://internetstiftelsen.se",
                tags=("in-kind",),
                about="Hosts the chapter's office address.",
            ),
        ),
    ),
    DemoAffiliate(
        slug="czechia",
        name="Wikimedia Česká republika",
        country="CZ",
        website="https://www.wikimedia.cz",
        manager="czechia",
        organisations=(
            DemoOrganisation(
                name="Digikoalice",
                other_names=("Czech National Coalition for Digital Skills and Jobs",),
                partner_type=PartnerType.NGO,
                country="CZ",
                tags=("digital skills",),
                about="Partner for media, information and literacy skills.",
            ),
            DemoOrganisation(
                name="Veolia Foundation",
                other_names=("Nadace Veolia",),
                partner_type=PartnerType.FOUNDATION,
                country="CZ",
                tags=("funding",),
                about="Financial supporter.",
                contacts=(
                    DemoContact(
                        "Jan Novák",
                        "jan.novak@example.org",
                        role="Grants manager",
                        language="cs",
                    ),
                ),
                interactions=(
                    DemoInteraction(
                        65,
                        Kind.EMAIL,
                        "Sent the yearly report on the supported project.",
                        contacts=("Jan Novák",),
                    ),
                ),
            ),
            DemoOrganisation(
                name="Lush",
                partner_type=PartnerType.COMPANY,
                country="GB",
                status=Status.DORMANT,
                tags=("funding",),
                about="Financial supporter.",
            ),
        ),
    ),
    DemoAffiliate(
        slug="france",
        name="Wikimédia France",
        country="FR",
        website="https://www.wikimedia.fr",
        manager="france",
        organisations=(
            DemoOrganisation(
                name="Ministry of National Education",
                other_names=("Ministère de l'Éducation nationale",),
                partner_type=PartnerType.GOVERNMENT,
                country="FR",
                city="Paris",
                website="https://www.education.gouv.fr",
                tags=("education", "government"),
                about="Partner for Wikimedia in education.",
                contacts=(
                    DemoContact(
                        "Jean Dupont",
                        "jean.dupont@example.org",
                        role="Chargé de mission numérique",
                        language="fr",
                    ),
                ),
                interactions=(
                    DemoInteraction(
                        9,
                        Kind.MEETING,
                        "Teacher training modules on Wikipedia for the next school year.",
                        follow_up_in=3,
                        contacts=("Jean Dupont",),
                    ),
                ),
            ),
        ),
    ),
    DemoAffiliate(
        slug="taiwan",
        name="Wikimedia Taiwan",
        country="TW",
        manager="taiwan",
        organisations=(
            DemoOrganisation(
                name="Department of History, National Cheng Kung University",
                partner_type=PartnerType.UNIVERSITY,
                country="TW",
                city="Tainan",
                website="https://www.ncku.edu.tw",
                tags=("university",),
                about="Students write on history as part of their courses.",
                contacts=(
                    DemoContact(
                        "Wang Xiaoming",
                        "wang.xiaoming@example.org",
                        role="Associate professor",
                        language="zh",
                    ),
                ),
                interactions=(
                    DemoInteraction(
                        33,
                        Kind.MEETING,
                        "Course assignment on local history articles.",
                        follow_up_in=-1,
                        contacts=("Wang Xiaoming",),
                    ),
                ),
            ),
        ),
    ),
    DemoAffiliate(
        slug="nigeria",
        name="Wikimedia User Group Nigeria",
        country="NG",
        kind=AffiliateKind.USER_GROUP,
        manager="nigeria",
        organisations=(
            DemoOrganisation(
                name="African Women in Media",
                other_names=("AWiM",),
                partner_type=PartnerType.MEDIA,
                country="",
                region=Region.MEA,
                tags=("gender", "journalists"),
                about="Training female journalists and women in the media sector to close "
                "the gender gap in contributors and content.",
                contacts=(
                    DemoContact(
                        "Ada Example",
                        "ada.example@example.org",
                        role="Programmes lead",
                        language="en",
                    ),
                ),
                interactions=(
                    DemoInteraction(
                        26,
                        Kind.EVENT,
                        "Editing workshop for journalists.",
                        follow_up_in=12,
                        contacts=("Ada Example",),
                    ),
                ),
            ),
        ),
    ),
    DemoAffiliate(
        slug="afrocrowd",
        name="AfroCROWD",
        country="US",
        kind=AffiliateKind.USER_GROUP,
        legal_status=Legal.UNREGISTERED,
        manager="afrocrowd",
        organisations=(
            DemoOrganisation(
                name="World Bank",
                partner_type=PartnerType.INTERGOVERNMENTAL,
                country="US",
                city="Washington, D.C.",
                region=Region.GLOBAL,
                website="https://www.worldbank.org",
                wikidata_qid="Q7164",
                tags=("international",),
                about="International partner.",
            ),
        ),
    ),
    DemoAffiliate(
        slug="wiki-in-africa",
        name="Wiki In Africa",
        country="ZA",
        kind=AffiliateKind.OTHER,
        manager="wikiinafrica",
        organisations=(
            DemoOrganisation(
                name="Goethe-Institut",
                partner_type=PartnerType.NGO,
                country="DE",
                city="Munich",
                website="https://www.goethe.de",
                tags=("funding", "in-kind"),
                about="Financial and in-kind supporter.",
            ),
            DemoOrganisation(
                name="Fondation Orange",
                other_names=("Foundation Orange",),
                partner_type=PartnerType.FOUNDATION,
                country="FR",
                tags=("funding",),
                about="Financial supporter.",
            ),
        ),
    ),
    DemoAffiliate(
        slug="cote-divoire",
        name="Wikimedia Côte d'Ivoire User Group",
        country="CI",
        kind=AffiliateKind.USER_GROUP,
        legal_status=Legal.UNREGISTERED,
        manager="cotedivoire",
        organisations=(
            DemoOrganisation(
                name="Amazons du web",
                partner_type=PartnerType.NGO,
                country="CI",
                tags=("gender", "youth"),
                about="Association of young people in ICT; brings young women in as contributors.",
                interactions=(
                    DemoInteraction(
                        11,
                        Kind.EVENT,
                        "Edit-a-thon for young women in tech.",
                        follow_up_in=7,
                    ),
                ),
            ),
        ),
    ),
    DemoAffiliate(
        slug="aotearoa",
        name="Wikimedia User Group of Aotearoa New Zealand",
        country="NZ",
        kind=AffiliateKind.USER_GROUP,
        manager="aotearoa",
        organisations=(
            DemoOrganisation(
                name="The Carpentries",
                partner_type=PartnerType.NGO,
                country="",
                region=Region.GLOBAL,
                website="https://carpentries.org",
                tags=("training",),
                about="Runs an OpenRefine course for the group's users.",
            ),
        ),
    ),
)

# Chapters from shared/fixtures/affiliates/wikimedia-chapters.csv (the active ones not above),
# as affiliates without partners: (slug, name, country).
_CHAPTERS = (
    ("armenia", "Վիքիմեդիա Հայաստան", "AM"),
    ("australia", "Wikimedia Australia", "AU"),
    ("austria", "Wikimedia Österreich", "AT"),
    ("bangladesh", "Wikimedia Bangladesh", "BD"),
    ("belgium", "Wikimedia Belgium", "BE"),
    ("canada", "Wikimedia Canada / Wikimédia Canada", "CA"),
    ("colombia", "Wikimedia Colombia", "CO"),
    ("denmark", "Wikimedia Danmark", "DK"),
    ("estonia", "Wikimedia Eesti", "EE"),
    ("finland", "Wikimedia Suomi", "FI"),
    ("hungary", "Wikimédia Magyarország", "HU"),
    ("indonesia", "Wikimedia Indonesia", "ID"),
    ("israel", "Wikimedia Israel", "IL"),
    ("italy", "Wikimedia Italia", "IT"),
    ("mexico", "Wikimedia México", "MX"),
    ("nyc", "Wikimedia New York City", "US"),
    ("dc", "Wikimedia District of Columbia", "US"),
    ("uk", "Wikimedia UK", "GB"),
    ("south-africa", "Wikimedia South Africa", "ZA"),
    ("portugal", "Wikimedia Portugal", "PT"),
    ("switzerland", "Wikimedia CH", "CH"),
    ("serbia", "Викимедија Србије", "RS"),
    ("netherlands", "Wikimedia Nederland", "NL"),
    ("norway", "Wikimedia Norge", "NO"),
    ("spain", "Wikimedia España", "ES"),
    ("korea", "Wikimedia Korea", "KR"),
)

DEMO_AFFILIATES: tuple[DemoAffiliate, ...] = (
    _MOROCCO,
    _CHILE,
    _POLAND,
    _ARGENTINA,
    _GERMANY,
    _UKRAINE,
    _WIKI_EDUCATION,
    *_MORE_WITH_PARTNERS,
    *(DemoAffiliate(slug=s, name=n, country=c) for s, n, c in _CHAPTERS),
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
