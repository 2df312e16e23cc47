"""What the API reads and writes: one schema per resource out, one per change in.

The schemas only shape JSON; the apps' services validate and save. Input refuses unknown
fields, and text that no database keeps (a NUL character, an unpaired surrogate).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no unpaired surrogates)") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]
Id = Annotated[int, Field(ge=1, le=2**53)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


class In(Schema):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """An answer: built from the database's own typed values, so not validated again (pydantic
    validation of every row cost the JSON list more than the whole HTML page; the fuzz test
    checks every answer against the schema)."""


class Page(Out):
    """A page of a list: how many there are, and the address of the next and previous pages."""

    count: int
    next: str | None
    previous: str | None


# Organisations ---------------------------------------------------------------------------


class OrganisationOut(Out):
    id: int
    name: str
    other_names: list[str]
    partner_type: str
    country: str
    region: str
    city: str
    website: str
    wikidata_qid: str
    description: str
    status: str
    tags: list[str]
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganisationPage(Page):
    results: list[OrganisationOut]


class OrganisationChange(In):
    """Fields to change; leave out what stays as it is."""

    name: Text = Field("", max_length=200)
    other_names: list[Annotated[Text, Field(max_length=200)]] = Field(default=[], max_length=50)
    partner_type: Text = Field("", max_length=30)
    country: Text = Field("", max_length=2, description="ISO 3166-1 alpha-2 code, or empty")
    city: Text = Field("", max_length=100)
    website: Text = Field("", max_length=300)
    wikidata_qid: Text = Field("", max_length=20)
    description: Text = Field("", max_length=20000)
    status: Text = Field("", max_length=10)
    tags: list[Annotated[Text, Field(max_length=60)]] = Field(default=[], max_length=50)


class OrganisationNew(OrganisationChange):
    name: Text = Field(..., min_length=1, max_length=200)


# Contacts --------------------------------------------------------------------------------


class ContactOut(Out):
    id: int
    organisation: int | None
    name: str
    role: str
    emails: list[str]
    phone: str
    preferred_language: str
    legal_basis: str
    legal_basis_source: str
    legal_basis_date: dt.date | None
    do_not_contact: bool
    notes: str
    archived: bool
    updated_at: dt.datetime


class ContactPage(Page):
    results: list[ContactOut]


class ContactChange(In):
    organisation: Id | None = None
    name: Text = Field("", max_length=200)
    role: Text = Field("", max_length=200)
    emails: list[Annotated[Text, Field(max_length=254)]] = Field(default=[], max_length=20)
    phone: Text = Field("", max_length=50)
    preferred_language: Text = Field("", max_length=20)
    legal_basis: Text = Field("", max_length=20)
    legal_basis_source: Text = Field("", max_length=200)
    legal_basis_date: dt.date | None = None
    do_not_contact: bool = False
    notes: Text = Field("", max_length=20000)


class ContactNew(ContactChange):
    name: Text = Field(..., min_length=1, max_length=200)


# Interactions ----------------------------------------------------------------------------


class InteractionOut(Out):
    id: int
    organisation: int
    date: dt.date
    kind: str
    summary: str
    contacts: list[int]
    follow_up_on: dt.date | None
    follow_up_done: bool
    created_at: dt.datetime


class InteractionPage(Page):
    results: list[InteractionOut]


class InteractionChange(In):
    date: dt.date = dt.date(2000, 1, 1)
    kind: Text = Field("", max_length=10)
    summary: Text = Field("", max_length=20000)
    contacts: list[Id] = Field(default=[], max_length=50)
    follow_up_on: dt.date | None = None
    follow_up_done: bool = False


class InteractionNew(InteractionChange):
    organisation: Id
    date: dt.date
    kind: Text = Field("meeting", max_length=10)
    summary: Text = Field(..., min_length=1, max_length=20000)


# Partnerships ----------------------------------------------------------------------------


class PartnerOut(Out):
    organisation: int
    name: str
    role: str


class PartnershipOut(Out):
    id: int
    title: str
    summary: str
    stage: str
    partners: list[PartnerOut]
    goals: list[str]
    contribution_types: list[str]
    structure: str
    scope: str
    initiative: str
    start_date: dt.date | None
    end_date: dt.date | None
    outcome_clarity: str
    expected_outcomes: str
    languages: str
    visibility: str
    agreement_signed_on: dt.date | None
    agreement_expires_on: dt.date | None
    impact_report_every_months: int | None
    impact_reported_on: dt.date | None
    is_strategic: bool
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class PartnershipPage(Page):
    results: list[PartnershipOut]


class PartnerIn(In):
    organisation: Id
    role: Text = Field("main", max_length=20)


class PartnershipChange(In):
    title: Text = Field("", max_length=200)
    summary: Text = Field("", max_length=20000)
    goals: list[Annotated[Text, Field(max_length=20)]] = Field(default=[], max_length=10)
    contribution_types: list[Annotated[Text, Field(max_length=20)]] = Field(
        default=[], max_length=10
    )
    structure: Text = Field("", max_length=10)
    scope: Text = Field("", max_length=10)
    initiative: Text = Field("", max_length=10)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    outcome_clarity: Text = Field("", max_length=10)
    expected_outcomes: Text = Field("", max_length=20000)
    languages: Text = Field("", max_length=200)
    visibility: Text = Field("", max_length=10)
    agreement_signed_on: dt.date | None = None
    agreement_expires_on: dt.date | None = None
    impact_report_every_months: Annotated[int, Field(ge=0, le=120)] | None = None
    impact_reported_on: dt.date | None = None


class PartnershipNew(PartnershipChange):
    title: Text = Field(..., min_length=1, max_length=200)
    partners: list[PartnerIn] = Field(..., min_length=1, max_length=50)
    stage: Text = Field("idea", max_length=20)


# Activities and contributions ------------------------------------------------------------


class ActivityOut(Out):
    id: int
    partnership: int
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date | None
    place: str
    online: bool
    partners: list[int]
    participants: int | None
    articles_created: int
    articles_improved: int
    files_uploaded: int
    items_created: int
    items_edited: int
    people_trained: int
    notes: str


class ActivityPage(Page):
    results: list[ActivityOut]


class ActivityChange(In):
    kind: Text = Field("", max_length=20)
    title: Text = Field("", max_length=200)
    starts_on: dt.date = dt.date(2000, 1, 1)
    ends_on: dt.date | None = None
    place: Text = Field("", max_length=200)
    online: bool = False
    partners: list[Id] = Field(default=[], max_length=50)
    participants: Count | None = None
    articles_created: Count = 0
    articles_improved: Count = 0
    files_uploaded: Count = 0
    items_created: Count = 0
    items_edited: Count = 0
    people_trained: Count = 0
    notes: Text = Field("", max_length=20000)


class ActivityNew(ActivityChange):
    partnership: Id
    kind: Text = Field(..., max_length=20)
    title: Text = Field(..., min_length=1, max_length=200)
    starts_on: dt.date


class ContributionOut(Out):
    id: int
    partnership: int
    organisation: int | None
    kind: str
    in_kind_type: str
    received_on: dt.date
    description: str
    amount: Decimal
    currency: str


class ContributionPage(Page):
    results: list[ContributionOut]


Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class ContributionChange(In):
    organisation: Id | None = None
    kind: Text = Field("", max_length=10)
    in_kind_type: Text = Field("", max_length=20)
    received_on: dt.date = dt.date(2000, 1, 1)
    description: Text = Field("", max_length=300)
    amount: Amount = Decimal(0)
    currency: Text = Field("", max_length=3)


class ContributionNew(ContributionChange):
    partnership: Id
    kind: Text = Field(..., max_length=10)
    received_on: dt.date
    amount: Amount
    currency: Text = Field(..., min_length=3, max_length=3)


# Impact: content links and their monthly figures (measured by the Hub, read-only) ---------


class ContentLinkOut(Out):
    id: int
    partnership: int
    kind: str
    wiki_url: str
    target: str
    status: str
    last_refreshed_at: dt.datetime | None
    latest: dict[str, Any]


class ContentLinkPage(Page):
    results: list[ContentLinkOut]


class MetricPointOut(Out):
    id: int
    link: int
    metric: str
    month: dt.date
    value: int
    source: str
    fetched_at: dt.datetime


class MetricPointPage(Page):
    results: list[MetricPointOut]


class Problem(Out):
    """An error, as RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, str]] | None = None
