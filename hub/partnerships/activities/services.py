"""Every change to activities, contributions, exchange rates and the reporting currency."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.currencies import CURRENCIES, normalise_currency, validate_currency
from hub.core.models import Affiliate, User
from hub.partners.models import Organisation
from hub.partnerships import scoring
from hub.partnerships.models import Activity, Contribution, ExchangeRate, Partnership

# Hand-entered outputs: a number above this is a typo (an extra zero, a phone number), not an
# edit-a-thon. Wikipedia in all languages has about 65 million articles.
MAX_OUTPUT = 10_000_000
# Amounts and rates: above these a value is a typo, and the columns could not hold it anyway.
MAX_AMOUNT = Decimal("100000000000")  # 1e11
MAX_RATE = Decimal("1000000000")  # 1e9
MIN_YEAR, MAX_YEAR = 1990, 2100

OUTPUT_FIELDS = (
    "articles_created",
    "articles_improved",
    "files_uploaded",
    "items_created",
    "items_edited",
    "people_trained",
)
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "place",
    "online",
    "participants",
    *OUTPUT_FIELDS,
    "notes",
)
CONTRIBUTION_FIELDS = (
    "kind",
    "in_kind_type",
    "organisation",
    "received_on",
    "description",
    "amount",
    "currency",
)


def check_output(value: int | None, field: str) -> dict[str, str]:
    """Return {field: message} if a hand-entered count is negative or absurdly large."""
    if value is None:
        return {}
    if value < 0:
        return {field: _("Enter zero or a positive number.")}
    if value > MAX_OUTPUT:
        return {
            field: _("%(value)s is more than we can believe (over %(max)s). Check for a typo.")
            % {"value": f"{value:,}", "max": f"{MAX_OUTPUT:,}"}
        }
    return {}


def check_amount(amount: Any, field: str = "amount") -> dict[str, str]:
    """Return {field: message} if an amount is not a number, negative or absurdly large."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return {field: _("Enter the estimated value as a number, e.g. 1500 or 1500.50.")}
    if not value.is_finite():
        return {field: _("Enter the estimated value as a number, e.g. 1500 or 1500.50.")}
    if value < 0:
        return {field: _("The value cannot be negative.")}
    if value > MAX_AMOUNT:
        return {field: _("That is more than 100 billion. Check for a typo, or split the amount.")}
    if value != value.quantize(Decimal("0.01")):
        return {field: _("Use at most two decimals (cents).")}
    return {}


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _activity_errors(activity: Activity) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
        errors["ends_on"] = _("The activity cannot end before it starts.")
    for name in (*OUTPUT_FIELDS, "participants"):
        errors.update(check_output(getattr(activity, name), name))
    return errors


def _check_partners(partnership: Partnership, organisations: Iterable[Organisation]) -> list[int]:
    """Return the organisations' ids, refusing any that is not a partner in the partnership."""
    ids = {org.pk for org in organisations}
    allowed = set(partnership.partners.values_list("organisation_id", flat=True))
    if ids - allowed:
        raise ValidationError(
            {"partners": _("Choose only partners of this partnership.")}, code="not_a_partner"
        )
    return sorted(ids)


def _activity_snapshot(activity: Activity) -> dict[str, Any]:
    data = audit.snapshot(activity, ACTIVITY_FIELDS)
    if activity.pk:
        data["partners"] = sorted(o.name for o in activity.partners.all())
    return data


def _label(activity: Activity) -> str:
    return f"{activity.title} ({activity.get_kind_display()}, {activity.starts_on})"


@transaction.atomic
def create_activity(
    *,
    actor: User | None,
    partnership: Partnership,
    partners: Iterable[Organisation] = (),
    **fields: Any,
) -> Activity:
    """Add an activity to a partnership, with the partners involved, and record it."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"unknown activity fields {sorted(unknown)}")
    activity = Activity(partnership=partnership, created_by=actor, **fields)
    errors = _activity_errors(activity)
    try:
        activity.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    _raise(errors)
    partner_ids = _check_partners(partnership, partners)
    activity.save()
    activity.partners.set(partner_ids)
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="activity.created",
        target=partnership,
        changes={"activity": [None, _label(activity)]},
    )
    scoring.refresh_score(partnership)  # joint activities and uploads count towards the score
    return activity


@transaction.atomic
def update_activity(
    *,
    actor: User | None,
    activity: Activity,
    partners: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Activity:
    """Change an activity (and, if given, its partners) and record what changed."""
    current = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=activity.pk)
    )
    before = _activity_snapshot(current)
    for name, value in fields.items():
        if name not in ACTIVITY_FIELDS:
            raise ValueError(f"unknown activity field {name}")
        setattr(current, name, value)
    errors = _activity_errors(current)
    try:
        current.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    _raise(errors)
    current.save()
    if partners is not None:
        current.partners.set(_check_partners(current.partnership, partners))
    changes = audit.diff(before, _activity_snapshot(current))
    if changes:
        changes["activity"] = [None, _label(current)]
        audit.record(
            actor=actor,
            affiliate=current.partnership.affiliate,
            action="activity.updated",
            target=current.partnership,
            changes=changes,
        )
        scoring.refresh_score(current.partnership)
    return current


@transaction.atomic
def delete_activity(*, actor: User | None, activity: Activity) -> None:
    """Delete an activity, keeping a record of what it was."""
    partnership = activity.partnership
    label = _label(activity)
    activity.delete()
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="activity.deleted",
        target=partnership,
        changes={"activity": [label, None]},
    )
    scoring.refresh_score(partnership)


def _contribution_errors(contribution: Contribution) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if contribution.kind == Contribution.Kind.IN_KIND and not contribution.in_kind_type:
        errors["in_kind_type"] = _("Say what was given in kind: venue, catering, transport…")
    if contribution.kind == Contribution.Kind.FINANCIAL and contribution.in_kind_type:
        errors["in_kind_type"] = _(
            "A financial contribution has no in-kind type. Choose “In kind”, or leave the "
            "type empty."
        )
    errors.update(check_amount(contribution.amount))
    try:
        validate_currency(contribution.currency)
    except ValidationError as error:
        errors["currency"] = error.messages
    return errors


def _check_contributor(partnership: Partnership, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    if not partnership.partners.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("Choose one of this partnership's partners.")},
            code="not_a_partner",
        )


def _contribution_label(contribution: Contribution) -> str:
    kind = contribution.get_in_kind_type_display() or contribution.get_kind_display()
    return f"{kind}: {contribution.amount} {contribution.currency} ({contribution.received_on})"


def _validate_contribution(contribution: Contribution) -> None:
    contribution.currency = normalise_currency(contribution.currency)
    errors = _contribution_errors(contribution)
    try:
        contribution.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    _raise(errors)
    _check_contributor(contribution.partnership, contribution.organisation)


@transaction.atomic
def add_contribution(
    *, actor: User | None, partnership: Partnership, **fields: Any
) -> Contribution:
    """Record money or something in kind that a partner gave a partnership."""
    unknown = set(fields) - set(CONTRIBUTION_FIELDS)
    if unknown:
        raise ValueError(f"unknown contribution fields {sorted(unknown)}")
    contribution = Contribution(partnership=partnership, created_by=actor, **fields)
    _validate_contribution(contribution)
    contribution.save()
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="contribution.added",
        target=partnership,
        changes={"contribution": [None, _contribution_label(contribution)]},
    )
    return contribution


@transaction.atomic
def update_contribution(
    *, actor: User | None, contribution: Contribution, **fields: Any
) -> Contribution:
    """Change a contribution and record what changed."""
    current = (
        # Lock the contribution's row only: the partner is on the nullable side of a join,
        # which PostgreSQL refuses to lock.
        Contribution.objects.select_for_update(of=("self",))
        .select_related("partnership", "organisation")
        .get(pk=contribution.pk)
    )
    before = audit.snapshot(current, CONTRIBUTION_FIELDS)
    for name, value in fields.items():
        if name not in CONTRIBUTION_FIELDS:
            raise ValueError(f"unknown contribution field {name}")
        setattr(current, name, value)
    _validate_contribution(current)
    current.save()
    changes = audit.diff(before, audit.snapshot(current, CONTRIBUTION_FIELDS))
    if changes:
        changes["contribution"] = [None, _contribution_label(current)]
        audit.record(
            actor=actor,
            affiliate=current.partnership.affiliate,
            action="contribution.updated",
            target=current.partnership,
            changes=changes,
        )
    return current


@transaction.atomic
def delete_contribution(*, actor: User | None, contribution: Contribution) -> None:
    """Delete a contribution, keeping a record of what it was."""
    partnership = contribution.partnership
    label = _contribution_label(contribution)
    contribution.delete()
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="contribution.deleted",
        target=partnership,
        changes={"contribution": [label, None]},
    )


def _rate_errors(affiliate: Affiliate, currency: str, year: Any, rate: Any) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if currency not in CURRENCIES:
        try:
            validate_currency(currency)
        except ValidationError as error:
            errors["currency"] = error.messages
    elif currency == affiliate.reporting_currency:
        errors["currency"] = _("%(code)s is your reporting currency: it needs no rate.") % {
            "code": currency
        }
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = _("Enter a year between %(min)s and %(max)s.") % {
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        errors["rate"] = _("Enter a rate above zero, e.g. 0.0921.")
    elif value > MAX_RATE:
        errors["rate"] = _("That rate is too large to be right. Check for a typo.")
    elif value != value.quantize(Decimal("0.00000001")):
        errors["rate"] = _("Use at most eight decimals.")
    return errors


@transaction.atomic
def set_exchange_rate(
    *, actor: User | None, affiliate: Affiliate, currency: str, year: int, rate: Decimal
) -> ExchangeRate:
    """Set how much one unit of a currency was worth in the reporting currency in a year."""
    currency = normalise_currency(currency)
    _raise(_rate_errors(affiliate, currency, year, rate))
    existing = (
        ExchangeRate.objects.select_for_update()
        .filter(affiliate=affiliate, currency=currency, year=year)
        .first()
    )
    before = str(existing.rate) if existing else None
    if existing is None:
        existing = ExchangeRate.objects.create(
            affiliate=affiliate, currency=currency, year=year, rate=Decimal(str(rate))
        )
    else:
        existing.rate = Decimal(str(rate))
        existing.save(update_fields=["rate"])
    existing.refresh_from_db(fields=["rate"])
    if before != str(existing.rate):
        audit.record(
            actor=actor,
            affiliate=affiliate,
            action="exchange_rate.set",
            target=existing,
            changes={
                "rate": [before, str(existing.rate)],
                "into": [None, affiliate.reporting_currency],
            },
        )
    return existing


@transaction.atomic
def delete_exchange_rate(*, actor: User | None, rate: ExchangeRate) -> None:
    """Delete an exchange rate, keeping a record of what it was."""
    affiliate = rate.affiliate
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="exchange_rate.deleted",
        target=rate,
        changes={"rate": [str(rate.rate), None]},
    )
    rate.delete()


@transaction.atomic
def set_reporting_currency(
    *, actor: User | None, affiliate: Affiliate, currency: str, clear_rates: bool = False
) -> Affiliate:
    """Change the currency totals are reported in; the old rates point elsewhere, so they go.

    Rates are "one unit of X in the reporting currency": after a change they would convert into
    the wrong currency. The caller must confirm their removal (clear_rates) when there are any.
    """
    currency = normalise_currency(currency)
    try:
        validate_currency(currency)
    except ValidationError as error:
        raise ValidationError({"currency": error.messages}) from None
    current = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if current.reporting_currency == currency:
        return current
    rates = ExchangeRate.objects.filter(affiliate=current)
    count = rates.count()
    if count and not clear_rates:
        raise ValidationError(
            {
                "clear_rates": _(
                    "Your %(count)s exchange rates convert into %(old)s. Tick the box to delete "
                    "them and start again in %(new)s."
                )
                % {"count": count, "old": current.reporting_currency, "new": currency}
            },
            code="rates_exist",
        )
    rates.delete()
    old = current.reporting_currency
    current.reporting_currency = currency
    current.save(update_fields=["reporting_currency"])
    audit.record(
        actor=actor,
        affiliate=current,
        action="affiliate.reporting_currency_changed",
        target=current,
        changes={"reporting_currency": [old, currency], "rates_deleted": [count, None]},
    )
    affiliate.reporting_currency = currency
    return current
