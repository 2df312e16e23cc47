"""Home, log-in with a rate limit, the affiliate chooser, hub-wide pages, error pages, health
and metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from hub.core import selectors, wikimedia_login
from hub.core.forms import apply_errors
from hub.core.health import report as health_report
from hub.core.languages import offered, offered_languages, set_preferred_language
from hub.core.metrics import render as render_metrics
from hub.core.models import ScheduledJob, User
from hub.core.permissions import affiliates_of, hub_staff_view
from hub.core.schedule import jobs as scheduled_jobs
from hub.core.security import MUST_LINK, log_event, posted, rate_limited


def home(request: HttpRequest) -> HttpResponse:
    """Send a visitor to log in, a member to their affiliate, hub staff of no affiliate to the
    helpdesk queue, others to the chooser."""
    if not request.user.is_authenticated:
        return redirect("login")
    affiliates = affiliates_of(request.user)
    if len(affiliates) == 1:
        return redirect("partners:my_work", slug=affiliates[0].slug)
    if not affiliates and getattr(request.user, "is_hub_staff", False):
        return redirect("helpdesk:dashboard")
    return render(request, "core/home.html", {"affiliates": affiliates})


@method_decorator(never_cache, name="dispatch")
class RateLimitedLoginView(auth_views.LoginView):
    """Log in, refusing further attempts from one address or for one username for a while."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if rate_limited(
            request, group="login", rate=settings.HUB_LOGIN_RATE, keys=("ip", posted("username"))
        ):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None, _("Too many log-in attempts. Please wait a few minutes and try again.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["wikimedia_login"] = wikimedia_login.enabled()
        context["wikimedia_required"] = wikimedia_login.wikimedia_required()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if wikimedia_login.password_refused(user):
            form.add_error(None, _("This Hub asks everyone to log in with Wikimedia."))
            return self.form_invalid(form)
        response = super().form_valid(form)
        if wikimedia_login.must_link_first(user):
            self.request.session[MUST_LINK] = True
            messages.info(
                self.request,
                _(
                    "This Hub asks everyone to log in with Wikimedia. Link your Wikimedia "
                    "account to go on; from then on, log in with Wikimedia."
                ),
            )
            return redirect("account")
        return response


@hub_staff_view
def hub_overview(request: HttpRequest) -> HttpResponse:
    """Show hub staff every affiliate with its counts."""
    return render(request, "core/hub_overview.html", {"rows": selectors.affiliate_overview()})


class LanguageForm(forms.Form):
    """Choose the language of the e-mails and reports the Hub sends you."""

    language = forms.ChoiceField(label=gettext_lazy("Language of your e-mails"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = _("The Hub's default (%(language)s)") % {
            "language": dict(offered_languages()).get(settings.LANGUAGE_CODE, "")
        }
        self.fields["language"].choices = [("", default), *offered_languages()]  # type: ignore[attr-defined]


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Show the person's memberships and roles; change the language of their e-mails."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  login_required says so
    initial = {"language": offered(user.language) or ""}
    form = LanguageForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            set_preferred_language(actor=user, user=user, language=form.cleaned_data["language"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your e-mails will come in the language you chose."))
            return redirect("account")
    memberships = user.memberships.select_related("affiliate")
    wikimedia = wikimedia_login.wikimedia_account(user)
    return render(
        request,
        "core/account.html",
        {
            "memberships": memberships,
            "language_form": form,
            "wikimedia_login": wikimedia_login.enabled(),
            "wikimedia_account": wikimedia,
            "wikimedia_username": wikimedia_login.wikimedia_username(wikimedia),
            "wikimedia_user_page": wikimedia.get_profile_url() if wikimedia else "",
            "must_link": bool(request.session.get(MUST_LINK)),
        },
        status=400 if form.is_bound else 200,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer 404 without saying what exists."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 500 with a static page that reveals nothing about the failure."""
    # No context processors and no database: the failure may be the database itself.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Report each check, 200 when all pass and 503 when one fails: JSON or a small page.

    Anyone may ask (a load balancer has no account): it shows counts and ages, nothing private.
    ``?scope=web`` checks only the database and the cache, for a load balancer.
    """
    report = health_report(scope=request.GET.get("scope", ""))
    status = 200 if report["status"] == "ok" else 503
    wants_json = request.GET.get("format") == "json" or (
        request.get_preferred_type(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        return JsonResponse(report, status=status)
    # The page says when and how each job went in the reader's words; the JSON keeps codes.
    periods = {job.name: job.period.describe() for job in scheduled_jobs}
    outcomes = dict(ScheduledJob.Outcome.choices)
    shown = [
        {
            **job,
            "period": periods.get(job["name"], job["period"]),
            "outcome": outcomes.get(
                "" if job["outcome"] == "never" else job["outcome"], job["outcome"]
            ),
        }
        for job in report["checks"].get("scheduled_jobs", {}).get("jobs", [])
    ]
    checked_at = dt.datetime.fromisoformat(report["checked_at"])
    context = {"report": report, "jobs": shown, "checked_at": checked_at}
    return render(request, "core/health.html", context, status=status)


# Query-string names people put tokens in: refused, because addresses end up in logs.
TOKEN_PARAMETERS = {"token", "access_token", "bearer", "auth", "key"}


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Answer Prometheus' scrape, for the bearer of HUB_METRICS_TOKEN only."""
    expected = settings.HUB_METRICS_TOKEN
    if not expected:
        raise Http404("metrics are off")
    in_address = any(
        name.lower() in TOKEN_PARAMETERS or expected in values
        for name, values in request.GET.lists()
    )
    if in_address:
        log_event("metrics.token_in_address", request)
        return HttpResponse(
            _("Send the token in the Authorization header, never in the address."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), expected):
        log_event("metrics.refused", request)
        refused = HttpResponse(
            _("A valid bearer token is needed."),
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
