"""Reads of surveys, scoped to the affiliate: lists, sendings, results, the waiting surveys."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.exports import CellValue
from hub.core.models import Affiliate
from hub.core.sqlrows import fetch
from hub.partners.models import Contact, Organisation
from hub.partnerships.models import Partnership
from hub.surveys.models import (
    Answer,
    Delivery,
    Invitation,
    Question,
    Response,
    Sending,
    Survey,
    SurveyVersion,
)
from hub.surveys.models.surveys import translation_language
from hub.surveys.tokens import make_token

# Movement-wide figures are shown only for groups of at least this many responses, so no
# partner's answers can be picked out of a small group.
MIN_GROUP = 5


def surveys_for(affiliate: Affiliate) -> QuerySet[Survey]:
    """Return the surveys an affiliate may send: its own and the hub's standard one."""
    return Survey.objects.filter(
        Q(affiliate=affiliate) | Q(affiliate=None), archived_at=None
    ).order_by("affiliate_id", "title")


def survey_for(affiliate: Affiliate, pk: int) -> Survey:
    """Return the affiliate's own survey with this id, or raise 404."""
    survey = Survey.objects.filter(affiliate=affiliate, pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def sending_for(affiliate: Affiliate, pk: int) -> Sending:
    """Return the affiliate's sending with this id, or raise 404."""
    sending = (
        Sending.objects.select_related("version__survey", "partnership")
        .filter(affiliate=affiliate, pk=pk)
        .first()
    )
    if sending is None:
        raise Http404
    return sending


@dataclass(frozen=True)
class InviteeRow:
    """One invitee on the sending's page: how their e-mails went and whether they answered."""

    name: str
    invitation: str
    reminder: str
    answered: bool
    opted_out: bool


def invitee_rows(sending: Sending) -> list[InviteeRow]:
    """Return each invitee of a sending with the state of their e-mails, in two queries."""
    invitations = list(sending.invitations.select_related("response").order_by("name", "pk"))
    states: dict[tuple[int, str], str] = {
        (d.invitation_id, d.kind): d.get_state_display() + (f" ({d.reason})" if d.reason else "")
        for d in Delivery.objects.filter(invitation__sending=sending)
    }
    return [
        InviteeRow(
            name=i.name or _("(anonymised)"),
            invitation=states.get((i.pk, Delivery.Kind.INVITATION), ""),
            reminder=states.get((i.pk, Delivery.Kind.REMINDER), ""),
            answered=hasattr(i, "response") and i.response.submitted_at is not None,
            opted_out=i.opted_out_at is not None,
        )
        for i in invitations
    ]


def partnership_sendings(affiliate: Affiliate, partnership: Partnership) -> list[Sending]:
    """Return a partnership's sendings, newest first, each with how many were invited
    (``invited``) and answered (``answered``); two queries."""
    sendings = list(
        Sending.objects.filter(affiliate=affiliate, partnership=partnership).select_related(
            "version__survey"
        )
    )
    counts = {
        row["sending_id"]: row
        for row in Invitation.objects.filter(sending__in=[s.pk for s in sendings])
        .values("sending_id")
        .annotate(
            invited=Count("id"),
            answered=Count("response", filter=Q(response__submitted_at__isnull=False)),
        )
        .order_by()
    }
    for sending in sendings:
        row = counts.get(sending.pk, {})
        sending.invited = row.get("invited", 0)  # type: ignore[attr-defined]
        sending.answered = row.get("answered", 0)  # type: ignore[attr-defined]
    return sendings


# --- Results -----------------------------------------------------------------------------


@dataclass
class QuestionResult:
    """The answers to one question (merged across the survey's versions by wording)."""

    kind: str
    text: str
    choices: list[str]
    count: int = 0
    average: float | None = None
    nps: int | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    """A scope's survey results: response rate, satisfaction, each question's answers."""

    invited: int
    responded: int
    questions: list[QuestionResult]
    satisfaction: float | None
    nps: int | None
    by_year: list[tuple[int, int, float | None, int | None]]  # year, responses, avg, NPS

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.responded / self.invited) if self.invited else None


def net_promoter(scores: Iterable[int]) -> int | None:
    """Return the recommendation score: % of 9-10 minus % of 0-6 (None without answers)."""
    values = list(scores)
    if not values:
        return None
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return round(100 * (promoters - detractors) / len(values))


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


# Free-text answers shown per question on a results page (all of them are in the export).
TEXTS_SHOWN = 50


def _fill(result: QuestionResult, counts: Counter[Any]) -> None:
    """Fill a question's figures from its answers counted by value (number or choices)."""
    kind = result.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        per_choice: Counter[int] = Counter()
        for choices, n in counts.items():
            for c in choices or ():
                per_choice[c] += n
        result.count = sum(n for choices, n in counts.items() if choices)
        result.distribution = [(c, per_choice[i]) for i, c in enumerate(result.choices)]
        return
    numbers = Counter({v: n for v, n in counts.items() if v is not None})
    result.count = sum(numbers.values())
    if kind == Question.Kind.YES_NO:
        result.distribution = [(_("Yes"), numbers[1]), (_("No"), numbers[0])]
        return
    low, high = (1, 5) if kind == Question.Kind.RATING else (0, 10)
    result.distribution = [(str(v), numbers[v]) for v in range(low, high + 1)]
    result.average = _weighted_average(numbers)
    if kind == Question.Kind.RECOMMEND:
        result.nps = _weighted_nps(numbers)


def _weighted_average(counts: Counter[int]) -> float | None:
    total = sum(counts.values())
    return round(sum(v * n for v, n in counts.items()) / total, 2) if total else None


def _weighted_nps(counts: Counter[int]) -> int | None:
    total = sum(counts.values())
    if not total:
        return None
    promoters = sum(n for v, n in counts.items() if v >= 9)
    detractors = sum(n for v, n in counts.items() if v <= 6)
    return round(100 * (promoters - detractors) / total)


def _json_value(value: Any) -> Any:
    """Return a JSON column's value as read back from the database (decoded, or JSON text)."""
    return json.loads(value) if isinstance(value, str) else value


def _choices_key(value: Any) -> tuple[int, ...]:
    """Return a choices list as read back from the database (a list, or JSON text) as a key."""
    return tuple(_json_value(value) or ())


def results(
    affiliate: Affiliate | None,
    *,
    partnership: Partnership | None = None,
    survey: Survey | None = None,
) -> Results:
    """Return the survey results of an affiliate (or one partnership, or one survey of it),
    counted in the database: a handful of queries whatever the number of answers."""
    sendings = Sending.objects.all()
    if affiliate is not None:
        sendings = sendings.filter(affiliate=affiliate)
    if partnership is not None:
        sendings = sendings.filter(partnership=partnership)
    if survey is not None:
        sendings = sendings.filter(version__survey=survey)
    sending_ids = sendings.values("pk")
    invited = Invitation.objects.filter(sending__in=sending_ids).count()
    answers = Answer.objects.filter(response__invitation__sending__in=sending_ids)
    responded = (
        Response.objects.filter(invitation__sending__in=sending_ids)
        .filter(Exists(Answer.objects.filter(response=OuterRef("pk"))))
        .count()
    )
    questions = list(
        Question.objects.filter(version__sendings__in=sending_ids)
        .distinct()
        .order_by("position", "pk")
    )
    merged: dict[tuple[str, str], QuestionResult] = {}
    for q in questions:
        merged.setdefault((q.kind, q.text), QuestionResult(q.kind, q.text, list(q.choices)))
    counts: dict[tuple[str, str], Counter[Any]] = defaultdict(Counter)
    satisfaction: Counter[int] = Counter()
    recommend: Counter[int] = Counter()
    rows = (
        answers.exclude(question__kind=Question.Kind.TEXT)
        .values_list(
            "question__kind", "question__text", "question__satisfaction", "number", "choices"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for kind, text, satisfies, number, choices, n in rows:
        multiple = kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        counts[(kind, text)][_choices_key(choices) if multiple else number] += n
        if number is not None and kind == Question.Kind.RATING and satisfies:
            satisfaction[number] += n
        if number is not None and kind == Question.Kind.RECOMMEND:
            recommend[number] += n
    for key, result in merged.items():
        if result.kind == Question.Kind.TEXT:
            texts = answers.filter(question__kind=result.kind, question__text=result.text).exclude(
                text=""
            )
            result.count = texts.count()
            result.texts = list(
                texts.order_by("-response__updated_at", "-pk").values_list("text", flat=True)[
                    :TEXTS_SHOWN
                ]
            )
        else:
            _fill(result, counts[key])
    return Results(
        invited=invited,
        responded=responded,
        questions=[r for r in merged.values() if r.count],
        satisfaction=_weighted_average(satisfaction),
        nps=_weighted_nps(recommend),
        by_year=_by_year(sending_ids, answers),
    )


# Cached results live a day at most; a change to the answers makes a new key at once.
RESULTS_CACHE_SECONDS = 24 * 3600


def results_key(affiliate: Affiliate, partnership: Partnership | None, *parts: str) -> str:
    """Return the cache key of figures drawn from an affiliate's answers: it holds the newest
    change to its answers and invitations and its newest audit event (sendings, opt-outs,
    erasures), so a change makes a new key at once. Three index probes."""
    answers = Response.objects.filter(affiliate=affiliate).aggregate(
        newest=Max("updated_at"), n=Count("id")
    )
    invited = Invitation.objects.filter(affiliate=affiliate).aggregate(n=Count("id"), top=Max("id"))
    newest = answers["newest"].timestamp() if answers["newest"] else 0
    return audit.stamped_key(
        affiliate,
        "surveys.results",
        *parts,
        str(partnership.pk if partnership else "all"),
        get_language() or "",
        f"{newest}-{answers['n']}-{invited['n']}-{invited['top']}",
    )


def _by_year(
    sending_ids: QuerySet[Any], answers: QuerySet[Answer]
) -> list[tuple[int, int, float | None, int | None]]:
    """Return (year, responses, average satisfaction, recommendation score) per year the
    surveys were sent. Counted per sending, then gathered by year here: no date function
    runs per answer (SQLite calls Python for each)."""
    year_of = {
        pk: timezone.localtime(created).year
        for pk, created in Sending.objects.filter(pk__in=sending_ids).values_list(
            "pk", "created_at"
        )
    }
    responses: Counter[int] = Counter()
    for sending_id, n in (
        Response.objects.filter(invitation__sending__in=sending_ids)
        .values_list("invitation__sending_id")
        .annotate(n=Count("id"))
        .values_list("invitation__sending_id", "n")
        .order_by()
    ):
        responses[year_of[sending_id]] += n
    sat: dict[int, Counter[int]] = defaultdict(Counter)
    nps: dict[int, Counter[int]] = defaultdict(Counter)
    rows = (
        answers.filter(number__isnull=False)
        .filter(
            Q(question__kind=Question.Kind.RECOMMEND)
            | Q(question__kind=Question.Kind.RATING, question__satisfaction=True)
        )
        .values_list("response__invitation__sending_id", "question__kind", "number")
        .annotate(n=Count("id"))
        .order_by()
    )
    for sending_id, kind, number, n in rows:
        (sat if kind == Question.Kind.RATING else nps)[year_of[sending_id]][number] += n
    return [
        (year, n, _weighted_average(sat[year]), _weighted_nps(nps[year]))
        for year, n in sorted(responses.items())
    ]


def answer_rows(
    affiliate: Affiliate, partnership: Partnership | None = None
) -> list[list[CellValue]]:
    """Return one row per answer for export: date, partnership, survey, question, answer."""
    answers = Answer.objects.filter(response__invitation__affiliate=affiliate)
    if partnership is not None:
        answers = answers.filter(response__invitation__sending__partnership=partnership)
    rows: list[list[CellValue]] = []
    for a in answers.select_related(
        "question",
        "response__invitation__sending__partnership",
        "response__invitation__sending__version__survey",
    ).order_by("response__started_at", "response_id", "question__position"):
        sending = a.response.invitation.sending
        if a.number is not None:
            value: CellValue = a.number
        elif a.choices:
            value = "; ".join(
                a.question.choices[i] for i in a.choices if i < len(a.question.choices)
            )
        else:
            value = a.text
        rows.append(
            [
                a.response.started_at.date().isoformat(),
                sending.partnership.title,
                sending.version.survey.title,
                a.question.text,
                value,
            ]
        )
    return rows


@dataclass(frozen=True)
class GroupFigure:
    """Movement-wide satisfaction of one group of partners (a region or a partner type)."""

    label: str
    responses: int
    satisfaction: float | None
    nps: int | None


def movement_figures(by: str) -> tuple[list[GroupFigure], int]:
    """Return satisfaction by region or partner type for groups of >= MIN_GROUP responses,
    and how many smaller groups were left out (hub staff only; no affiliate is named)."""
    from hub.core.regions import Region
    from hub.partners.models import PartnerType

    labels = dict(Region.choices if by == "region" else PartnerType.choices)
    column = (
        "response__invitation__region" if by == "region" else ("response__invitation__partner_type")
    )
    rows = (
        Answer.objects.filter(
            number__isnull=False,
        )
        .filter(
            Q(question__kind=Question.Kind.RECOMMEND)
            | Q(question__kind=Question.Kind.RATING, question__satisfaction=True)
        )
        .values_list(column, "response_id", "question__kind", "number")
    )
    groups: dict[str, dict[str, list[int] | set[int]]] = defaultdict(
        lambda: {"responses": set(), "sat": [], "nps": []}
    )
    for group, response_id, kind, number in rows:
        row = groups[group or ""]
        row["responses"].add(response_id)  # type: ignore[union-attr]
        row["sat" if kind == Question.Kind.RATING else "nps"].append(number)  # type: ignore[union-attr]
    shown, hidden = [], 0
    for group, row in sorted(groups.items()):
        if len(row["responses"]) < MIN_GROUP:
            hidden += 1
            continue
        shown.append(
            GroupFigure(
                label=str(labels.get(group, _("Not recorded"))),
                responses=len(row["responses"]),
                satisfaction=_average(list(row["sat"])),  # type: ignore[arg-type]
                nps=net_promoter(row["nps"]),  # type: ignore[arg-type]
            )
        )
    return shown, hidden


def satisfaction_by_partnership(scope: QuerySet[Partnership]) -> dict[int, float]:
    """Return {partnership id: average satisfaction rating} for partnerships with answers
    (the strategic score's satisfaction rule reads it)."""
    rows = Answer.objects.filter(
        response__invitation__sending__partnership__in=scope.values("pk"),
        question__satisfaction=True,
        question__kind=Question.Kind.RATING,
        number__isnull=False,
    ).values_list("response__invitation__sending__partnership_id", "number")
    values: dict[int, list[int]] = defaultdict(list)
    for pid, number in rows:
        if number is not None:
            values[pid].append(number)
    return {pid: sum(v) / len(v) for pid, v in values.items()}


@dataclass(frozen=True)
class Summary:
    """A partnership's survey figures in a line: the partnership page's section."""

    invited: int
    responded: int
    satisfaction: float | None


def partnership_summary(partnership: Partnership) -> Summary:
    """Return how many were invited and answered, and the average satisfaction; two queries
    (one when nobody was invited)."""
    counts = Invitation.objects.filter(
        affiliate_id=partnership.affiliate_id, sending__partnership=partnership
    ).aggregate(
        invited=Count("id"),
        responded=Count("response", filter=Q(response__submitted_at__isnull=False)),
    )
    # No invitation, no answers: the satisfaction is then not asked for (nor shown).
    average = (
        satisfaction_by_partnership(Partnership.objects.filter(pk=partnership.pk)).get(
            partnership.pk
        )
        if counts["invited"]
        else None
    )
    return Summary(
        invited=counts["invited"],
        responded=counts["responded"],
        satisfaction=round(average, 1) if average is not None else None,
    )


# --- The partner portal's seam -------------------------------------------------------------


@dataclass(frozen=True)
class WaitingSurvey:
    """A survey a partner's contact has not answered yet, for the partner portal."""

    title: str
    url: str
    deadline: dt.date
    contact_name: str


def waiting_surveys(organisation: Organisation) -> list[WaitingSurvey]:
    """Return the open, unanswered surveys sent to the organisation's contacts (not opted out),
    soonest deadline first, each titled in the active language (the portal visitor's).

    Written out (one statement, names from the models, every value a parameter): the partner
    portal draws it on every visit, and compiling its four joins with the ORM cost ten times
    running it.
    """
    q = connection.ops.quote_name
    tables = [q(m._meta.db_table) for m in (Invitation, Contact, Sending, SurveyVersion, Survey)]
    rows = fetch(
        "SELECT i.id, i.key, i.name, s.deadline, survey.title, survey.translations"  # noqa: S608
        " FROM {} i"
        " INNER JOIN {} c ON c.id = i.contact_id"
        " INNER JOIN {} s ON s.id = i.sending_id"
        " INNER JOIN {} version ON version.id = s.version_id"
        " INNER JOIN {} survey ON survey.id = version.survey_id"
        " WHERE i.affiliate_id = %s AND c.organisation_id = %s AND i.opted_out_at IS NULL"
        " AND s.deadline >= %s AND NOT EXISTS (SELECT 1 FROM {} r"
        " WHERE r.invitation_id = i.id AND r.submitted_at IS NOT NULL)"
        " ORDER BY s.deadline, i.id".format(*tables, q(Response._meta.db_table)),
        [organisation.affiliate_id, organisation.pk, timezone.localdate()],
    )
    marker = "-token-"
    before, after = reverse("surveys:answer", kwargs={"token": marker}).split(marker)
    language = translation_language(get_language() or "")
    return [
        WaitingSurvey(
            title=Survey(title=title, translations=_json_value(translations) or {}).title_in(
                language
            ),
            url=f"{before}{make_token(pk, key)}{after}",
            deadline=deadline,
            contact_name=name,
        )
        for pk, key, name, deadline, title, translations in rows
    ]


def saved_answers(invitation: Invitation) -> dict[str, object]:
    """Return the respondent's saved answers as the answer form's initial values."""
    initial: dict[str, object] = {}
    for a in Answer.objects.filter(response__invitation=invitation).select_related("question"):
        kind = a.question.kind
        if kind == Question.Kind.TEXT:
            initial[f"q{a.question_id}"] = a.text
        elif kind == Question.Kind.MULTIPLE:
            initial[f"q{a.question_id}"] = [str(c) for c in a.choices]
        elif kind == Question.Kind.SINGLE:
            initial[f"q{a.question_id}"] = str(a.choices[0]) if a.choices else None
        else:
            initial[f"q{a.question_id}"] = str(a.number)
    return initial


def is_submitted(invitation: Invitation) -> bool:
    """Return whether the respondent has sent their answers (they may still change them)."""
    return Invitation.objects.filter(
        pk=invitation.pk, response__submitted_at__isnull=False
    ).exists()
