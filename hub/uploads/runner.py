"""Send a batch's rows to the wiki one by one, crash-safe, each file exactly once.

Every row is a ledger: validated → sending (or stashed, with the file key) → uploaded (page id,
revision, address) → done (structured data written). Each step is written (committed) before
the request it leads to, and a row found in ``sending`` or ``stashed`` when a run starts — a
worker died there — is first looked up on the wiki: the same bytes (SHA-1) already under the
intended title mean the upload went through, so it is recorded and not sent again. A stashed
upload is finished from its file key while the key holds. The wiki's warnings are never
ignored: each becomes the row's outcome (a duplicate is skipped with the existing file's name,
a title taken fails with what to do).

When the wiki asks us to wait (rate limit, lag, a 5xx), the row keeps its state, the batch
shows why and until when, and the run returns ``retry_at`` for the task to come back then.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import User
from hub.partnerships.slots import CONTENT_PUBLISHED
from hub.uploads import credentials, storage
from hub.uploads.licences import licence_for
from hub.uploads.models import UploadBatch, UploadRow
from hub.uploads.outcomes import (
    NO_STRUCTURED_DATA,
    STASH_GONE,
    batch_stopping_error,
    explain_api_error,
    warning_outcome,
)
from hub.uploads.rows import row_text
from hub.uploads.statements import captions_for_row, claims_for_row
from hub.wikimedia.errors import WikiApiError, WikiError, WikiLoginFailed, WikiOutcomeUnknown
from hub.wikimedia.mediainfo import write_mediainfo
from hub.wikimedia.mediawiki import MediaWikiClient
from hub.wikimedia.mediawiki.results import UploadOutcome, WikiFile

logger = logging.getLogger(__name__)

State = UploadRow.State
TO_SEND = (State.VALIDATED, State.SENDING, State.STASHED, State.UPLOADED)
WAIT_BACKOFF_SECONDS = (30, 120, 600, 1800)
LOOKUP_BATCH = 50


class StopRun(Exception):
    """Leave the run: the batch is paused or waits; ``outcome`` says which, for the task."""

    def __init__(self, outcome: dict[str, Any]) -> None:
        super().__init__(str(outcome))
        self.outcome = outcome


def _update_row(row: UploadRow, **fields: Any) -> None:
    """Write the row's new ledger state at once (its own transaction), and keep it on ``row``."""
    for key, value in fields.items():
        setattr(row, key, value)
    UploadRow.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **fields)


def _waiter(batch_id: int) -> Callable[[str, dt.datetime], None]:
    """Return the client's on_wait callback: show on the batch page what we wait for."""

    def on_wait(reason: str, until: dt.datetime) -> None:
        UploadBatch.objects.filter(pk=batch_id).update(wait_reason=reason[:200], wait_until=until)

    return on_wait


def _file_title(title: str) -> str:
    return title if title.lower().startswith("file:") else f"File:{title}"


def _found(answer: dict[str, WikiFile | None], title: str) -> WikiFile | None:
    full = _file_title(title)
    for key in (full, full.replace(" ", "_"), title):
        if answer.get(key) is not None:
            return answer[key]
    return None


class Runner:
    """One run over a batch's rows (a task's attempt); ``client`` signed in as the account."""

    def __init__(self, batch: UploadBatch, client: MediaWikiClient, *, token: str = "") -> None:
        self.batch = batch
        self.client = client
        self.token = token
        self.known: dict[str, WikiFile | None] = {}

    # -- the loop ---------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """Send every row still on its way; return what happened (done, paused, retry_at).

        Files go up one by one; every 50 on the wiki (and at the end) their page ids are asked
        in one query and their structured data written, so a request per file is the upload.
        """
        while True:
            if self.token and not claim(self.batch.pk, self.token):
                return {"stopped": "another run took the batch over"}
            status = UploadBatch.objects.filter(pk=self.batch.pk).values_list("status", flat=True)
            if status.first() != UploadBatch.Status.RUNNING:
                return {"stopped": status.first()}
            uploaded = UploadRow.objects.filter(batch=self.batch, state=State.UPLOADED)
            row = (
                UploadRow.objects.filter(batch=self.batch, state__in=TO_SEND[:3])
                .select_related("file")
                .order_by("number")
                .first()
            )
            if row is None or uploaded.count() >= LOOKUP_BATCH:
                ready = list(uploaded.select_related("file").order_by("number")[:LOOKUP_BATCH])
                if not ready:
                    end_batch(batch_id=self.batch.pk, actor=None, cancelled=False)
                    return {"done": True}
                self.finish_rows(ready)
            else:
                self.guarded(row, lambda r: self.send(r, resumed=r.state != State.VALIDATED))
            if self.batch.wait_reason:
                UploadBatch.objects.filter(pk=self.batch.pk).update(wait_reason="", wait_until=None)
                self.batch.wait_reason = ""

    def look_up_from(self, row: UploadRow) -> None:
        """Ask the wiki about the next 50 titles to send, from this row's, in one request.

        It tells which titles are taken before their bytes are sent, and warms MediaWiki so an
        upload does not render thumbnails inside its request.
        """
        titles = list(
            UploadRow.objects.filter(
                batch=self.batch, state__in=TO_SEND[:3], number__gte=row.number
            )
            .exclude(title="")
            .order_by("number")
            .values_list("title", flat=True)[:LOOKUP_BATCH]
        )
        answer = self.client.files_by_title([_file_title(t) for t in titles])
        for title in titles:
            self.known[title] = _found(answer, title)

    def guarded(self, row: UploadRow, action: Callable[[UploadRow], None]) -> None:
        """Take the row a step further; the wiki's refusals become the row's or batch's words."""
        try:
            action(row)
        except WikiLoginFailed as exc:
            self.stop_batch(_("The wiki refused the account: %(reason)s") % {"reason": exc.message})
        except WikiApiError as exc:
            stopping = batch_stopping_error(exc)
            if stopping:
                self.stop_batch(stopping)
            self.fail(row, "error", explain_api_error(exc))
        except WikiError as exc:
            if not exc.retryable:
                self.fail(row, "error", exc.message)
                return
            self.wait(row, exc)

    def finish_rows(self, rows: list[UploadRow]) -> None:
        """Learn the page ids of files on the wiki (one query), then write their structured data."""
        missing = [r for r in rows if not r.page_id]
        if missing:
            try:
                answer = self.client.files_by_title([_file_title(r.title) for r in missing])
            except WikiError as exc:
                if not exc.retryable:
                    raise
                self.wait(missing[0], exc)
            for row in missing:
                found = _found(answer, row.title)
                if found is None:
                    self.fail(row, "missing", _("The wiki does not show this file any more."))
                    continue
                _update_row(
                    row,
                    page_id=found.page_id,
                    revision_id=found.revision_id,
                    file_url=found.description_url[:1000] or row.file_url,
                )
        for row in rows:
            if row.state == State.UPLOADED:
                self.guarded(row, self.write_structured_data)

    # -- sending ----------------------------------------------------------------------------
    def already_there(self, row: UploadRow, *, ask: bool) -> bool:
        """Settle the row if its title is taken on the wiki; return whether it was.

        Our bytes under the title: the upload went through (before a crash): record it.
        Other bytes: the title is taken: the row fails with what to do.
        """
        if ask:
            self.known[row.title] = _found(
                self.client.files_by_title([_file_title(row.title)]), row.title
            )
        found = self.known.get(row.title)
        if found is None:
            return False
        if row.file is not None and found.sha1 == row.file.sha1:
            self.record_uploaded(row, found)
            return True
        self.fail(
            row,
            "exists",
            _(
                "The title “%(title)s” is already taken on the wiki by another file. Give this "
                "row another title and check the batch again."
            )
            % {"title": row.title},
        )
        return True

    def send(self, row: UploadRow, *, resumed: bool) -> None:
        """Send the row's file (or finish its stashed upload) after making sure it is not there."""
        asked_now = row.title not in self.known
        if asked_now:
            self.look_up_from(row)
        if self.already_there(row, ask=resumed and not asked_now):
            return
        if row.file is None:
            self.fail(row, "missing", _("The row's file is missing; add it and check again."))
            return
        attempts = row.attempts + 1
        if attempts > settings.HUB_TASK_MAX_ATTEMPTS * 2:
            self.fail(row, "error", _("The wiki did not take this file after several tries."))
            return
        text = row_text(self.batch, row)
        summary = self.batch.edit_summary
        path = storage.file_path(self.batch.pk, row.file.stored_path)

        def on_chunk(filekey: str, offset: int) -> None:
            _update_row(row, state=State.STASHED, filekey=filekey[:255], stash_offset=offset)
            if self.token:
                claim(self.batch.pk, self.token)  # a long file keeps its claim chunk by chunk

        outcome: UploadOutcome | None = None
        if row.state == State.STASHED and row.filekey:
            _update_row(row, attempts=attempts)
            try:
                if row.stash_offset >= row.file.size:
                    outcome = self.client.finish_stashed(
                        row.filekey,
                        filename=row.title,
                        text=text,
                        comment=summary,
                        with_page_id=False,
                    )
                else:  # carry on sending chunks where the stash stopped
                    outcome = self.client.upload(
                        path,
                        filename=row.title,
                        text=text,
                        comment=summary,
                        filekey=row.filekey,
                        offset=row.stash_offset,
                        on_chunk=on_chunk,
                        with_page_id=False,
                    )
            except WikiApiError as exc:
                if exc.code not in STASH_GONE:
                    raise
                # The stash let go of the bytes (it keeps them some hours): send again.
                _update_row(row, state=State.SENDING, filekey="", stash_offset=0)
        if outcome is None:
            if row.state != State.SENDING:
                _update_row(row, state=State.SENDING, attempts=attempts, message="")
            else:
                _update_row(row, attempts=attempts)
            outcome = self.client.upload(
                path,
                filename=row.title,
                text=text,
                comment=summary,
                on_chunk=on_chunk,
                with_page_id=False,
            )
        self.settle(row, outcome)

    def settle(self, row: UploadRow, outcome: UploadOutcome) -> None:
        """Turn the wiki's answer to an upload into the row's next state."""
        if outcome.result == "Success":
            found = outcome.file or _found(
                self.client.files_by_title([_file_title(outcome.filename)]), outcome.filename
            )
            if found is None:  # replicas behind: look again on the next run, never resend blindly
                raise WikiOutcomeUnknown(
                    _("The wiki said the upload worked but does not show the file yet.")
                )
            self.record_uploaded(row, found)
            return
        if outcome.result == "Stashed" and outcome.filekey:
            _update_row(row, state=State.STASHED, filekey=outcome.filekey[:255])
            outcome = self.client.finish_stashed(
                outcome.filekey,
                filename=row.title,
                text=row_text(self.batch, row),
                comment=self.batch.edit_summary,
                with_page_id=False,
            )
            self.settle(row, outcome)
            return
        # Our own bytes under the title (a run that died after sending) are not a failure;
        # another file's are: already_there settles both.
        if "exists" in outcome.warnings and self.already_there(row, ask=True):
            return
        state, code, message = warning_outcome(outcome.warnings, row.title)
        _update_row(row, state=state, outcome=code, message=message, filekey="")

    def record_uploaded(self, row: UploadRow, found: WikiFile) -> None:
        """Write down that the file is on the wiki, then go on to its structured data."""
        _update_row(
            row,
            state=State.UPLOADED,
            filekey="",
            stash_offset=0,
            page_id=found.page_id or None,
            revision_id=found.revision_id,
            file_url=found.description_url[:1000],
            title=found.title.split(":", 1)[1] if ":" in found.title else found.title,
            message="",
        )

    # -- structured data --------------------------------------------------------------------
    def write_structured_data(self, row: UploadRow) -> None:
        """Write the row's captions and statements on the file's MediaInfo entity; then done."""
        message = ""
        if self.batch.structured_data and row.page_id:
            licence = licence_for(str(row.values.get("licence", "") or self.batch.licence))
            captions = captions_for_row(row.values)
            claims = claims_for_row(row.values, licence=licence)
            if captions or claims:
                try:
                    write_mediainfo(
                        self.client,
                        row.page_id,
                        captions=captions,
                        claims=claims,
                        summary=self.batch.edit_summary,
                    )
                except WikiApiError as exc:
                    if exc.code not in NO_STRUCTURED_DATA:
                        raise
                    message = _(
                        "This wiki keeps no structured data: the page was written without its "
                        "captions and statements."
                    )
        _update_row(row, state=State.DONE, outcome=row.outcome or "uploaded", message=message)

    # -- when things go wrong ---------------------------------------------------------------
    def fail(self, row: UploadRow, code: str, message: str) -> None:
        """End the row as failed, with what to do about it."""
        _update_row(row, state=State.FAILED, outcome=code[:40], message=message, filekey="")

    def wait(self, row: UploadRow, exc: WikiError) -> None:
        """Leave the row as it is and come back when the wiki lets us; stop the run."""
        step = min(row.attempts, len(WAIT_BACKOFF_SECONDS)) - 1
        seconds = exc.retry_after or WAIT_BACKOFF_SECONDS[max(step, 0)]
        until = timezone.now() + dt.timedelta(seconds=seconds)
        reason = _(
            "The wiki did not take this file yet (%(reason)s). It is tried again at %(time)s "
            "UTC, after asking the wiki whether it arrived: nothing is sent twice."
        ) % {"reason": exc.message[:150], "time": until.strftime("%H:%M:%S")}
        UploadBatch.objects.filter(pk=self.batch.pk).update(
            wait_reason=exc.message[:200], wait_until=until
        )
        _update_row(row, message=reason)
        raise StopRun({"retry_at": until.isoformat()})

    def stop_batch(self, message: str) -> None:
        """Pause the whole batch with a message (the account refused, uploads disabled)."""
        UploadBatch.objects.filter(pk=self.batch.pk, status=UploadBatch.Status.RUNNING).update(
            status=UploadBatch.Status.PAUSED, error=message
        )
        raise StopRun({"paused": message})


def claim_lease() -> dt.timedelta:
    """Return how long a run's claim on its batch holds without a step (a worker's lease, x2)."""
    return 2 * dt.timedelta(seconds=settings.HUB_WORKER_LEASE_SECONDS)


def claim(batch_id: int, token: str) -> bool:
    """Claim the batch for this run, or renew the claim; False when another run holds it."""
    now = timezone.now()
    mine_or_free = Q(runner=token) | Q(runner="") | Q(runner_until__lt=now)
    return bool(
        UploadBatch.objects.filter(mine_or_free, pk=batch_id).update(
            runner=token, runner_until=now + claim_lease()
        )
    )


def run_batch(*, batch_id: int, client: MediaWikiClient | None = None) -> dict[str, Any]:
    """Run (or resume) a batch's upload; safe to run twice: a batch not running is left alone.

    One run at a time: a second task for the batch (a quick pause and resume while a file was
    being sent) comes back when the first run's claim ends, instead of sending alongside it.
    """
    batch = UploadBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != UploadBatch.Status.RUNNING:
        return {"skipped": True}
    token = uuid.uuid4().hex
    if not claim(batch.pk, token):
        held = UploadBatch.objects.filter(pk=batch.pk).values_list("runner_until", flat=True)
        until = held.first() or timezone.now() + claim_lease()
        return {"retry_at": until.isoformat(), "busy": True}
    try:
        if client is None:
            client = credentials.open_client(batch, on_wait=_waiter(batch.pk))
        return Runner(batch, client, token=token).run()
    except StopRun as stop:
        return stop.outcome
    except credentials.AccountMissing as exc:
        return _pause(batch, exc.message)
    except WikiLoginFailed as exc:
        return _pause(
            batch,
            _(
                "The wiki refused the account (%(reason)s). Check the bot password and that it "
                "has the grants the batch needs, enter it again and resume."
            )
            % {"reason": exc.message},
        )
    except WikiError as exc:
        if not exc.retryable:
            return _pause(batch, exc.message)
        until = timezone.now() + dt.timedelta(seconds=exc.retry_after or WAIT_BACKOFF_SECONDS[0])
        UploadBatch.objects.filter(pk=batch.pk).update(
            wait_reason=(_("The wiki did not answer (%(reason)s).") % {"reason": exc.message})[
                :200
            ],
            wait_until=until,
        )
        return {"retry_at": until.isoformat()}
    finally:
        UploadBatch.objects.filter(pk=batch.pk, runner=token).update(runner="", runner_until=None)


@contextmanager
def release_on_error(batch_id: int) -> Iterator[None]:
    """Free a batch a task left working when it failed unexpectedly, with words on the page.

    A check or fetch goes back to being prepared, an upload is paused; the error is logged and
    raised again for the queue to record. Without this the page would say "working" forever.
    """
    try:
        yield
    except Exception:
        logger.exception("Batch %s stopped on an unexpected error", batch_id)
        message = _(
            "An unexpected error stopped the batch; it was logged for the hub's staff. "
            "Nothing was lost: try again, or tell them if it happens again."
        )
        UploadBatch.objects.filter(
            pk=batch_id, status__in=[UploadBatch.Status.CHECKING, UploadBatch.Status.FETCHING]
        ).update(status=UploadBatch.Status.DRAFT, error=message)
        UploadBatch.objects.filter(pk=batch_id, status=UploadBatch.Status.RUNNING).update(
            status=UploadBatch.Status.PAUSED, error=message
        )
        raise


def _pause(batch: UploadBatch, message: str) -> dict[str, Any]:
    UploadBatch.objects.filter(pk=batch.pk, status=UploadBatch.Status.RUNNING).update(
        status=UploadBatch.Status.PAUSED, error=message
    )
    return {"paused": message}


def end_batch(*, batch_id: int, actor: User | None, cancelled: bool) -> UploadBatch:
    """Finish (or cancel) a batch: the account deleted, an audit event, the content published.

    Files already on the wiki stay there. Their titles and the batch's tracking category go to
    whatever links content to the partnership's impact (``CONTENT_PUBLISHED``).
    """
    with transaction.atomic():
        batch = (
            UploadBatch.objects.select_for_update().select_related("partnership").get(pk=batch_id)
        )
        if batch.is_over:
            return batch
        batch.status = UploadBatch.Status.CANCELLED if cancelled else UploadBatch.Status.FINISHED
        batch.finished_at = timezone.now()
        batch.account_kind = batch.account_name = batch.account_secret = ""
        batch.wait_reason, batch.wait_until = "", None
        batch.save()
        on_wiki = list(
            batch.rows.filter(state__in=[State.UPLOADED, State.DONE])
            .order_by("number")
            .values_list("title", flat=True)
        )
        audit.record(
            actor=actor,
            affiliate=batch.affiliate,
            action="uploads.cancelled" if cancelled else "uploads.finished",
            target=batch.partnership,
            changes={"batch": [None, batch.title], "files_on_wiki": [None, len(on_wiki)]},
        )
        if on_wiki:
            publish_content(batch, actor=actor, files=on_wiki)
    return batch


def publish_content(batch: UploadBatch, *, actor: User | None, files: Sequence[str]) -> None:
    """Tell the apps that follow a partnership's content (impact) what the batch put online."""
    for receiver in CONTENT_PUBLISHED:
        receiver(
            partnership=batch.partnership,
            actor=actor,
            wiki_url=batch.wiki_url,
            category=batch.tracking_category,
            files=[_file_title(t) for t in files],
        )


def stashed_keys(batch: UploadBatch) -> list[str]:
    """Return the file keys a batch left in the wiki's stash."""
    return list(
        batch.rows.filter(~Q(filekey=""), state=State.STASHED).values_list("filekey", flat=True)
    )
