"""Home, log-in with a rate limit, the affiliate chooser, hub-wide pages and error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hub.core import selectors
from hub.core.permissions import affiliates_of, hub_staff_view
from hub.core.security import posted, rate_limited


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


@hub_staff_view
def hub_overview(request: HttpRequest) -> HttpResponse:
    """Show hub staff every affiliate with its counts."""
    return render(request, "core/hub_overview.html", {"rows": selectors.affiliate_overview()})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Show the person's memberships and roles."""
    memberships = request.user.memberships.select_related("affiliate")  # type: ignore[union-attr]
    return render(request, "core/account.html", {"memberships": memberships})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer 404 without saying what exists."""
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 500 with a static page that reveals nothing about the failure."""
    # No context processors and no database: the failure may be the database itself.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def health(request: HttpRequest) -> HttpResponse:
    """Answer "ok" when the web process and its database answer."""
    selectors.database_ping()
    return HttpResponse("ok", content_type="text/plain")
