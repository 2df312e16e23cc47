"""Large imports run in the background worker: queued, applied once, and followed on a page."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hub.partners.models import ImportBatch, Organisation
from tests import factories
from tests.test_import_views import upload

ROWS = "Organisation,Country\r\n" + "".join(f"Library {i},Chile\r\n" for i in range(12))


def confirm(client: Client, batch: ImportBatch, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(
            reverse("partners:import_confirm", kwargs={"slug": "alpha", "pk": batch.pk})
        )


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_large_import_is_queued_then_applied_by_the_worker(
    client_a, affiliate_a, django_capture_on_commit_callbacks
):
    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    response = confirm(client_a, batch, django_capture_on_commit_callbacks)
    status_url = reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk})
    assert response["Location"] == status_url
    page = client_a.get(status_url).content.decode()
    assert "Importing 12 rows in the background" in page
    assert 'http-equiv="refresh"' in page
    assert not Organisation.objects.exists()
    assert DBTaskResult.objects.count() == 1

    # Run what was queued, as the worker would (the worker process itself is tested with a real
    # kill -9 in test_queue.py; in-process it would close the test's own connection).
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "hub.partners.imports.tasks.apply_import_batch"
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])

    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 12
    page = client_a.get(status_url).content.decode()
    assert "Imported 12 rows: 12 new organisations" in page
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.rows == []


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_running_the_task_twice_imports_once(
    client_a, member_a, django_capture_on_commit_callbacks
):
    from hub.partners.imports.tasks import apply_import_batch

    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    confirm(client_a, batch, django_capture_on_commit_callbacks)
    first = apply_import_batch.call(batch.pk, member_a.pk)
    second = apply_import_batch.call(batch.pk, member_a.pk)
    assert first["organisations"] == 12 and second == {"skipped": True}
    assert Organisation.objects.count() == 12


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_directory_changed_while_queued_sends_the_batch_back(
    client_a, affiliate_a, member_a, django_capture_on_commit_callbacks
):
    from hub.partners.imports.tasks import apply_import_batch

    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    confirm(client_a, batch, django_capture_on_commit_callbacks)
    factories.organisation(affiliate_a, name="Library 3")  # someone added it meanwhile
    assert apply_import_batch.call(batch.pk, member_a.pk) == {"rejected": True}
    assert Organisation.objects.count() == 1
    response = client_a.get(
        reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk}), follow=True
    )
    assert "the directory changed since the preview" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/import/{batch.pk}/")


@pytest.mark.django_db
def test_another_affiliate_cannot_follow_the_import(client_a, client_b):
    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    url = reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk})
    assert client_b.get(url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_background_import_skips_existing_rows_when_the_batch_says_so(
    client_a, affiliate_a, member_a, django_capture_on_commit_callbacks
):
    from hub.partners.imports.tasks import apply_import_batch

    factories.organisation(affiliate_a, name="Library 3")
    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    batch.existing_rows = ImportBatch.ExistingRows.SKIP
    batch.save(update_fields=["existing_rows"])
    confirm(client_a, batch, django_capture_on_commit_callbacks)
    result = apply_import_batch.call(batch.pk, member_a.pk)
    assert result == {"rows": 11, "organisations": 11, "contacts": 0, "skipped_rows": 1}
    assert Organisation.objects.filter(affiliate=affiliate_a).count() == 12
    status_url = reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk})
    assert (
        "1 row already in your directory was skipped." in client_a.get(status_url).content.decode()
    )


def status_page(client: Client, batch: ImportBatch) -> str:
    url = reverse("partners:import_status", kwargs={"slug": "alpha", "pk": batch.pk})
    return client.get(url).content.decode()


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_an_import_whose_task_raises_is_shown_failed_and_can_be_discarded(
    client_a, member_a, monkeypatch, django_capture_on_commit_callbacks
):
    from hub.partners.imports import batches

    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    confirm(client_a, batch, django_capture_on_commit_callbacks)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(batches, "apply_batch", broken)
    queued = DBTaskResult.objects.get()
    with pytest.raises(RuntimeError):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    page = status_page(client_a, batch)
    assert "The import stopped because of an error" in page and "nothing was written" in page
    assert 'http-equiv="refresh"' not in page

    discard = reverse("partners:import_discard", kwargs={"slug": "alpha", "pk": batch.pk})
    assert client_a.post(discard).status_code == 302
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5, HUB_TASK_MAX_ATTEMPTS=2)
def test_an_import_the_workers_gave_up_on_is_failed_and_pruned(
    client_a, django_capture_on_commit_callbacks
):
    from hub.core.queue import reap_stuck_tasks

    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    confirm(client_a, batch, django_capture_on_commit_callbacks)
    # Two workers claimed the task in turn and died under it: the reaper gives up.
    DBTaskResult.objects.update(
        status="RUNNING", worker_ids=["w1", "w2"], started_at=timezone.now()
    )
    assert reap_stuck_tasks(dead_worker_ids=["w2"]) == 1
    assert DBTaskResult.objects.get().status == "FAILED"

    assert "The import stopped because of an error" in status_page(client_a, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    ImportBatch.objects.update(created_at=timezone.now() - dt.timedelta(days=10))
    call_command("prune_imports", stdout=StringIO())
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@override_settings(HUB_IMPORT_INLINE_ROWS=5)
def test_prune_marks_a_given_up_import_failed_without_anyone_looking(
    client_a, django_capture_on_commit_callbacks
):
    upload(client_a, ROWS.encode())
    batch = ImportBatch.objects.get()
    confirm(client_a, batch, django_capture_on_commit_callbacks)
    DBTaskResult.objects.update(status="FAILED")
    out = StringIO()
    call_command("prune_imports", stdout=out)
    assert "Marked 1 import(s) failed" in out.getvalue()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and batch.rows
