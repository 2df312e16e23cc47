"""The grant-report export: one row per partnership, read a chunk of partnerships at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from hub.core.exports import CellValue
from hub.core.labels import choice_labels, country_name
from hub.partners.models import Organisation
from hub.partnerships import selectors
from hub.partnerships.activities import money
from hub.partnerships.activities.outputs import with_output_lines
from hub.partnerships.activities.services import OUTPUT_FIELDS
from hub.partnerships.models import (
    Activity,
    AffiliateGoal,
    Contribution,
    ContributionType,
    Goal,
    Partnership,
    PartnershipPartner,
)

EXPORT_CHUNK = 500


def export_headers(*, hub: bool = False) -> list[str]:
    """Return the column titles of the grant-report export, in the user's language."""
    headers = [
        _("Title"),
        _("Summary"),
        _("Partners and roles"),
        _("Partner types"),
        _("Countries"),
        _("Regions"),
        _("Stage"),
        _("Start date"),
        _("End date"),
        _("Goals"),
        _("Main goals served"),
        _("Contribution types"),
        _("Strategic or collaboration"),
        _("Number of activities"),
        _("Articles created"),
        _("Articles improved"),
        _("Files uploaded"),
        _("Wikidata items created"),
        _("Wikidata items edited"),
        _("People trained"),
        _("Participants"),
        _("Reporting currency"),
        _("Financial total"),
        _("In-kind total"),
        _("Not converted (no exchange rate)"),
        _("Outcome clarity"),
        _("Expected outcomes"),
        _("Languages"),
        _("Where the outputs come from"),
    ]
    return [_("Affiliate"), *headers] if hub else headers


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _not_converted(*totals: money.Total) -> str:
    amounts: dict[str, Any] = {}
    for total in totals:
        for currency, amount in total.unconverted.items():
            amounts[currency] = amounts.get(currency, 0) + amount
    return "; ".join(f"{money.round_money(a)} {c}" for c, a in sorted(amounts.items()))


def _outputs(chunk: list[int]) -> tuple[dict[int, dict[str, int]], dict[int, str]]:
    """Return the chunk's partnerships' summed outputs (counted ones where an activity has
    them, else typed by hand) and, in words, where each came from and when (two queries)."""
    activities = (
        Activity.objects.filter(partnership_id__in=chunk)
        .only("id", "partnership_id", "participants", *OUTPUT_FIELDS)
        .order_by()
    )
    sums: dict[int, dict[str, int]] = {}
    said: dict[int, dict[tuple[str, str], int]] = {}
    for activity in with_output_lines(activities, html=False):
        pid = activity.partnership_id
        out = sums.setdefault(pid, {"n": 0})
        out["n"] += 1
        for line in activity.output_lines:  # type: ignore[attr-defined]
            out[f"{line.key}_sum"] = out.get(f"{line.key}_sum", 0) + line.value
            source = _("typed by hand") if line.typed else f"{line.source}, {line.as_of}"
            where = said.setdefault(pid, {})
            where[(line.label, source)] = where.get((line.label, source), 0) + line.value
    provenance = {
        pid: "; ".join(f"{label}: {value} ({source})" for (label, source), value in rows.items())
        for pid, rows in said.items()
    }
    return sums, provenance


def export_rows(
    partnerships: QuerySet[Partnership], *, hub: bool = False
) -> Iterator[list[CellValue]]:
    """Yield one grant-report row per partnership, reading EXPORT_CHUNK partnerships at a time."""
    order = ("affiliate__name", "title", "id") if hub else ("title", "id")
    ids = list(partnerships.order_by(*order).values_list("pk", flat=True))
    affiliate_ids = set(partnerships.order_by().values_list("affiliate_id", flat=True).distinct())
    tables = money.rate_tables(affiliate_ids)
    stage_labels = choice_labels(Partnership, "stage")
    clarity_labels = choice_labels(Partnership, "outcome_clarity")
    role_labels = choice_labels(PartnershipPartner, "role")
    type_labels = choice_labels(Organisation, "partner_type")
    region_labels = choice_labels(Organisation, "region")
    goal_labels = dict(Goal.choices)
    kind_labels = dict(ContributionType.choices)
    strategic, collaboration = _("Strategic"), _("Collaboration")
    for chunk in _chunks(ids, EXPORT_CHUNK):
        rows = {
            p.pk: p
            for p in Partnership.objects.filter(pk__in=chunk)
            .select_related("affiliate")
            .prefetch_related(
                Prefetch(
                    "partners",
                    queryset=selectors.partner_rows(),
                    to_attr="partner_list",
                ),
                Prefetch(
                    "main_goals",
                    queryset=AffiliateGoal.objects.only("id", "name"),
                    to_attr="main_goal_list",
                ),
            )
        }
        outputs, provenance = _outputs(chunk)
        sums: dict[tuple[int, str], money.Total] = {}
        for group in money.grouped_sums(
            Contribution.objects.filter(partnership_id__in=chunk), "partnership_id", "kind"
        ):
            pid = group["partnership_id"]
            table = tables[rows[pid].affiliate_id]
            total = sums.setdefault((pid, group["kind"]), money.Total(table.reporting_currency))
            total.add(group["total"], group["currency"], group["year"], table)
        for pid in chunk:
            p = rows[pid]
            partners = p.partner_list  # type: ignore[attr-defined]
            orgs = [pp.organisation for pp in partners]
            out = outputs.get(pid, {})
            currency = tables[p.affiliate_id].reporting_currency
            financial = sums.get((pid, Contribution.Kind.FINANCIAL), money.Total(currency))
            in_kind = sums.get((pid, Contribution.Kind.IN_KIND), money.Total(currency))
            row: list[CellValue] = [
                p.title,
                p.summary,
                "; ".join(
                    f"{pp.organisation.name} ({role_labels.get(pp.role, pp.role)})"
                    for pp in partners
                ),
                "; ".join(
                    dict.fromkeys(type_labels.get(o.partner_type, o.partner_type) for o in orgs)
                ),
                "; ".join(dict.fromkeys(country_name(o.country) for o in orgs if o.country)),
                "; ".join(
                    dict.fromkeys(region_labels.get(o.region, o.region) for o in orgs if o.region)
                ),
                stage_labels.get(p.stage, p.stage),
                p.start_date,
                p.end_date,
                "; ".join(str(goal_labels[g]) for g in p.goals),
                "; ".join(g.name for g in p.main_goal_list),  # type: ignore[attr-defined]
                "; ".join(str(kind_labels[k]) for k in p.contribution_types),
                strategic if p.is_strategic else collaboration,
                out.get("n", 0),
                *(out.get(f"{name}_sum") or 0 for name in OUTPUT_FIELDS),
                out.get("participants_sum") or 0,
                currency,
                financial.amount,
                in_kind.amount,
                _not_converted(financial, in_kind),
                clarity_labels.get(p.outcome_clarity, p.outcome_clarity),
                p.expected_outcomes,
                p.languages,
                provenance.get(pid, ""),
            ]
            yield [p.affiliate.name, *row] if hub else row
