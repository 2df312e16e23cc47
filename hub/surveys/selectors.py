"""Reads of surveys, scoped to the affiliate: lists, sendings, results, the waiting surveys."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.exports import CellValue
from hub.core.models import Affiliate
from hub.partners.models import Organisation
from hub.partnerships.models import Partnership
from hub.surveys.models import Answer, Delivery, Invitation, Question, Sending, Survey

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


def sendable_survey(affiliate: Affiliate, pk: int) -> Survey:
    """Return a survey the affiliate may send (its own or the standard one), or raise 404."""
    survey = surveys_for(affiliate).filter(pk=pk).first()
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
    """Return a partnership's sendings, newest first, with their counts."""
    return list(
        Sending.objects.filter(affiliate=affiliate, partnership=partnership)
        .select_related("version__survey")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations",
                filter=Q(invitations__response__submitted_at__isnull=False),
                distinct=True,
            ),
        )
    )


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


def _question_result(question: Question, answers: list[Answer]) -> QuestionResult:
    result = QuestionResult(question.kind, question.text, list(question.choices))
    _fill(result, answers)
    return result


def _fill(result: QuestionResult, answers: list[Answer]) -> None:
    numbers = [a.number for a in answers if a.number is not None]
    kind = result.kind
    if kind == Question.Kind.TEXT:
        result.texts = [a.text for a in answers if a.text]
        result.count = len(result.texts)
        return
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        counts: Counter[int] = Counter(c for a in answers for c in a.choices)
        result.count = sum(1 for a in answers if a.choices)
        result.distribution = [(c, counts[i]) for i, c in enumerate(result.choices)]
        return
    result.count = len(numbers)
    values = Counter(numbers)
    if kind == Question.Kind.YES_NO:
        result.distribution = [(_("Yes"), values[1]), (_("No"), values[0])]
        return
    low, high = (1, 5) if kind == Question.Kind.RATING else (0, 10)
    result.distribution = [(str(v), values[v]) for v in range(low, high + 1)]
    result.average = _average(numbers)
    if kind == Question.Kind.RECOMMEND:
        result.nps = net_promoter(numbers)


def results(
    affiliate: Affiliate | None,
    *,
    partnership: Partnership | None = None,
    survey: Survey | None = None,
) -> Results:
    """Return the survey results of an affiliate (or one partnership, or one survey of it)."""
    sendings = Sending.objects.all()
    if affiliate is not None:
        sendings = sendings.filter(affiliate=affiliate)
    if partnership is not None:
        sendings = sendings.filter(partnership=partnership)
    if survey is not None:
        sendings = sendings.filter(version__survey=survey)
    invitations = Invitation.objects.filter(sending__in=sendings)
    invited = invitations.count()
    answered = invitations.filter(response__isnull=False, response__answers__isnull=False)
    responded = answered.values("pk").distinct().count()
    answers = list(
        Answer.objects.filter(response__invitation__in=invitations)
        .select_related("question", "response")
        .order_by("question__position", "pk")
    )
    merged: dict[tuple[str, str], QuestionResult] = {}
    grouped: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for answer in answers:
        q = answer.question
        key = (q.kind, q.text)
        if key not in merged:
            merged[key] = QuestionResult(q.kind, q.text, list(q.choices))
        grouped[key].append(answer)
    for key, result in merged.items():
        _fill(result, grouped[key])
    satisfaction = [
        a.number
        for a in answers
        if a.question.satisfaction
        and a.number is not None
        and a.question.kind == Question.Kind.RATING
    ]
    recommend = [
        a.number
        for a in answers
        if a.question.kind == Question.Kind.RECOMMEND and a.number is not None
    ]
    by_year: dict[int, dict[str, list[int] | set[int]]] = defaultdict(
        lambda: {"responses": set(), "sat": [], "nps": []}
    )
    for a in answers:
        year = a.response.started_at.year
        row = by_year[year]
        row["responses"].add(a.response_id)  # type: ignore[union-attr]
        if a.number is not None and a.question.satisfaction and a.question.kind == "rating":
            row["sat"].append(a.number)  # type: ignore[union-attr]
        if a.number is not None and a.question.kind == Question.Kind.RECOMMEND:
            row["nps"].append(a.number)  # type: ignore[union-attr]
    return Results(
        invited=invited,
        responded=responded,
        questions=list(merged.values()),
        satisfaction=_average(satisfaction),
        nps=net_promoter(recommend),
        by_year=[
            (
                year,
                len(row["responses"]),
                _average(list(row["sat"])),  # type: ignore[arg-type]
                net_promoter(row["nps"]),  # type: ignore[arg-type]
            )
            for year, row in sorted(by_year.items())
        ],
    )


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


# --- The partner portal's seam -------------------------------------------------------------


@dataclass(frozen=True)
class WaitingSurvey:
    """A survey a partner's contact has not answered yet, for the partner portal."""

    title: str
    url: str
    deadline: dt.date
    contact_name: str


def waiting_surveys(organisation: Organisation) -> list[WaitingSurvey]:
    """Return the open, unanswered surveys sent to the organisation's contacts."""
    from hub.surveys.services import token_for

    today = timezone.localdate()
    invitations = (
        Invitation.objects.filter(
            affiliate_id=organisation.affiliate_id,
            contact__organisation=organisation,
            opted_out_at=None,
            sending__deadline__gte=today,
        )
        .exclude(response__submitted_at__isnull=False)
        .select_related("sending__version__survey")
        .order_by("sending__deadline", "pk")
    )
    return [
        WaitingSurvey(
            title=i.sending.version.survey.title,
            url=reverse("surveys:answer", kwargs={"token": token_for(i)}),
            deadline=i.sending.deadline,
            contact_name=i.name,
        )
        for i in invitations
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
