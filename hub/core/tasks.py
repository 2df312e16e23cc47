"""Background entry points of the core app: thin, and taking plain values only."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_mail_task(
    subject: str, body: str, recipients: list[str], from_email: str | None = None
) -> int:
    """Send one plain-text e-mail to the recipients; return how many messages went out.

    Not idempotent by nature: a worker that dies after sending re-sends once re-run.
    """
    if not recipients:
        return 0
    return send_mail(subject, body, from_email, list(recipients), fail_silently=False)
