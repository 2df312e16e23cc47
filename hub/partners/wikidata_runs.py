"""Start a Wikidata look-up over a whole directory, in the background."""

from __future__ import annotations

from django.db import transaction

from hub.core import audit
from hub.core.models import Affiliate, User
from hub.core.queue import enqueue_on_commit
from hub.partners.models import WikidataRun
from hub.partners.tasks import match_directory_with_wikidata
from hub.partners.wikidata import unmatched


@transaction.atomic
def start_run(*, actor: User, affiliate: Affiliate) -> WikidataRun:
    """Start a look-up over every organisation without an item (or return the one under way)."""
    Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    ongoing = WikidataRun.objects.filter(
        affiliate=affiliate, status__in=[WikidataRun.Status.QUEUED, WikidataRun.Status.RUNNING]
    ).first()
    if ongoing is not None:
        return ongoing
    run = WikidataRun.objects.create(
        affiliate=affiliate, created_by=actor, total=unmatched(affiliate).count()
    )
    audit.record(actor=actor, affiliate=affiliate, action="wikidata.run_started", target=run)
    enqueue_on_commit(match_directory_with_wikidata, run.pk)
    return run
