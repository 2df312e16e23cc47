"""Signed survey links: a respondent's only way in; forged or changed ones are refused."""

from __future__ import annotations

import secrets

from django.core import signing

SALT = "hub.surveys.invitation-link"


class LinkInvalidError(Exception):
    """Report a link that was changed, cut short or never issued by us."""


def new_key() -> str:
    """Return a fresh random key naming one invitation."""
    return secrets.token_urlsafe(16)[:22]


def make_token(invitation_id: int, key: str) -> str:
    """Return the signed token of an invitation's personal link."""
    # Not timestamped: the sending's deadline decides how long a link answers, so the same
    # invitation always has the same link (in the e-mail, the reminder and the portal).
    return signing.Signer(salt=SALT).sign_object([invitation_id, key])


def read_token(token: str) -> tuple[int, str]:
    """Return (invitation id, key) from a token, or raise LinkInvalidError."""
    if len(token) > 300:
        raise LinkInvalidError
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
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
