"""Score partnerships against the hub's strategic definition, and flag the ones needing care."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.core.queue import enqueue_on_commit
from hub.partners.models import GLAM_TYPES, Interaction
from hub.partnerships.models import (
    Activity,
    AgreementPoint,
    Partnership,
    PartnershipPartner,
    Stage,
    StrategicDefinition,
    Task,
)
from hub.partnerships.reminders import impact_report_due
from hub.partnerships.todo import add_months

DEFINITION_FIELDS = (
    "sustained_months",
    "min_activities",
    "interaction_within_months",
    "require_main_goal",
    "require_capacity",
    "glam_requires_content",
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


def get_definition() -> StrategicDefinition:
    """Return the hub's strategic definition, creating it with the research's defaults."""
    definition = StrategicDefinition.objects.order_by("pk").first()
    if definition is None:
        definition = StrategicDefinition.objects.create()
    return definition


@transaction.atomic
def update_definition(*, actor: User, **fields: Any) -> StrategicDefinition:
    """Change the strategic definition (hub staff), then recompute every score in the background."""
    definition = get_definition()
    definition = StrategicDefinition.objects.select_for_update().get(pk=definition.pk)
    before = audit.snapshot(definition, DEFINITION_FIELDS)
    for name, value in fields.items():
        if name not in DEFINITION_FIELDS:
            raise ValueError(f"unknown definition field {name}")
        setattr(definition, name, value)
    definition.updated_by = actor
    definition.full_clean()
    definition.save()
    changes = audit.diff(before, audit.snapshot(definition, DEFINITION_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            affiliate=None,
            action="strategic_definition.updated",
            target=definition,
            changes=changes,
        )
        from hub.partnerships.tasks import refresh_strategic_scores

        enqueue_on_commit(refresh_strategic_scores)
    return definition


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a partnership beyond its own columns."""

    activities: int = 0
    uploads: int = 0
    last_interaction: dt.date | None = None
    has_main_goal: bool = False
    has_glam_partner: bool = False


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
    reasons: list[Reason] = []
    if definition.sustained_months:
        n = definition.sustained_months
        if partnership.start_date is None:
            reasons.append(Reason("sustained", False, _("No start date is recorded.")))
        else:
            end = min(partnership.end_date or today, today)
            months = months_between(partnership.start_date, end)
            explanation = ngettext(
                "Running for %(months)d month; at least %(n)d needed.",
                "Running for %(months)d months; at least %(n)d needed.",
                months,
            ) % {"months": months, "n": n}
            reasons.append(Reason("sustained", months >= n, explanation))
    if definition.min_activities:
        n = definition.min_activities
        explanation = ngettext(
            "%(count)d joint activity; at least %(n)d needed.",
            "%(count)d joint activities; at least %(n)d needed.",
            facts.activities,
        ) % {"count": facts.activities, "n": n}
        reasons.append(Reason("activities", facts.activities >= n, explanation))
    if definition.interaction_within_months:
        n = definition.interaction_within_months
        since = add_months(today, -n)
        last = facts.last_interaction
        if last is None:
            explanation = _("No interaction with the partners is logged.")
        else:
            explanation = ngettext(
                "Last interaction on %(date)s; one within %(n)d month is needed.",
                "Last interaction on %(date)s; one within %(n)d months is needed.",
                n,
            ) % {"date": last.isoformat(), "n": n}
        reasons.append(Reason("interaction", last is not None and last >= since, explanation))
    if definition.require_main_goal:
        reasons.append(
            Reason(
                "main_goal",
                facts.has_main_goal,
                _("Serves one of the affiliate's main goals.")
                if facts.has_main_goal
                else _("Serves none of the affiliate's main goals."),
            )
        )
    if definition.require_capacity:
        met = partnership.gives_capacity or partnership.gives_knowledge
        reasons.append(
            Reason(
                "capacity",
                met,
                _("Includes capacity building or knowledge transfer.")
                if met
                else _("Includes neither capacity building nor knowledge transfer."),
            )
        )
    if definition.glam_requires_content and facts.has_glam_partner:
        met = partnership.gives_content or facts.uploads > 0
        reasons.append(
            Reason(
                "glam_content",
                met,
                _("A GLAM partner contributes content.")
                if met
                else _("A GLAM partner, but no content contribution or upload yet."),
            )
        )
    score = sum(1 for r in reasons if r.met)
    applicable = len(reasons)
    needed = min(definition.strategic_from_score or applicable, applicable)
    strategic = applicable > 0 and score >= needed
    return Assessment(
        score=score,
        applicable=applicable,
        needed=needed,
        label=STRATEGIC if strategic else COLLABORATION,
        reasons=reasons,
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


def facts_for(scope: QuerySet[Partnership], ids: Sequence[int] | None = None) -> dict[int, Facts]:
    """Return the facts of every partnership in scope (``ids``, when the caller knows them),
    in six queries whatever its size."""
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
    return {
        pid: Facts(
            activities=activity.get(pid, {}).get("n", 0),
            uploads=activity.get(pid, {}).get("uploads", 0),
            last_interaction=last.get(pid),
            has_main_goal=pid in goals,
            has_glam_partner=pid in glam,
        )
        for pid in (ids if ids is not None else scope.values_list("pk", flat=True))
    }


_SCORE_COLUMNS = (
    "id",
    "start_date",
    "end_date",
    "gives_capacity",
    "gives_knowledge",
    "gives_content",
    "strategic_score",
    "is_strategic",
)


def refresh_scores(affiliate: Affiliate | None = None, *, today: dt.date | None = None) -> int:
    """Recompute and store every partnership's score and label (one affiliate's, or all);
    return how many changed. Six queries whatever the number, then one bulk update."""
    today = today or timezone.localdate()
    definition = get_definition()
    scope = Partnership.objects.all()
    if affiliate is not None:
        scope = scope.filter(affiliate=affiliate)
    facts = facts_for(scope)
    changed: list[Partnership] = []
    for partnership in scope.only(*_SCORE_COLUMNS).order_by("pk").iterator(chunk_size=2000):
        result = assess(partnership, definition, facts[partnership.pk], today=today)
        if (partnership.strategic_score, partnership.is_strategic) != (
            result.score,
            result.is_strategic,
        ):
            partnership.strategic_score = result.score
            partnership.is_strategic = result.is_strategic
            changed.append(partnership)
    # Derived columns only: updated_at and the audit trail stay as they are.
    Partnership.objects.bulk_update(changed, ["strategic_score", "is_strategic"], batch_size=500)
    return len(changed)


def refresh_score(partnership: Partnership, *, today: dt.date | None = None) -> Assessment:
    """Recompute and store one partnership's score after a change; return the assessment."""
    result = assess(
        partnership,
        get_definition(),
        facts_for(Partnership.objects.filter(pk=partnership.pk), [partnership.pk])[partnership.pk],
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
) -> dict[int, list[HealthFlag]]:
    """Return the health flags of a page of partnerships, in four queries for the whole page
    (two when the last interactions are passed in, as assessments already know them)."""
    today = today or timezone.localdate()
    ids = [p.pk for p in partnerships]
    flags: dict[int, list[HealthFlag]] = {pid: [] for pid in ids}
    if not ids:
        return flags
    if last_interactions is None:
        last_interactions = _last_interactions(Partnership.objects.filter(pk__in=ids))
    last = last_interactions
    open_points: dict[int, int] = dict(
        AgreementPoint.objects.filter(
            partnership_id__in=ids, status=AgreementPoint.Status.NOT_DISCUSSED
        )
        .values("partnership_id")
        .annotate(n=Count("id"))
        .values_list("partnership_id", "n")
    )
    overdue: dict[int, int] = dict(
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
) -> list[HealthFlag]:
    """Return the health flags of one partnership (pass the last interaction if known)."""
    last = None
    if known:
        last = {partnership.pk: last_interaction} if last_interaction else {}
    return health_flags_for([partnership], today=today, last_interactions=last)[partnership.pk]


def assessments_for(
    partnerships: Iterable[Partnership], *, today: dt.date | None = None
) -> dict[int, Assessment]:
    """Return the live assessment of each partnership of a page, in a few queries."""
    rows = list(partnerships)
    if not rows:
        return {}
    definition = get_definition()
    ids = [p.pk for p in rows]
    facts = facts_for(Partnership.objects.filter(pk__in=ids), ids)
    return {p.pk: assess(p, definition, facts.get(p.pk, Facts()), today=today) for p in rows}
