"""Secret addresses that open one affiliate's directory to a reconciliation client (OpenRefine).

Like the calendar's secret link: the key is shown once, only its hash is kept, and revoking it
closes the address. OpenRefine cannot send an Authorization header to a reconciliation service,
so the key travels in the path (never in a query string, which proxies log more readily).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from hub.core import audit
from hub.core.models import Affiliate, Membership, User
from hub.partners.models import ReconciliationKey

# token_urlsafe(32) gives 43 characters; anything far longer is not ours and not worth hashing.
MAX_TOKEN_LENGTH = 100
# Writing "last used" on every request would turn each OpenRefine batch into a write.
LAST_USED_STEP = dt.timedelta(minutes=5)


class KeyRefused(Exception):
    """Report that no live key has this secret (unknown, revoked, or its holder left)."""


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest kept in place of a key's secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_key(*, actor: User, affiliate: Affiliate) -> tuple[ReconciliationKey, str]:
    """Revoke the person's live keys for the affiliate and make a new one; return it and its secret.

    The secret is returned once, to show once: only its hash is stored.
    """
    now = timezone.now()
    live = ReconciliationKey.objects.select_for_update().filter(
        user=actor, affiliate=affiliate, revoked_at=None
    )
    for old in live:
        _revoke(actor, old, now)
    token = secrets.token_urlsafe(32)
    key = ReconciliationKey.objects.create(
        user=actor, affiliate=affiliate, token_hash=hash_token(token)
    )
    audit.record(actor=actor, affiliate=affiliate, action="reconciliation_key.created", target=key)
    return key, token


def _revoke(actor: User, key: ReconciliationKey, now: dt.datetime) -> None:
    key.revoked_at = now
    key.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        affiliate=key.affiliate,
        action="reconciliation_key.revoked",
        target=key,
        changes={"revoked": [False, True]},
    )


@transaction.atomic
def revoke_key(*, actor: User, key: ReconciliationKey) -> None:
    """Revoke one of the person's keys: OpenRefine gets nothing more through its address."""
    key = ReconciliationKey.objects.select_for_update().get(pk=key.pk, user=actor)
    if key.revoked_at is None:
        _revoke(actor, key, timezone.now())


def key_for_token(token: str, *, now: dt.datetime | None = None) -> ReconciliationKey:
    """Return the live key a secret opens (its affiliate selected); raise KeyRefused otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise KeyRefused
    key = (
        ReconciliationKey.objects.select_related("affiliate", "user")
        .filter(token_hash=hash_token(token), revoked_at=None)
        .first()
    )
    if key is None or not key.user.is_active:
        raise KeyRefused
    if not Membership.objects.filter(user=key.user, affiliate=key.affiliate).exists():
        raise KeyRefused
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_STEP:
        # Bookkeeping, not business state: one column, no audit event.
        ReconciliationKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
