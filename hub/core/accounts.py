"""Account pages: password reset and change, the password check before sensitive work, and
the admin's log-in, each behind a rate limit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from hub.core.languages import in_language_of
from hub.core.queue import enqueue_on_commit
from hub.core.security import log_event, note_password_typed, posted, rate_limited
from hub.core.tasks import send_mail_task


class QueuedPasswordResetForm(auth_forms.PasswordResetForm):
    """Send the reset link through the task queue, not while the visitor waits."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Render the e-mail now, in the account's language, and queue it; a slow mail server
        no longer shows in the page."""
        with in_language_of(context.get("user")):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        enqueue_on_commit(send_mail_task, subject, body, [to_email], from_email)


@method_decorator(never_cache, name="dispatch")
class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Send a reset link, refusing many requests for one address or from one client."""

    form_class = QueuedPasswordResetForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if rate_limited(
            request,
            group="password-reset",
            rate=settings.HUB_PASSWORD_RESET_RATE,
            keys=("ip", posted("email")),
        ):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many password-reset requests. Please wait an hour and try again."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        log_event("password_reset.requested", request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password by typing the current one; the session stays signed in."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        note_password_typed(self.request)
        log_event("password.changed", self.request)
        return response


class ConfirmPasswordForm(forms.Form):
    """Ask for the signed-in person's password again."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Please try again."))
        return password


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("account")


@never_cache
@login_required
def confirm_password(request: HttpRequest) -> HttpResponse:
    """Ask for the password again before erasing a person or downloading personal data."""
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if rate_limited(
            request,
            group="confirm-password",
            rate=settings.HUB_LOGIN_RATE,
            keys=("user", "ip"),
        ):
            form.errors.clear()
            form.add_error(None, _("Too many attempts. Please wait a few minutes and try again."))
            status = 429
        elif form.is_valid():
            note_password_typed(request)
            log_event("password.confirmed", request)
            return redirect(_safe_next(request))
        else:
            log_event("password.confirm_failed", request)
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "registration/confirm_password.html", context, status=status)


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """Show the admin's log-in page, with the same rate limit as the site's log-in."""
    if request.method == "POST" and rate_limited(
        request,
        group="login",
        rate=settings.HUB_LOGIN_RATE,
        keys=("ip", posted("username")),
    ):
        return render(request, "registration/too_many_attempts.html", status=429)
    return admin.site.login(request)
