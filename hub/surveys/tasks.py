"""Background entry points of the surveys app: thin, taking ids, safe to run twice."""

from __future__ import annotations

from django_tasks import task

from hub.surveys.delivery import deliver


@task()
def deliver_survey_mail(sending_id: int) -> dict[str, int]:
    """Send a sending's waiting e-mails; the ledger makes a second run send nobody twice."""
    return deliver(sending_id=sending_id)
