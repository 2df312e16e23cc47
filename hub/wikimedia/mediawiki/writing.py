"""Write to a wiki: log in with a bot password, keep a CSRF token, edit pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.wikimedia import titles as T
from hub.wikimedia.errors import WikiApiError, WikiBadToken, WikiLoginFailed, WikiMalformedResponse
from hub.wikimedia.http import new_session
from hub.wikimedia.mediawiki.api import ActionApi
from hub.wikimedia.mediawiki.results import LoginResult


class Writing(ActionApi):
    """The login and the writes of :class:`~hub.wikimedia.mediawiki.MediaWikiClient`."""

    def login(self, username: str, password: str) -> LoginResult:
        """Log in with a bot password (``Name@BotName``); raise :class:`WikiLoginFailed`.

        The client switches to a session of its own, so the login's cookies never reach the
        host's shared anonymous session.
        """
        self.http.session = new_session()
        self._csrf = None
        data = self.call({"action": "query", "meta": "tokens", "type": "login"})
        token = data.get("query", {}).get("tokens", {}).get("logintoken")
        if not isinstance(token, str):
            raise WikiMalformedResponse("No login token in the reply.", url=self.api_url)
        reply = self.call(
            {"action": "login", "lgname": username, "lgpassword": password, "lgtoken": token},
            post=True,
        )
        login = reply.get("login", {})
        if not isinstance(login, dict) or login.get("result") != "Success":
            reason = login.get("reason", login.get("result", "")) if isinstance(login, dict) else ""
            if isinstance(reason, dict):
                reason = reason.get("text") or reason.get("code") or ""
            raise WikiLoginFailed(f"Login as {username} failed: {reason}", url=self.api_url)
        self._credentials = (username, password)
        self._site = None  # rights changed: the next query asks again, at no extra request
        return LoginResult(
            user_name=str(login.get("lgusername", "")), user_id=int(login["lguserid"])
        )

    def csrf_token(self, *, refresh: bool = False) -> str:
        """Return the CSRF token of the session, fetching it when needed."""
        if self._csrf is None or refresh:
            data = self.call({"action": "query", "meta": "tokens", "type": "csrf"})
            token = data.get("query", {}).get("tokens", {}).get("csrftoken")
            if not isinstance(token, str):
                raise WikiMalformedResponse("No CSRF token in the reply.", url=self.api_url)
            self._csrf = token
        return self._csrf

    def post_with_token(
        self,
        params: Mapping[str, Any],
        *,
        idempotent: bool = False,
        files: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """POST a write (edit, upload, ...) with the CSRF token.

        A ``badtoken`` error fetches a fresh token and tries once more (tokens expire with the
        session); a second one raises :class:`WikiBadToken`. When logged in, ``assert=user``
        makes the wiki refuse rather than write anonymously, and an expired login is renewed
        once with the same bot password.
        """
        relogged = False
        refreshed = False
        while True:
            full = dict(params)
            if self._credentials is not None:
                full.setdefault("assert", "user")
            full["token"] = self.csrf_token()
            try:
                return self.call(full, post=True, idempotent=idempotent, files=files)
            except WikiApiError as exc:
                if exc.code == "badtoken" and not refreshed:
                    refreshed = True
                    self._csrf = None
                    continue
                if exc.code == "badtoken":
                    raise WikiBadToken(exc.code, exc.info, url=exc.url) from exc
                if exc.code == "assertuserfailed" and self._credentials and not relogged:
                    relogged = True
                    self.login(*self._credentials)
                    continue
                raise

    def edit(self, title: str, text: str, *, summary: str = "") -> dict[str, Any]:
        """Replace a page's text and return the ``edit`` part of the reply."""
        reply = self.post_with_token(
            {
                "action": "edit",
                "title": T.normalize_title(title),
                "text": text,
                "summary": summary,
                "bot": self._credentials is not None,
            },
            # Sending the same text twice is a null edit: safe to repeat after a timeout.
            idempotent=True,
        )
        edit = reply.get("edit")
        if not isinstance(edit, dict):
            raise WikiMalformedResponse("No edit result in the reply.", url=self.api_url)
        return edit
