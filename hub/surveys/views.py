"""Survey pages: members edit, send and read results; partners answer by their signed link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hub.core import charts, exports
from hub.core.languages import in_language_of
from hub.core.models import Affiliate
from hub.core.permissions import (
    acting_user,
    affiliate_view,
    get_for_affiliate_or_404,
    hub_staff_view,
)
from hub.partnerships.models import Partnership
from hub.surveys import answering, selectors, services, tokens
from hub.surveys.forms import AnswerForm, QuestionForm, RuleForm, SendForm, SurveyForm
from hub.surveys.models import Invitation, Question, Survey, SurveyRule
from hub.surveys.models.surveys import translation_language
from hub.surveys.portal import portal_url_for


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Editing surveys (an affiliate's own; hub staff edit the standard one) ------------------


@affiliate_view()
def survey_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the surveys the affiliate can send, its rules, and the way to its results."""
    services.standard_survey()
    context = {
        "surveys": selectors.surveys_for(affiliate),
        "rules": SurveyRule.objects.filter(affiliate=affiliate, active=True).select_related(
            "survey"
        ),
    }
    return render(request, "surveys/survey_list.html", context)


@affiliate_view(edit=True)
def survey_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Start a survey of the affiliate's own."""
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = services.create_survey(
            actor=acting_user(request), affiliate=affiliate, **form.fields_for_service()
        )
        messages.success(request, _("Survey created. Now add its questions."))
        return redirect("surveys:survey_detail", slug=affiliate.slug, pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


def _survey_page(
    request: HttpRequest, survey: Survey, *, edit_url: str, add_url: str, question_url: Any
) -> HttpResponse:
    version = services.current_version(survey)
    questions = list(version.questions.all())
    form = SurveyForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        services.update_survey(
            actor=acting_user(request), survey=survey, **form.fields_for_service()
        )
        messages.success(request, _("Saved."))
        return redirect(edit_url)
    context = {
        "survey": survey,
        "version": version,
        "questions": [(q, question_url(q)) for q in questions],
        "form": form,
        "add_url": add_url,
        "question_form": QuestionForm(),
    }
    return render(request, "surveys/survey_detail.html", context)


def _question_page(
    request: HttpRequest, survey: Survey, question: Question | None, back: str
) -> HttpResponse:
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and "remove" in request.POST and question is not None:
        services.remove_question(actor=acting_user(request), survey=survey, question=question)
        messages.info(request, _("Question removed."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                services.add_question(
                    actor=acting_user(request), survey=survey, **form.fields_for_service()
                )
            else:
                services.update_question(
                    actor=acting_user(request),
                    survey=survey,
                    question=question,
                    **form.fields_for_service(),
                )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect(back)
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "survey": survey, "question": question, "back": back},
    )


def _question_of(survey: Survey, question_pk: int) -> Question:
    question = Question.objects.filter(pk=question_pk, version__survey=survey).first()
    if question is None:
        raise Http404
    return question


@affiliate_view()
def survey_detail(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a survey's questions; edit its title and questions (a sent version stays)."""
    survey = selectors.survey_for(affiliate, pk)
    if request.method == "POST" and not request.membership.can_edit:  # type: ignore[attr-defined]
        raise PermissionDenied
    return _survey_page(
        request,
        survey,
        edit_url=reverse("surveys:survey_detail", kwargs={"slug": affiliate.slug, "pk": pk}),
        add_url=reverse("surveys:question_add", kwargs={"slug": affiliate.slug, "pk": pk}),
        question_url=lambda q: reverse(
            "surveys:question_edit",
            kwargs={"slug": affiliate.slug, "pk": pk, "question_pk": q.pk},
        ),
    )


@affiliate_view(edit=True)
def question_add(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Add a question to the affiliate's survey."""
    survey = selectors.survey_for(affiliate, pk)
    back = reverse("surveys:survey_detail", kwargs={"slug": affiliate.slug, "pk": pk})
    return _question_page(request, survey, None, back)


@affiliate_view(edit=True)
def question_edit(
    request: HttpRequest, affiliate: Affiliate, pk: int, question_pk: int
) -> HttpResponse:
    """Change or remove a question of the affiliate's survey."""
    survey = selectors.survey_for(affiliate, pk)
    back = reverse("surveys:survey_detail", kwargs={"slug": affiliate.slug, "pk": pk})
    return _question_page(request, survey, _question_of(survey, question_pk), back)


@hub_staff_view
def standard_survey(request: HttpRequest) -> HttpResponse:
    """Let hub staff maintain the hub-wide standard survey."""
    survey = services.standard_survey()
    return _survey_page(
        request,
        survey,
        edit_url=reverse("surveys:standard"),
        add_url=reverse("surveys:standard_question_add"),
        question_url=lambda q: reverse(
            "surveys:standard_question_edit", kwargs={"question_pk": q.pk}
        ),
    )


@hub_staff_view
def standard_question_add(request: HttpRequest) -> HttpResponse:
    """Add a question to the standard survey."""
    return _question_page(request, services.standard_survey(), None, reverse("surveys:standard"))


@hub_staff_view
def standard_question_edit(request: HttpRequest, question_pk: int) -> HttpResponse:
    """Change or remove a question of the standard survey."""
    survey = services.standard_survey()
    return _question_page(
        request, survey, _question_of(survey, question_pk), reverse("surveys:standard")
    )


@hub_staff_view
def movement(request: HttpRequest) -> HttpResponse:
    """Show hub staff satisfaction by region and partner type (groups of 5+ responses only)."""
    tables = []
    for by, heading in (("region", _("By region")), ("partner_type", _("By partner type"))):
        figures, hidden = selectors.movement_figures(by)
        tables.append((heading, figures, hidden))
    return render(
        request, "surveys/movement.html", {"tables": tables, "min_group": selectors.MIN_GROUP}
    )


# --- Sending ------------------------------------------------------------------------------


def _partnership(affiliate: Affiliate, pk: int) -> Partnership:
    return get_for_affiliate_or_404(Partnership, affiliate, pk)


@affiliate_view(edit=True)
def send(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Send a survey to chosen contacts of a partnership; say who was left out and why."""
    partnership = _partnership(affiliate, pk)
    contacts = services.partnership_contacts(partnership)
    from hub.surveys import mailing
    from hub.surveys.models import OptOut

    _ok, left = mailing.reachable(affiliate, contacts, topic=OptOut.Topic.SURVEYS)
    form = SendForm(
        request.POST or None, surveys=selectors.surveys_for(affiliate), contacts=contacts
    )
    if request.method == "POST" and form.is_valid():
        try:
            sending = services.send_survey(
                actor=acting_user(request),
                survey=form.cleaned_data["survey"],
                partnership=partnership,
                contacts=form.cleaned_data["contacts"],
                deadline=form.cleaned_data["deadline"],
                reminder_after_days=form.cleaned_data["reminder_after_days"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            n = sending.invitations.count()
            messages.success(
                request,
                ngettext(
                    "The survey is on its way to %(n)d person.",
                    "The survey is on its way to %(n)d people.",
                    n,
                )
                % {"n": n},
            )
            return redirect("surveys:sending_detail", slug=affiliate.slug, sending_pk=sending.pk)
    return render(
        request,
        "surveys/send.html",
        {"form": form, "partnership": partnership, "left_out": left},
    )


@affiliate_view()
def sending_detail(request: HttpRequest, affiliate: Affiliate, sending_pk: int) -> HttpResponse:
    """Show who a survey went to, how each e-mail went, who answered, who was left out."""
    sending = selectors.sending_for(affiliate, sending_pk)
    return render(
        request,
        "surveys/sending.html",
        {"sending": sending, "rows": selectors.invitee_rows(sending)},
    )


@affiliate_view(edit=True)
def rule_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Send a survey by itself on an occasion (after activities, at evaluation, yearly)."""
    form = RuleForm(request.POST or None, surveys=selectors.surveys_for(affiliate))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_rule(
                actor=acting_user(request), affiliate=affiliate, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The rule is on. Surveys go out by themselves from now."))
            return redirect("surveys:survey_list", slug=affiliate.slug)
    return render(request, "surveys/rule_form.html", {"form": form})


@affiliate_view(edit=True)
def rule_edit(request: HttpRequest, affiliate: Affiliate, rule_pk: int) -> HttpResponse:
    """Change a rule's survey, occasion, days to answer or reminder."""
    rule = get_for_affiliate_or_404(SurveyRule, affiliate, rule_pk)
    if not rule.active:
        raise Http404
    form = RuleForm(
        request.POST or None,
        surveys=selectors.surveys_for(affiliate),
        initial={name: getattr(rule, name) for name in services.RULE_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rule(actor=acting_user(request), rule=rule, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The rule is changed. Occasions it already sent a survey for are not "
                    "sent again."
                ),
            )
            return redirect("surveys:survey_list", slug=affiliate.slug)
    return render(request, "surveys/rule_form.html", {"form": form, "rule": rule})


@affiliate_view(edit=True)
@require_POST
def rule_stop(request: HttpRequest, affiliate: Affiliate, rule_pk: int) -> HttpResponse:
    """Stop a rule."""
    rule = get_for_affiliate_or_404(SurveyRule, affiliate, rule_pk)
    services.stop_rule(actor=acting_user(request), rule=rule)
    messages.info(request, _("The rule is stopped."))
    return redirect("surveys:survey_list", slug=affiliate.slug)


# --- Results ------------------------------------------------------------------------------


def _charts(results: selectors.Results) -> list[Any]:
    """Return an SVG chart (with its table) per question with a distribution."""
    drawn: list[Any] = []
    for i, question in enumerate(results.questions):
        if question.distribution:
            drawn.append(
                charts.bar_chart(
                    [(_("Answers"), [n for _label, n in question.distribution])],
                    [label for label, _n in question.distribution],
                    title=question.text,
                    category_header=_("Answer"),
                    horizontal=question.kind in ("single", "multiple"),
                    chart_id=f"q{i}",
                )
            )
        else:
            drawn.append(None)
    return drawn


def _over_time(results: selectors.Results) -> Any:
    if len(results.by_year) < 2:
        return None
    return charts.line_chart(
        [(_("Average satisfaction (1–5)"), [row[2] for row in results.by_year])],
        [str(row[0]) for row in results.by_year],
        title=_("Satisfaction over the years"),
        category_header=_("Year"),
        chart_id="over-time",
    )


def _results_context(affiliate: Affiliate, partnership: Partnership | None) -> dict[str, Any]:
    """Return the results with their charts drawn, from the cache while no answer changed."""
    key = selectors.results_key(affiliate, partnership, "page")
    context = cache.get(key)
    if context is None:
        results = selectors.results(affiliate, partnership=partnership)
        context = {
            "results": results,
            "questions": list(zip(results.questions, _charts(results), strict=True)),
            "over_time": _over_time(results),
            # What was sent and who answered: the key moves with both (see results_key).
            "sendings": selectors.partnership_sendings(affiliate, partnership)
            if partnership is not None
            else [],
        }
        cache.set(key, context, selectors.RESULTS_CACHE_SECONDS)
    return context  # type: ignore[no-any-return]


@affiliate_view()
def affiliate_results(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Show the affiliate's survey results over time."""
    context = {"partnership": None, **_results_context(affiliate, None)}
    return render(request, "surveys/results.html", context)


@affiliate_view()
def partnership_results(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Show a partnership's surveys: what was sent, and the results."""
    partnership = _partnership(affiliate, pk)
    context = {"partnership": partnership, **_results_context(affiliate, partnership)}
    return render(request, "surveys/results.html", context)


EXPORT_HEADERS = ("date", "partnership", "survey", "question", "answer")


def _export(affiliate: Affiliate, partnership: Partnership | None, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = selectors.answer_rows(affiliate, partnership)
    headers = [str(_(h)) for h in EXPORT_HEADERS]
    name = f"survey-answers-{slugify(partnership.title if partnership else affiliate.slug)[:60]}"
    if fmt == "xlsx":
        content = exports.write_xlsx(rows, headers, title="Answers")
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = exports.write_csv(rows, headers)
        ctype = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@affiliate_view()
def affiliate_export(request: HttpRequest, affiliate: Affiliate, fmt: str) -> HttpResponse:
    """Download every answer of the affiliate's surveys (CSV or XLSX, formula-safe)."""
    return _export(affiliate, None, fmt)


@affiliate_view()
def partnership_export(
    request: HttpRequest, affiliate: Affiliate, pk: int, fmt: str
) -> HttpResponse:
    """Download a partnership's survey answers (CSV or XLSX, formula-safe)."""
    return _export(affiliate, _partnership(affiliate, pk), fmt)


# --- Answering by the signed link ---------------------------------------------------------


def _portal_url(invitation: Invitation) -> str:
    """Return the partner portal's address for the invitee's organisation ("" when none)."""
    organisation = invitation.contact.organisation if invitation.contact else None
    return portal_url_for(organisation) if organisation else ""


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    # same-origin: the token never leaves in a Referer to another site, and the form's own
    # POST still carries its Origin (no-referrer makes it "null", which CSRF refuses).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _open(request: HttpRequest, token: str) -> tuple[Invitation | None, HttpResponse | None]:
    """Return the invitation a link opens, or the page that refuses it."""
    try:
        return answering.open_invitation(token), None
    except tokens.LinkInvalidError:
        page = render(
            request,
            "surveys/refused.html",
            {"reason": _("This survey link is not valid. Please use the link from your e-mail.")},
            status=404,
        )
        return None, _public(page)
    except answering.LinkRefused as refused:
        page = render(request, "surveys/refused.html", {"reason": refused.reason}, status=410)
        return None, _public(page)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey in the respondent's language; save answers as they go."""
    invitation, refused = _open(request, token)
    if invitation is None:
        return refused or HttpResponse(status=404)
    with in_language_of(invitation):
        questions = list(invitation.sending.version.questions.all())
        saved = selectors.saved_answers(invitation)
        form = AnswerForm(
            request.POST or None,
            questions=questions,
            language=invitation.language,
            initial=saved,
        )
        if request.method == "POST":
            submit = "send" in request.POST
            if form.is_valid():
                missing = form.missing_required() if submit else []
                try:
                    answering.save_answers(
                        invitation=invitation, answers=form.answers, submit=submit and not missing
                    )
                except answering.LinkRefused as closed:
                    return _public(
                        render(
                            request, "surveys/refused.html", {"reason": closed.reason}, status=410
                        )
                    )
                for name in missing:
                    form.add_error(name, _("This question needs an answer."))
                if request.headers.get("X-Requested-With") == "fetch":
                    return HttpResponse(_("Saved."), content_type="text/plain; charset=utf-8")
                if submit and not missing:
                    return redirect("surveys:thanks", token=token)
                if not missing:
                    messages.success(request, _("Your answers so far are saved."))
                    return redirect("surveys:answer", token=token)
        survey = invitation.sending.version.survey
        language = translation_language(invitation.language)
        response = render(
            request,
            "surveys/answer.html",
            {
                "invitation": invitation,
                "title": survey.title_in(language),
                "intro": survey.intro_in(language),
                "form": form,
                "token": token,
                "submitted": selectors.is_submitted(invitation),
            },
            status=400 if form.errors else 200,
        )
    return _public(response)


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thank the respondent; link to the partner portal when there is one."""
    invitation, refused = _open(request, token)
    if invitation is None:
        return refused or HttpResponse(status=404)
    with in_language_of(invitation):
        response = render(
            request,
            "surveys/thanks.html",
            {
                "invitation": invitation,
                "token": token,
                "portal_url": _portal_url(invitation),
                "affiliate": invitation.sending.affiliate,
            },
        )
    return _public(response)


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Ask, then stop every survey from this affiliate to the respondent's address."""
    try:
        pk, key = tokens.read_token(token)
    except tokens.LinkInvalidError:
        pk, key = 0, ""
    invitation = Invitation.objects.select_related("affiliate").filter(pk=pk, key=key).first()
    if invitation is None:
        return _public(
            render(
                request,
                "surveys/refused.html",
                {
                    "reason": _(
                        "This survey link is not valid. Please use the link from your e-mail."
                    )
                },
                status=404,
            )
        )
    with in_language_of(invitation):
        done = invitation.opted_out_at is not None
        if request.method == "POST" and not done:
            answering.opt_out_invitation(invitation)
            done = True
        response = render(
            request,
            "surveys/opt_out.html",
            {
                "invitation": invitation,
                "done": done,
                "token": token,
                "affiliate": invitation.affiliate,
            },
        )
    return _public(response)
