"""Log in with Wikimedia: django-allauth's MediaWiki provider, on the Hub's own terms.

- The token and profile requests go through hub.wikimedia (User-Agent, address guard).
- A first log-in creates an account, unless a local account already has the Wikimedia
  account's e-mail address: that person logs in with their password first and links from
  "Your account" (an account is never taken over by an e-mail address alone).
- Hub staff can require Wikimedia log-in (LoginPolicy): then a password opens only the page
  that links a Wikimedia account (superusers excepted, so the Hub cannot lock itself out).
- The person's tokens (kept to upload as them) are sealed at rest (hub.core.sealing): whoever
  saves a SocialToken, allauth or the renewal below, the database holds only sealed values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialToken
from allauth.socialaccount.providers.mediawiki.views import MediaWikiOAuth2Adapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core import audit, sealing
from hub.core.models import LoginPolicy, User
from hub.core.permissions import hub_staff_view
from hub.core.security import MUST_LINK
from hub.wikimedia import oauth

PROVIDER = "mediawiki"
_POLICY_KEY = "hub:login-policy"


def enabled() -> bool:
    """Return whether this Hub has a Wikimedia OAuth consumer configured."""
    return bool(settings.HUB_WIKIMEDIA_OAUTH_CLIENT_ID)


def wikimedia_required() -> bool:
    """Return whether hub staff require logging in with Wikimedia (cached; saved policy clears)."""
    if not enabled():
        return False
    required = cache.get(_POLICY_KEY)
    if required is None:
        policy = LoginPolicy.objects.filter(pk=1).first()
        required = bool(policy and policy.require_wikimedia)
        cache.set(_POLICY_KEY, required, 300)
    return bool(required)


def forget_policy() -> None:
    cache.delete(_POLICY_KEY)


def wikimedia_account(user: Any) -> SocialAccount | None:
    """Return the person's linked Wikimedia account, if any."""
    if not getattr(user, "pk", None):
        return None
    return SocialAccount.objects.filter(user=user, provider=PROVIDER).first()


def wikimedia_username(account: SocialAccount | None) -> str:
    return str((account.extra_data or {}).get("username") or "") if account else ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's hooks, answered the Hub's way."""

    def get_requests_session(self) -> Any:
        return oauth.session()

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return enabled()

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if sociallogin.is_existing or request.user.is_authenticated:
            # A known Wikimedia account logs in; or a person who is logged in links theirs.
            return
        email = (sociallogin.user.email or "").strip()
        if email and User.objects.filter(email__iexact=email).exists():
            messages.error(
                request,
                _(
                    "This Hub already has an account with the e-mail address of your Wikimedia "
                    "account. Log in with its password, then link your Wikimedia account on "
                    "the “Your account” page."
                ),
            )
            raise ImmediateHttpResponse(redirect("login"))

    def validate_disconnect(self, account: Any, accounts: Any) -> None:
        if wikimedia_required() and not account.user.is_superuser:
            raise ValidationError(_("This Hub asks everyone to log in with Wikimedia."))
        super().validate_disconnect(account, accounts)

    def get_connect_redirect_url(self, request: HttpRequest, socialaccount: Any) -> str:
        request.session.pop(MUST_LINK, None)
        return reverse("account")


def must_link_first(user: Any) -> bool:
    """Say whether a password log-in must stop at linking a Wikimedia account."""
    return wikimedia_required() and not user.is_superuser and wikimedia_account(user) is None


def password_refused(user: Any) -> bool:
    """Say whether this person must log in with Wikimedia rather than with a password."""
    return wikimedia_required() and not user.is_superuser and wikimedia_account(user) is not None


@transaction.atomic
def set_policy(*, actor: User, require_wikimedia: bool) -> LoginPolicy:
    """Require (or stop requiring) Wikimedia log-in, audited; takes effect at the next log-in."""
    policy, _created = LoginPolicy.objects.select_for_update().get_or_create(pk=1)
    if policy.require_wikimedia != require_wikimedia:
        audit.record(
            actor=actor,
            affiliate=None,
            action="hub.login_policy_changed",
            target=policy,
            changes={"require_wikimedia": [policy.require_wikimedia, require_wikimedia]},
        )
        policy.require_wikimedia = require_wikimedia
        policy.save()
    transaction.on_commit(forget_policy)
    return policy


class LoginPolicyForm(forms.Form):
    require_wikimedia = forms.BooleanField(
        label=gettext_lazy("Require logging in with Wikimedia"),
        required=False,
        help_text=gettext_lazy(
            "Everyone then logs in with their Wikimedia account. A password only lets a person "
            "link their Wikimedia account; superusers can still log in with a password."
        ),
    )


@hub_staff_view
def login_policy(request: HttpRequest) -> HttpResponse:
    """Let hub staff require Wikimedia log-in (only where a consumer is configured)."""
    policy = LoginPolicy.objects.filter(pk=1).first()
    initial = {"require_wikimedia": bool(policy and policy.require_wikimedia)}
    form = LoginPolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        if not enabled():
            form.add_error(
                None,
                _(
                    "Log-in with Wikimedia is not configured on this Hub: set "
                    "HUB_WIKIMEDIA_OAUTH_CLIENT_ID and HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET first."
                ),
            )
        else:
            assert isinstance(request.user, User)  # noqa: S101  hub_staff_view says so
            set_policy(actor=request.user, require_wikimedia=form.cleaned_data["require_wikimedia"])
            messages.success(request, _("The log-in policy is saved."))
            return redirect("login_policy")
    return render(
        request,
        "core/login_policy.html",
        {"form": form, "enabled": enabled()},
        status=400 if form.is_bound else 200,
    )


class TokenUnavailable(Exception):
    """The person's Wikimedia token cannot be used: no log-in kept, or Meta-Wiki refused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


RENEW_BEFORE = dt.timedelta(minutes=5)
SEALED = "sealed:"  # marks a sealed token; a token from before sealing has no mark
_SALT = b"hub.core.wikimedia_login"
_INFO = b"a person's Wikimedia OAuth tokens"
_TOKEN_FIELDS = ("token", "token_secret")


def seal_token(value: str) -> str:
    """Return a token as it is kept in the database: sealed (empty stays empty)."""
    if not value or value.startswith(SEALED):
        return value
    return SEALED + sealing.seal(value, salt=_SALT, info=_INFO)


def open_token(value: str) -> str:
    """Return a kept token in clear; raise sealing.Broken when the server's key changed."""
    if not value.startswith(SEALED):
        return value
    return sealing.unseal(value.removeprefix(SEALED), salt=_SALT, info=_INFO)


@receiver(pre_save, sender=SocialToken)
def _seal_before_saving(instance: SocialToken, **kwargs: Any) -> None:
    instance._clear = {f: getattr(instance, f) for f in _TOKEN_FIELDS}  # type: ignore[attr-defined]
    for field in _TOKEN_FIELDS:
        setattr(instance, field, seal_token(getattr(instance, field) or ""))


@receiver(post_save, sender=SocialToken)
def _clear_again_after_saving(instance: SocialToken, **kwargs: Any) -> None:
    # The object in memory keeps the tokens in clear for whoever saved it (allauth reads them).
    for field, value in getattr(instance, "_clear", {}).items():
        setattr(instance, field, value)


def access_token_for(user_id: int) -> str:
    """Return a usable access token of the person's Wikimedia log-in, renewed when it is about
    to expire (Meta-Wiki's last four hours); raise TokenUnavailable with words to show."""
    again = _("Log in with Wikimedia again, so the Hub can act as you.")
    token = (
        SocialToken.objects.filter(account__user_id=user_id, account__provider=PROVIDER)
        .order_by("-id")
        .first()
    )
    if token is None:
        raise TokenUnavailable(again)
    try:
        if token.expires_at is None or token.expires_at - timezone.now() > RENEW_BEFORE:
            return open_token(token.token)
        with transaction.atomic():
            token = SocialToken.objects.select_for_update().get(pk=token.pk)
            if token.expires_at and token.expires_at - timezone.now() > RENEW_BEFORE:
                return open_token(token.token)  # another worker renewed it meanwhile
            if not token.token_secret or not enabled():
                raise TokenUnavailable(again)
            return _renew(token, again)
    except sealing.Broken as exc:
        # The server's secret key changed since the log-in: only a new log-in helps.
        raise TokenUnavailable(again) from exc


def _renew(token: SocialToken, again: str) -> str:
    """Ask Meta-Wiki for a new access token with the kept refresh token; keep both, sealed."""
    try:
        pair = oauth.refresh(
            token_url=MediaWikiOAuth2Adapter.access_token_url,
            client_id=settings.HUB_WIKIMEDIA_OAUTH_CLIENT_ID,
            client_secret=settings.HUB_WIKIMEDIA_OAUTH_CLIENT_SECRET,
            refresh_token=open_token(token.token_secret),
        )
    except oauth.TokenRefused as refused:
        raise TokenUnavailable(
            _("Meta-Wiki refused to renew your Wikimedia log-in (%(detail)s). %(again)s")
            % {"detail": refused.detail, "again": again}
        ) from refused
    token.token = pair.access_token
    token.token_secret = pair.refresh_token
    token.expires_at = timezone.now() + dt.timedelta(seconds=pair.expires_in or 14400)
    token.save(update_fields=["token", "token_secret", "expires_at"])
    return pair.access_token
