"""Signed status links: the requester's only way in, forged or expired ones refused."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

SALT = "hub.helpdesk.status-link"


class LinkError(Exception):
    """Report a status link that cannot be used."""


class LinkInvalidError(LinkError):
    """Report a link that was changed, cut short or never issued by us."""


class LinkExpiredError(LinkError):
    """Report a genuine link that is older than the links are allowed to live."""


def new_status_key() -> str:
    """Return a fresh random key; a request's links name it, so replacing it cancels them."""
    return secrets.token_urlsafe(16)[:22]


def make_status_token(request_id: int, status_key: str) -> str:
    """Return the signed, timestamped token of a request's status link."""
    return signing.dumps([request_id, status_key], salt=SALT, compress=False)


def read_status_token(token: str) -> tuple[int, str]:
    """Return (request id, status key) from a token, or raise LinkInvalidError/LinkExpiredError."""
    max_age = settings.HUB_HELPDESK_LINK_MAX_AGE_DAYS * 24 * 3600
    if len(token) > 300:
        raise LinkInvalidError
    try:
        value = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpiredError from None
    except signing.BadSignature:
        raise LinkInvalidError from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise LinkInvalidError
    return value[0], value[1]
