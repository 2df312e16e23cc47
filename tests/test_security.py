"""The ways in and what leaks out: rate limits, the security log, sessions, headers, links."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hub.core.models import AuditEvent
from hub.core.queue import prune_finished_tasks
from hub.core.security import LAST_SEEN, PASSWORD_AT
from hub.core.tasks import send_mail_task
from hub.helpdesk.models import HelpRequest
from tests import factories
from tests.helpdesk_factories import help_request, immediate_tasks  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager(affiliate_a: Any) -> Any:
    return factories.member(affiliate_a, username="mona", role="manager")


def _settings_in_a_fresh_process(**env: str) -> str:
    """Return what config.settings computes for an environment, outside pytest."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    clean.update({"HUB_DATA_DIR": "/tmp/hub-settings-check", **env})  # noqa: S108
    code = (
        "import config.settings as s;"
        "print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


# --- links in e-mails ------------------------------------------------------------------------


@pytest.mark.usefixtures("immediate_tasks")
def test_helpdesk_mails_link_to_the_site_the_hub_serves(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8080"
    with django_capture_on_commit_callbacks(execute=True):
        help_request(email="rosa@example.org")
    assert mail.outbox
    assert "http://127.0.0.1:8080/helpdesk/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body


def test_make_run_sets_the_site_address_from_its_port():
    dry_run = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=8080"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert "HUB_SITE_URL=${HUB_SITE_URL:-http://127.0.0.1:8080}" in dry_run
    assert "runserver --noreload 127.0.0.1:8080" in dry_run
    assert "HUB_DEBUG=1" not in dry_run


# --- error pages -----------------------------------------------------------------------------


def test_the_development_copy_shows_no_debug_pages():
    assert _settings_in_a_fresh_process().startswith("False ")


def test_a_missing_page_is_the_friendly_404(client_a):
    response = client_a.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"URLconf" not in response.content


# --- rate limits and the security log --------------------------------------------------------


@override_settings(HUB_LOGIN_RATE="3/h")
def test_the_admin_log_in_is_rate_limited(member_a):
    for i in range(3):
        Client().post(reverse("admin_login"), {"username": f"root{i}", "password": "guess"})
    response = Client().post(reverse("admin_login"), {"username": "alice", "password": "x"})
    assert response.status_code == 429


@override_settings(HUB_PASSWORD_RESET_RATE="2/h")
def test_password_reset_is_rate_limited_per_address_across_clients(member_a):
    for i in range(2):
        Client(REMOTE_ADDR=f"10.0.0.{i}").post(
            reverse("password_reset"), {"email": "alice@example.org"}
        )
    response = Client(REMOTE_ADDR="10.0.0.9").post(
        reverse("password_reset"), {"email": "ALICE@example.org"}
    )
    assert response.status_code == 429
    assert b"Too many password-reset requests" in response.content


def test_password_reset_mail_waits_in_the_queue_not_in_the_request(
    member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("password_reset"), {"email": "alice@example.org"})
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("send_mail_task")
    assert "/password-reset/" in queued.args_kwargs["args"][1]


@override_settings(HUB_HELPDESK_LINK_RATE="3/h")
def test_wrong_status_links_are_rate_limited(db):
    request = help_request()
    for i in range(3):
        Client().get(reverse("helpdesk:request_status", kwargs={"token": f"forged{i}"}))
    # Even the right link waits now: the client spent its guesses.
    from hub.helpdesk.services import status_link

    path = status_link(request).split("8000", 1)[-1]
    assert Client().get(path).status_code == 429


def test_log_ins_and_refusals_go_to_the_security_log(member_a, caplog):
    caplog.set_level(logging.INFO, logger="hub.security")
    Client().post(reverse("login"), {"username": "alice", "password": "wrong"})
    Client().post(reverse("login"), {"username": "alice", "password": "correct horse battery"})
    events = [r.getMessage() for r in caplog.records if r.name == "hub.security"]
    assert any(e.startswith("login.failed") and "alice" in e for e in events)
    assert any(e.startswith("login.succeeded") and "alice" in e for e in events)
    assert not any("correct horse" in e or "wrong" in e for e in events)


# --- exports and erasure ---------------------------------------------------------------------


def test_erasure_asks_for_the_password_again_when_it_is_not_recent(affiliate_a, manager, caplog):
    caplog.set_level(logging.INFO, logger="hub.security")
    contact = factories.contact(factories.organisation(affiliate_a), name="Erin")
    client = Client()
    client.force_login(manager)
    session = client.session
    session[PASSWORD_AT] = int(time.time()) - 3600
    session.save()
    erase = reverse("partners:contact_erase", kwargs={"slug": "alpha", "pk": contact.pk})
    response = client.post(erase, {"confirm": "erase"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("confirm_password"))
    assert contact.__class__.objects.filter(pk=contact.pk).exists()
    confirm = client.post(
        response["Location"], {"password": "wrong", "next": erase}
    )  # a wrong password changes nothing
    assert b"That is not your password" in confirm.content
    confirm = client.post(
        reverse("confirm_password"), {"password": "correct horse battery", "next": erase}
    )
    assert confirm["Location"] == erase
    assert client.post(erase, {"confirm": "erase"}).status_code == 302
    assert not contact.__class__.objects.filter(pk=contact.pk).exists()
    assert any(r.getMessage().startswith("contact.erased") for r in caplog.records)


def test_contact_export_asks_for_the_password_again_when_it_is_not_recent(affiliate_a, manager):
    client = Client()
    client.force_login(manager)
    session = client.session
    session[PASSWORD_AT] = int(time.time()) - 3600
    session.save()
    export = reverse("partners:contact_export", kwargs={"slug": "alpha"}) + "?format=csv"
    assert client.get(export)["Location"].startswith(reverse("confirm_password"))


def test_the_submitted_audit_event_keeps_no_partner_text(db):
    request = help_request(partner="Museo Secreto de Chillán")
    event = AuditEvent.objects.get(action="help_request.submitted", target_id=request.pk)
    assert "Secreto" not in event.target_repr + str(event.changes)
    assert event.target_repr == request.reference


def test_finished_tasks_are_pruned_after_their_retention(settings):
    settings.HUB_TASK_RESULT_RETENTION_DAYS = 3
    send_mail_task.enqueue("Old", "an old body with an address", ["a@example.org"])
    send_mail_task.enqueue("New", "a new body", ["b@example.org"])
    send_mail_task.enqueue("Waiting", "not sent yet", ["c@example.org"])
    old, new, waiting = DBTaskResult.objects.order_by("enqueued_at")
    now = timezone.now()
    DBTaskResult.objects.filter(pk__in=[old.pk, new.pk]).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now
    )
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=now - dt.timedelta(days=4))
    assert prune_finished_tasks() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {new.pk, waiting.pk}


# --- requests, sessions and headers ----------------------------------------------------------


@pytest.mark.parametrize("name", ["login", "helpdesk:request_new"])
def test_an_oversized_anonymous_post_is_refused_unread(name, settings):
    settings.HUB_MAX_REQUEST_BYTES = 1000
    response = Client(enforce_csrf_checks=True).post(
        reverse(name), {"text": "x" * 5000}, HTTP_CONTENT_LENGTH="200000000"
    )
    assert response.status_code == 413


def test_the_upload_pages_keep_their_own_larger_cap(client_a, affiliate_a, settings):
    settings.HUB_MAX_REQUEST_BYTES = 1000
    upload = reverse("partners:import_upload", kwargs={"slug": "alpha"})
    assert client_a.post(upload, {"note": "x" * 5000}).status_code != 413


def test_signed_in_pages_are_not_stored_by_caches(client_a):
    response = client_a.get(reverse("partners:my_work", kwargs={"slug": "alpha"}))
    assert "no-store" in response["Cache-Control"]


def test_an_idle_session_ends(client_a, settings):
    settings.HUB_SESSION_IDLE_SECONDS = 600
    page = reverse("partners:my_work", kwargs={"slug": "alpha"})
    assert client_a.get(page).status_code == 200
    session = client_a.session
    session[LAST_SEEN] = int(time.time()) - 601
    session.save()
    assert client_a.get(page).status_code == 302


def test_the_password_can_be_changed_from_the_account_page(client_a, member_a):
    assert reverse("password_change") in client_a.get(reverse("account")).content.decode()
    response = client_a.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert client_a.get(reverse("account")).status_code == 200  # still signed in
    assert Client().login(username="alice", password="a brand new passphrase")


def test_https_settings_come_from_the_environment():
    out = _settings_in_a_fresh_process(
        HUB_SECRET_KEY="k" * 50,
        HUB_WIKIMEDIA_CONTACT="ops@example.org",
        HUB_SECURE_HSTS_SECONDS="31536000",
        HUB_SECURE_SSL_REDIRECT="1",
        HUB_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    assert out == "False 31536000 True ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_help_request_is_named_by_its_reference(db):
    request = help_request(partner="Museo")
    assert str(HelpRequest.objects.get(pk=request.pk)) == f"HD-{request.pk}"
