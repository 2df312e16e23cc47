"""Personal API tokens: made (the secret shown once), revoked, and checked on each request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.api.models import ApiToken
from hub.core import audit
from hub.core.models import Affiliate, Membership, User

PREFIX = "hub_"
# token_urlsafe(32) gives 43 characters; anything far longer is not ours and not worth hashing.
MAX_TOKEN_LENGTH = 100
# Write the last-used time at most this often, not on every request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """Report that a token is unknown, revoked, or its person left the affiliate."""


@dataclass(frozen=True)
class Caller:
    """Who calls the API: the token, its person, affiliate and whether they may write."""

    token: ApiToken
    user: User
    affiliate: Affiliate
    membership: Membership

    @property
    def can_write(self) -> bool:
        """Return True if both the token and the person's role allow changes."""
        return self.token.can_write and self.membership.can_edit


def hash_token(secret: str) -> str:
    """Return the SHA-256 hex digest kept in place of a token's secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(
    *, actor: User, affiliate: Affiliate, name: str, can_write: bool
) -> tuple[ApiToken, str]:
    """Make a personal token for one of the person's affiliates; return it and its secret.

    The secret is returned once, to show once: only its hash is stored.
    """
    membership = Membership.objects.filter(user=actor, affiliate=affiliate).first()
    if membership is None:
        raise ValidationError({"affiliate": _("Choose one of your own affiliates.")})
    if can_write and not membership.can_edit:
        raise ValidationError(
            {"can_write": _("Your role in this affiliate lets you read its data, not change it.")}
        )
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the tool that uses it.")})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        affiliate=affiliate,
        name=name[:100],
        can_write=can_write,
        token_hash=hash_token(secret),
        prefix=secret[:12],
    )
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="api_token.created",
        target=token,
        changes={"name": [None, token.name], "can_write": [None, can_write]},
    )
    return token, secret


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on every request with it is refused."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            affiliate=token.affiliate,
            action="api_token.revoked",
            target=token,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
        )
    return token


def caller_for(secret: str, *, now: dt.datetime | None = None) -> Caller:
    """Return who calls with this secret, or raise TokenRefused.

    A token stops working when revoked, and when its person no longer belongs to its affiliate.
    """
    if not secret.startswith(PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        raise TokenRefused
    token = (
        ApiToken.objects.select_related("user", "affiliate")
        .filter(token_hash=hash_token(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        raise TokenRefused
    membership = Membership.objects.filter(user=token.user, affiliate=token.affiliate).first()
    if membership is None:
        raise TokenRefused
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    membership.affiliate = token.affiliate
    return Caller(token=token, user=token.user, affiliate=token.affiliate, membership=membership)
