"""Sign and open portal links: forged ones are refused, expired and withdrawn ones say so."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.links import absolute_url
from hub.core.models import Affiliate
from hub.core.sqlrows import Columns, fetch
from hub.partners.models import Contact, Organisation
from hub.surveys.models import PortalLink

SALT = "hub.surveys.portal-link"
OPT_OUT_SALT = "hub.surveys.partner-update-opt-out"
MAX_TOKEN = 300


class PortalRefused(Exception):
    """A portal link that cannot be opened; ``reason`` says why in the partner's words."""

    def __init__(self, reason: str, *, gone: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.gone = gone  # True: a genuine link no longer in force (410); False: never ours (404)


def new_key() -> str:
    """Return a fresh random key for a link's token."""
    return secrets.token_urlsafe(16)[:22]


def portal_token(link: PortalLink) -> str:
    """Return the signed token of a portal link: the same every time for the same link."""
    return signing.Signer(salt=SALT).sign_object([link.pk, link.key])


def portal_url(link: PortalLink) -> str:
    """Return the full address to give the partner."""
    return absolute_url(reverse("surveys:portal", kwargs={"token": portal_token(link)}))


def live_link(organisation: Organisation, *, now: dt.datetime | None = None) -> PortalLink | None:
    """Return the organisation's link in force (not withdrawn, not expired), or None."""
    now = now or timezone.now()
    return (
        PortalLink.objects.filter(organisation=organisation, revoked_at=None, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


_LINK = Columns(PortalLink, "l")
_AFFILIATE = Columns(Affiliate, "a")
_ORGANISATION = Columns(Organisation, "o")


def _link(pk: int, key: str) -> PortalLink | None:
    """Return the link of that id and key with its affiliate and organisation, or None.

    PortalLink.objects.select_related("affiliate", "organisation").filter(pk=, key=).first(),
    written out (hub.core.sqlrows): every portal visit opens its link, and compiling the
    queryset cost the page more than running it. tests/test_portal.py compares the two.
    """
    rows = fetch(
        f"SELECT {_LINK.select()}, {_AFFILIATE.select()}, {_ORGANISATION.select()}"  # noqa: S608
        f" FROM {_LINK.table()} INNER JOIN {_AFFILIATE.table()} ON a.id = l.affiliate_id"
        f" INNER JOIN {_ORGANISATION.table()} ON o.id = l.organisation_id"
        " WHERE l.id = %s AND l.key = %s",
        [pk, key],
    )
    if not rows:
        return None
    link = _LINK.reader()(rows[0])
    width = _LINK.width
    affiliate = _AFFILIATE.reader(width)(rows[0])
    organisation = _ORGANISATION.reader(width + _AFFILIATE.width)(rows[0])
    PortalLink.affiliate.field.set_cached_value(link, affiliate)
    PortalLink.organisation.field.set_cached_value(link, organisation)
    return link


def _invalid() -> PortalRefused:
    return PortalRefused(_("This link is not valid. Check that it was copied whole."), gone=False)


def open_portal(token: str, *, now: dt.datetime | None = None) -> PortalLink:
    """Return the portal link of a token; raise PortalRefused if forged, expired or withdrawn."""
    now = now or timezone.now()
    if len(token) > MAX_TOKEN:
        raise _invalid()
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise _invalid()
    link = _link(value[0], value[1])
    if link is None or link.organisation.affiliate_id != link.affiliate_id:
        raise _invalid()
    if link.revoked_at is not None:
        raise PortalRefused(
            _("This link was withdrawn. Ask %(affiliate)s for a new one.")
            % {"affiliate": link.affiliate.name},
            gone=True,
        )
    if link.expires_at <= now:
        raise PortalRefused(
            _("This link expired on %(date)s. Ask %(affiliate)s for a new one.")
            % {"date": link.expires_at.date().isoformat(), "affiliate": link.affiliate.name},
            gone=True,
        )
    return link


def opt_out_token(contact: Contact) -> str:
    """Return the signed token of a contact's "no more partner updates" link."""
    return signing.Signer(salt=OPT_OUT_SALT).sign_object([contact.affiliate_id, contact.pk])


def opt_out_url(contact: Contact) -> str:
    """Return the full address of a contact's opt-out link, for the update e-mail."""
    return absolute_url(
        reverse("surveys:updates_opt_out", kwargs={"token": opt_out_token(contact)})
    )


def read_opt_out_token(token: str) -> tuple[int, int]:
    """Return (affiliate id, contact id) of an opt-out token; raise PortalRefused if forged."""
    if len(token) > MAX_TOKEN:
        raise _invalid()
    try:
        value = signing.Signer(salt=OPT_OUT_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise _invalid()
    return value[0], value[1]
