"""Score partnerships against the hub's strategic definition, and flag the ones needing care."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.core import audit
from hub.core.dates import add_months
from hub.core.models import Affiliate
from hub.partners.models import GLAM_TYPES, Interaction
from hub.partnerships.lifecycle import impact_report_due
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    Partnership,
    PartnershipPartner,
    Stage,
    StrategicDefinition,
    Task,
)
from hub.partnerships.slots import partnership_satisfaction

DEFINITION_FIELDS = (
    "sustained_months",
    "min_activities",
    "interaction_within_months",
    "require_main_goal",
    "require_capacity",
    "glam_requires_content",
    "min_satisfaction",
    "strategic_from_score",
)
STRATEGIC = "strategic"
COLLABORATION = "collaboration"
QUIET_DAYS = 90
EXPIRY_WARNING_DAYS = 60
# The checklist is expected to be settled from negotiation on; earlier, open points are normal.
CHECKLIST_STAGES = frozenset(
    {
        Stage.NEGOTIATION,
        Stage.AGREEMENT,
        Stage.ACTIVE,
        Stage.REPORTING,
        Stage.EVALUATION,
        Stage.CONTINUED,
    }
)
UPLOAD_KINDS = (Activity.Kind.MEDIA_UPLOAD, Activity.Kind.DATA_UPLOAD)
# Ids per UPDATE, well below SQLite's and PostgreSQL's parameter limits.
UPDATE_CHUNK = 500


def get_definition() -> StrategicDefinition:
    """Return the hub's strategic definition, creating it with the research's defaults."""
    definition = StrategicDefinition.objects.order_by("pk").first()
    if definition is None:
        definition = StrategicDefinition.objects.create()
    return definition


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a partnership beyond its own columns."""

    activities: int = 0
    uploads: int = 0
    last_interaction: dt.date | None = None
    has_main_goal: bool = False
    has_glam_partner: bool = False
    # Partners' average satisfaction in surveys (1-5), None when nobody answered one.
    satisfaction: float | None = None


@dataclass(frozen=True)
class Reason:
    """One rule, whether the partnership meets it, and why, in words."""

    rule: str
    met: bool
    explanation: str


@dataclass(frozen=True)
class Assessment:
    """A partnership's strategic score, the rules that applied, its label and the reasons."""

    score: int
    applicable: int
    needed: int
    label: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def is_strategic(self) -> bool:
        return self.label == STRATEGIC

    @property
    def label_text(self) -> str:
        return _("Strategic partnership") if self.is_strategic else _("Collaboration")


def months_between(start: dt.date, end: dt.date) -> int:
    """Return how many whole months lie between two dates (0 if end is before start)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


class _Rated(Protocol):
    """What the rules read of a partnership: a model instance or a lighter row."""

    @property
    def start_date(self) -> dt.date | None: ...
    @property
    def end_date(self) -> dt.date | None: ...
    @property
    def gives_capacity(self) -> bool: ...
    @property
    def gives_knowledge(self) -> bool: ...
    @property
    def gives_content(self) -> bool: ...


def _months_running(partnership: _Rated, today: dt.date) -> int | None:
    """Return how many whole months the partnership has run, or None without a start date."""
    if partnership.start_date is None:
        return None
    return months_between(partnership.start_date, min(partnership.end_date or today, today))


def _checks(
    partnership: _Rated, definition: StrategicDefinition, facts: Facts, today: dt.date
) -> list[tuple[str, bool]]:
    """Return each rule that applies, in order, and whether the partnership meets it.

    ``assess`` words these; ``refresh_scores`` only counts them, for thousands at a time.
    """
    checks: list[tuple[str, bool]] = []
    if definition.sustained_months:
        months = _months_running(partnership, today)
        checks.append(("sustained", months is not None and months >= definition.sustained_months))
    if definition.min_activities:
        checks.append(("activities", facts.activities >= definition.min_activities))
    if definition.interaction_within_months:
        since = add_months(today, -definition.interaction_within_months)
        last = facts.last_interaction
        checks.append(("interaction", last is not None and last >= since))
    if definition.require_main_goal:
        checks.append(("main_goal", facts.has_main_goal))
    if definition.require_capacity:
        checks.append(("capacity", partnership.gives_capacity or partnership.gives_knowledge))
    if definition.glam_requires_content and facts.has_glam_partner:
        checks.append(("glam_content", partnership.gives_content or facts.uploads > 0))
    if definition.min_satisfaction is not None and facts.satisfaction is not None:
        checks.append(("satisfaction", facts.satisfaction >= float(definition.min_satisfaction)))
    return checks


def _verdict(
    checks: list[tuple[str, bool]], definition: StrategicDefinition
) -> tuple[int, int, int, str]:
    """Return (score, rules that apply, score needed, label) for the checks."""
    score = sum(1 for _rule, met in checks if met)
    applicable = len(checks)
    needed = min(definition.strategic_from_score or applicable, applicable)
    strategic = applicable > 0 and score >= needed
    return score, applicable, needed, STRATEGIC if strategic else COLLABORATION


def _explain(
    rule: str,
    met: bool,
    partnership: Partnership,
    definition: StrategicDefinition,
    facts: Facts,
    today: dt.date,
) -> str:
    """Return why the partnership meets a rule or not, in words."""
    if rule == "sustained":
        months = _months_running(partnership, today)
        if months is None:
            return _("No start date is recorded.")
        return ngettext(
            "Running for %(months)d month; at least %(n)d needed.",
            "Running for %(months)d months; at least %(n)d needed.",
            months,
        ) % {"months": months, "n": definition.sustained_months}
    if rule == "activities":
        return ngettext(
            "%(count)d joint activity; at least %(n)d needed.",
            "%(count)d joint activities; at least %(n)d needed.",
            facts.activities,
        ) % {"count": facts.activities, "n": definition.min_activities}
    if rule == "interaction":
        n = definition.interaction_within_months
        if facts.last_interaction is None:
            return _("No interaction with the partners is logged.")
        return ngettext(
            "Last interaction on %(date)s; one within %(n)d month is needed.",
            "Last interaction on %(date)s; one within %(n)d months is needed.",
            n,
        ) % {"date": facts.last_interaction.isoformat(), "n": n}
    if rule == "main_goal":
        return (
            _("Serves one of the affiliate's main goals.")
            if met
            else _("Serves none of the affiliate's main goals.")
        )
    if rule == "capacity":
        return (
            _("Includes capacity building or knowledge transfer.")
            if met
            else _("Includes neither capacity building nor knowledge transfer.")
        )
    if rule == "satisfaction":
        return _(
            "Partners' average satisfaction in surveys: %(avg).1f out of 5; at least %(n)s needed."
        ) % {"avg": facts.satisfaction or 0, "n": definition.min_satisfaction}
    return (
        _("A GLAM partner contributes content.")
        if met
        else _("A GLAM partner, but no content contribution or upload yet.")
    )


def assess(
    partnership: Partnership,
    definition: StrategicDefinition,
    facts: Facts,
    *,
    today: dt.date | None = None,
) -> Assessment:
    """Return how a partnership measures against the definition, rule by rule.

    A rule whose threshold is 0 or that is switched off does not apply; the GLAM rule applies
    only when one of the partners is a museum, archive, library or gallery.
    """
    today = today or timezone.localdate()
    checks = _checks(partnership, definition, facts, today)
    score, applicable, needed, label = _verdict(checks, definition)
    return Assessment(
        score=score,
        applicable=applicable,
        needed=needed,
        label=label,
        reasons=[
            Reason(rule, met, _explain(rule, met, partnership, definition, facts, today))
            for rule, met in checks
        ],
    )


def _last_interactions(scope: QuerySet[Partnership]) -> dict[int, dt.date]:
    """Return {partnership id: date of the last interaction with any of its partners}."""
    links = list(
        PartnershipPartner.objects.filter(partnership__in=scope.values("pk")).values_list(
            "partnership_id", "organisation_id"
        )
    )
    partner_orgs = PartnershipPartner.objects.filter(partnership__in=scope.values("pk")).values(
        "organisation_id"
    )
    latest: dict[int, dt.date] = dict(
        Interaction.objects.filter(organisation__in=partner_orgs)
        .values("organisation_id")
        .annotate(last=Max("date"))
        .values_list("organisation_id", "last")
    )
    result: dict[int, dt.date] = {}
    for pid, org_id in links:
        last = latest.get(org_id)
        if last is not None and (pid not in result or last > result[pid]):
            result[pid] = last
    return result


def facts_for(
    scope: QuerySet[Partnership],
    ids: Sequence[int] | None = None,
    *,
    satisfaction: bool = False,
) -> dict[int, Facts]:
    """Return the facts of every partnership in scope (``ids``, when the caller knows them),
    in six queries whatever its size; with ``satisfaction`` (the definition's rule is on),
    one more per provider of the partners' satisfaction."""
    in_scope = scope.values("pk")
    activity = {
        row["partnership_id"]: row
        for row in Activity.objects.filter(partnership__in=in_scope)
        .values("partnership_id")
        .annotate(n=Count("id"), uploads=Count("id", filter=Q(kind__in=UPLOAD_KINDS)))
    }
    goals = set(
        Partnership.main_goals.through.objects.filter(partnership__in=in_scope).values_list(
            "partnership_id", flat=True
        )
    )
    glam = set(
        PartnershipPartner.objects.filter(
            partnership__in=in_scope, organisation__partner_type__in=list(GLAM_TYPES)
        ).values_list("partnership_id", flat=True)
    )
    last = _last_interactions(scope)
    satisfied = partnership_satisfaction(scope) if satisfaction else {}
    return {
        pid: Facts(
            activities=activity.get(pid, {}).get("n", 0),
            uploads=activity.get(pid, {}).get("uploads", 0),
            last_interaction=last.get(pid),
            has_main_goal=pid in goals,
            has_glam_partner=pid in glam,
            satisfaction=satisfied.get(pid),
        )
        for pid in (ids if ids is not None else scope.values_list("pk", flat=True))
    }


class _ScoreRow(NamedTuple):
    """The columns the rules read, and the stored result; lighter than a model instance."""

    pk: int
    affiliate_id: int
    start_date: dt.date | None
    end_date: dt.date | None
    gives_capacity: bool
    gives_knowledge: bool
    gives_content: bool
    strategic_score: int
    is_strategic: bool


def refresh_scores(affiliate: Affiliate | None = None, *, today: dt.date | None = None) -> int:
    """Recompute and store every partnership's score and label (one affiliate's, or all);
    return how many changed. Six queries whatever the number for the facts, one for the
    partnerships, then one update per distinct (score, label) among the changed ones."""
    today = today or timezone.localdate()
    definition = get_definition()
    scope = Partnership.objects.all()
    if affiliate is not None:
        scope = scope.filter(affiliate=affiliate)
    facts = facts_for(scope, satisfaction=definition.min_satisfaction is not None)
    no_facts = Facts()
    changed: dict[tuple[int, bool], list[int]] = defaultdict(list)
    per_affiliate: Counter[int] = Counter()
    rows = scope.order_by("pk").values_list(*_ScoreRow._fields)
    for partnership in map(_ScoreRow._make, rows.iterator(chunk_size=2000)):
        checks = _checks(partnership, definition, facts.get(partnership.pk, no_facts), today)
        score, _applicable, _needed, label = _verdict(checks, definition)
        value = (score, label == STRATEGIC)
        if (partnership.strategic_score, partnership.is_strategic) != value:
            changed[value].append(partnership.pk)
            per_affiliate[partnership.affiliate_id] += 1
    # A handful of distinct values: an UPDATE ... WHERE id IN (...) per value is set-based,
    # where bulk_update built a CASE of thousands of branches, slowly, in Python.
    # Derived columns only: updated_at and the audit trail stay as they are.
    with transaction.atomic():
        for (score, is_strategic), ids in changed.items():
            for start in range(0, len(ids), UPDATE_CHUNK):
                Partnership.objects.filter(pk__in=ids[start : start + UPDATE_CHUNK]).update(
                    strategic_score=score, is_strategic=is_strategic
                )
        # One event per affiliate whose labels moved: the history says why a count changed
        # overnight, and caches keyed on the newest event (the dashboard) see the change.
        for owner in Affiliate.objects.filter(pk__in=per_affiliate):
            audit.record(
                actor=None,
                affiliate=owner,
                action="partnership.scores_refreshed",
                target=owner,
            )
    return sum(per_affiliate.values())


def refresh_score(partnership: Partnership, *, today: dt.date | None = None) -> Assessment:
    """Recompute and store one partnership's score after a change; return the assessment."""
    definition = get_definition()
    result = assess(
        partnership,
        definition,
        facts_for(
            Partnership.objects.filter(pk=partnership.pk),
            [partnership.pk],
            satisfaction=definition.min_satisfaction is not None,
        )[partnership.pk],
        today=today,
    )
    if (partnership.strategic_score, partnership.is_strategic) != (
        result.score,
        result.is_strategic,
    ):
        Partnership.objects.filter(pk=partnership.pk).update(
            strategic_score=result.score, is_strategic=result.is_strategic
        )
        partnership.strategic_score = result.score
        partnership.is_strategic = result.is_strategic
    return result


@dataclass(frozen=True)
class HealthFlag:
    """Something about a partnership that needs attention, in words."""

    code: str
    text: str


def health_flags_for(
    partnerships: Sequence[Partnership],
    *,
    today: dt.date | None = None,
    last_interactions: dict[int, dt.date] | None = None,
    open_points: dict[int, int] | None = None,
    overdue: dict[int, int] | None = None,
) -> dict[int, list[HealthFlag]]:
    """Return the health flags of a page of partnerships, in four queries for the whole page
    (fewer when the last interactions, open checklist points or overdue tasks are passed in,
    as the assessments and the partnership page already know them)."""
    today = today or timezone.localdate()
    ids = [p.pk for p in partnerships]
    flags: dict[int, list[HealthFlag]] = {pid: [] for pid in ids}
    if not ids:
        return flags
    if last_interactions is None:
        last_interactions = _last_interactions(Partnership.objects.filter(pk__in=ids))
    last = last_interactions
    if open_points is None:
        open_points = dict(
            AgreementPoint.objects.filter(
                partnership_id__in=ids, status=AgreementPoint.Status.NOT_DISCUSSED
            )
            .values("partnership_id")
            .annotate(n=Count("id"))
            .values_list("partnership_id", "n")
        )
    if overdue is None:
        overdue = dict(
            Task.objects.filter(partnership_id__in=ids, done_at=None, due_on__lt=today)
            .values("partnership_id")
            .annotate(n=Count("id"))
            .values_list("partnership_id", "n")
        )
    quiet_since = today - dt.timedelta(days=QUIET_DAYS)
    for p in partnerships:
        found = flags[p.pk]
        if p.archived_at is not None or p.stage == Stage.ENDED:
            continue
        last_seen = last.get(p.pk)
        if last_seen is None or last_seen < quiet_since:
            found.append(
                HealthFlag(
                    "quiet",
                    ngettext(
                        "No interaction in %(n)d day.", "No interaction in %(n)d days.", QUIET_DAYS
                    )
                    % {"n": QUIET_DAYS},
                )
            )
        if p.stage in CHECKLIST_STAGES and open_points.get(p.pk):
            n = open_points[p.pk]
            found.append(
                HealthFlag(
                    "checklist",
                    ngettext(
                        "%(n)d agreement point not discussed.",
                        "%(n)d agreement points not discussed.",
                        n,
                    )
                    % {"n": n},
                )
            )
        if overdue.get(p.pk):
            n = overdue[p.pk]
            found.append(
                HealthFlag(
                    "tasks",
                    ngettext("%(n)d overdue task.", "%(n)d overdue tasks.", n) % {"n": n},
                )
            )
        due = impact_report_due(p.impact_report_every_months, p.impact_reported_on, p.start_date)
        if due is not None and due < today:
            found.append(
                HealthFlag(
                    "impact_report",
                    _("Impact report overdue since %(date)s.") % {"date": due.isoformat()},
                )
            )
        expires = p.agreement_expires_on
        if expires is not None and expires < today:
            found.append(
                HealthFlag(
                    "agreement",
                    _("The agreement expired on %(date)s.") % {"date": expires.isoformat()},
                )
            )
        elif expires is not None and expires <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            found.append(
                HealthFlag(
                    "agreement",
                    _("The agreement expires on %(date)s.") % {"date": expires.isoformat()},
                )
            )
    return flags


def health_flags(
    partnership: Partnership,
    *,
    today: dt.date | None = None,
    last_interaction: dt.date | None = None,
    known: bool = False,
    open_points: int | None = None,
    overdue: int | None = None,
) -> list[HealthFlag]:
    """Return the health flags of one partnership (pass the last interaction if known, and
    the numbers of checklist points not discussed and of overdue tasks if the caller has
    them)."""
    last = None
    if known:
        last = {partnership.pk: last_interaction} if last_interaction else {}
    return health_flags_for(
        [partnership],
        today=today,
        last_interactions=last,
        open_points=None if open_points is None else {partnership.pk: open_points},
        overdue=None if overdue is None else {partnership.pk: overdue},
    )[partnership.pk]


def assessments_for(
    partnerships: Iterable[Partnership], *, today: dt.date | None = None
) -> dict[int, Assessment]:
    """Return the live assessment of each partnership of a page, in a few queries."""
    rows = list(partnerships)
    if not rows:
        return {}
    definition = get_definition()
    ids = [p.pk for p in rows]
    facts = facts_for(
        Partnership.objects.filter(pk__in=ids),
        ids,
        satisfaction=definition.min_satisfaction is not None,
    )
    return {p.pk: assess(p, definition, facts.get(p.pk, Facts()), today=today) for p in rows}
