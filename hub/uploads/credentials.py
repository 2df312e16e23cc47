"""The wiki account a batch uploads with, kept encrypted at rest and opened only to send.

A batch names a kind of account and keeps its secret sealed with a key derived from the
deployment's SECRET_KEY (HKDF-SHA256 → Fernet; SECRET_KEY_FALLBACKS still open older seals).
Three kinds exist: a bot password (``Name@BotName`` and its password), an owner-only OAuth
consumer's access token, and "upload as me": the person's own Wikimedia log-in (its OAuth 2.0
token, renewed by hub.core.wikimedia_login; the seal keeps only who they are). Each kind is a
loader in ``ACCOUNT_KINDS``: a function from the batch's sealed data to an ``Account`` that
signs a client in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core import sealing, wikimedia_login
from hub.wikimedia.http import new_session
from hub.wikimedia.mediawiki import MediaWikiClient

if TYPE_CHECKING:
    from hub.uploads.models import UploadBatch

HKDF_SALT = b"hub.uploads.credentials"
HKDF_INFO = b"a batch's wiki account"

BOT_PASSWORD = "bot_password"  # noqa: S105 - a kind of account, not a password
OWNER_ONLY_OAUTH = "owner_only_oauth"
WIKIMEDIA_LOGIN = "wikimedia_login"
KIND_LABELS = {
    BOT_PASSWORD: gettext_lazy("Bot password"),
    OWNER_ONLY_OAUTH: gettext_lazy("Owner-only OAuth consumer (access token)"),
    WIKIMEDIA_LOGIN: gettext_lazy("My Wikimedia account (upload as me)"),
}


class AccountMissing(Exception):
    """The batch has no account to send with (never given, or deleted when the batch ended)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Account(Protocol):
    """A way to sign a wiki client in as the account that uploads."""

    @property
    def name(self) -> str:
        """Return the account's name on the wiki, as the batch page shows it."""

    def sign_in(self, client: MediaWikiClient) -> None:
        """Make the client send its requests as this account; raise WikiLoginFailed if refused."""


@dataclass(frozen=True)
class BotPassword:
    """A bot password (Special:BotPasswords): ``Name@BotName`` and its generated password."""

    name: str
    password: str

    def sign_in(self, client: MediaWikiClient) -> None:
        client.login(self.name, self.password)


@dataclass(frozen=True)
class OwnerOnlyToken:
    """An owner-only OAuth 2 consumer's access token: every request carries it as a bearer."""

    name: str
    token: str

    def sign_in(self, client: MediaWikiClient) -> None:
        # A session of its own, as a log-in gets, so the token never reaches the host's shared
        # anonymous session.
        client.http.session = new_session()
        client.http.session.headers["Authorization"] = f"Bearer {self.token}"


@dataclass(frozen=True)
class WikimediaLogin:
    """The person's own Wikimedia log-in: its access token, renewed when about to expire."""

    name: str
    user_id: int

    def sign_in(self, client: MediaWikiClient) -> None:
        try:
            token = wikimedia_login.access_token_for(self.user_id)
        except wikimedia_login.TokenUnavailable as exc:
            raise AccountMissing(exc.message) from exc
        OwnerOnlyToken(name=self.name, token=token).sign_in(client)


# kind → loader of the sealed data.
ACCOUNT_KINDS: dict[str, Callable[[dict[str, Any]], Account]] = {
    BOT_PASSWORD: lambda data: BotPassword(name=data["name"], password=data["secret"]),
    OWNER_ONLY_OAUTH: lambda data: OwnerOnlyToken(name=data["name"], token=data["secret"]),
    WIKIMEDIA_LOGIN: lambda data: WikimediaLogin(name=data["name"], user_id=int(data["user_id"])),
}


def seal(data: dict[str, Any]) -> str:
    """Return the data encrypted and authenticated, as text for a database column."""
    return sealing.seal(json.dumps(data), salt=HKDF_SALT, info=HKDF_INFO)


def unseal(token: str) -> dict[str, Any]:
    """Return sealed data; raise AccountMissing when it cannot be opened (key changed)."""
    try:
        data = json.loads(sealing.unseal(token, salt=HKDF_SALT, info=HKDF_INFO))
    except ValueError as exc:
        raise AccountMissing(
            _(
                "The saved wiki account can no longer be read (the server's secret key "
                "changed). Enter the account again."
            )
        ) from exc
    return dict(data)


def account_for(batch: UploadBatch) -> Account:
    """Return the batch's account, opened; raise AccountMissing when there is none."""
    if not batch.account_kind or not batch.account_secret:
        raise AccountMissing(_("Enter the wiki account to upload with (step 4)."))
    loader = ACCOUNT_KINDS.get(batch.account_kind)
    if loader is None:
        raise AccountMissing(_("This kind of wiki account is not available here any more."))
    return loader({"name": batch.account_name, **unseal(batch.account_secret)})


def client_class() -> type[MediaWikiClient]:
    """Return the client class uploads use (tests may name a subclass in settings)."""
    path = settings.HUB_UPLOADS_CLIENT_CLASS
    return import_string(path) if path else MediaWikiClient


def new_client(batch: UploadBatch, **kwargs: Any) -> MediaWikiClient:
    """Return an anonymous background client for the batch's wiki (checks, previews)."""
    return client_class()(batch.wiki_url, user_supplied=True, **kwargs)


def open_client(batch: UploadBatch, **kwargs: Any) -> MediaWikiClient:
    """Return a background client for the batch's wiki, signed in as the batch's account."""
    client = new_client(batch, **kwargs)
    account_for(batch).sign_in(client)
    return client
