"""Write e-mail safely: no line breaks in headers, sent by the task queue after commit."""

from __future__ import annotations

import re
from email.utils import formataddr

from django.urls import reverse

from hub.core.links import absolute_url
from hub.core.queue import enqueue_on_commit
from hub.core.tasks import send_mail_task

_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]+")


def header_safe(text: str, max_length: int = 150) -> str:
    """Return text fit for a mail header: line breaks and control characters become spaces."""
    return " ".join(_BREAKS.sub(" ", str(text)).split())[:max_length]


def mailbox(name: str, email: str) -> str:
    """Return "Name <address>" with the name made header-safe; refuse a broken address."""
    if _BREAKS.search(email):
        raise ValueError("an e-mail address with a line break")
    return formataddr((header_safe(name, 80), email))


def absolute(path: str) -> str:
    """Return the full address of a path on this Hub, for links in e-mails."""
    return absolute_url(path)


def status_url(token: str) -> str:
    """Return the full address of a request's status page."""
    return absolute_url(reverse("helpdesk:request_status", kwargs={"token": token}))


def send_on_commit(*, subject: str, body: str, to: list[str]) -> None:
    """Queue one e-mail for after the current transaction commits."""
    if to:
        enqueue_on_commit(send_mail_task, header_safe(subject), body, to)
