"""The periodic partner update e-mail: once per period, in the contact's language, opt-out and
do-not-contact honoured, by the scheduled job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from hub.core.models import ScheduledJob
from hub.core.schedule import Scheduler, find
from hub.partners.models import Contact
from hub.surveys.mailing import opted_out
from hub.surveys.models import OptOut, PartnerUpdates, UpdateDelivery
from hub.surveys.portal import services
from hub.surveys.portal.tokens import opt_out_token
from hub.surveys.portal.updates import period_of, send_due_updates
from tests import factories
from tests.catalogue_fixtures import FRENCH, shipped, write_catalogue

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _at(y: int, m: int, d: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=UTC)


@pytest.fixture
def partner(affiliate_a: Any, member_a: Any) -> dict[str, Any]:
    org = factories.organisation(affiliate_a, actor=member_a, name="Museo Partner")
    ada = factories.contact(org, actor=member_a, name="Ada Curator", emails="ada@museo.example")
    partnership = factories.partnership(
        affiliate_a,
        actor=member_a,
        title="Museo on Commons",
        partners=[(org, "main")],
        stage="active",
    )
    services.set_update_frequency(actor=member_a, organisation=org, frequency="monthly")
    return {"org": org, "ada": ada, "partnership": partnership}


def _mails() -> list[tuple[str, str, list[str]]]:
    return [tuple(r.args_kwargs["args"]) for r in DBTaskResult.objects.order_by("enqueued_at")]  # type: ignore[misc]


def _run(now: dt.datetime, capture: Any) -> int:
    with time_machine.travel(now, tick=False), capture(execute=True):
        return send_due_updates()


def test_periods():
    assert period_of("monthly", dt.date(2026, 12, 31)) == "2026-12"
    assert period_of("quarterly", dt.date(2026, 12, 31)) == "2026-Q4"
    assert period_of("quarterly", dt.date(2027, 1, 1)) == "2027-Q1"


def test_monthly_update_goes_once_per_month(partner, member_a, django_capture_on_commit_callbacks):
    from hub.partnerships.activities import services as activities

    activities.create_activity(
        actor=member_a,
        partnership=partner["partnership"],
        kind="meeting",
        title="Edit-a-thon",
        starts_on=dt.date(2027, 1, 20),
    )
    services.create_portal_link(actor=member_a, organisation=partner["org"])
    assert _run(_at(2026, 12, 5), django_capture_on_commit_callbacks) == 1
    ((subject, body, to),) = _mails()
    assert to == ["ada@museo.example"]
    assert "Wikimedia Alpha" in subject
    assert "Dear Ada Curator" in body and "Edit-a-thon" in body
    assert "/p/" in body and "/p/updates/stop/" in body
    # Again the same day, later that month: nothing more.
    assert _run(_at(2026, 12, 5, 9), django_capture_on_commit_callbacks) == 0
    assert _run(_at(2026, 12, 28), django_capture_on_commit_callbacks) == 0
    # The next month: the next one.
    assert _run(_at(2027, 1, 1), django_capture_on_commit_callbacks) == 1
    assert len(_mails()) == 2
    assert UpdateDelivery.objects.count() == 2
    setting = PartnerUpdates.objects.get()
    assert setting.last_period == "2027-01"


def test_quarterly_update_waits_for_the_next_quarter(
    partner, member_a, django_capture_on_commit_callbacks
):
    services.set_update_frequency(
        actor=member_a, organisation=partner["org"], frequency="quarterly"
    )
    assert _run(_at(2026, 10, 2), django_capture_on_commit_callbacks) == 1
    for month in (11, 12):
        assert _run(_at(2026, month, 1), django_capture_on_commit_callbacks) == 0
    assert _run(_at(2027, 1, 1), django_capture_on_commit_callbacks) == 1


def test_never_sends_nothing(partner, member_a, django_capture_on_commit_callbacks):
    services.set_update_frequency(actor=member_a, organisation=partner["org"], frequency="never")
    assert _run(_at(2026, 12, 5), django_capture_on_commit_callbacks) == 0
    assert not DBTaskResult.objects.exists()


def test_a_claimed_period_is_not_sent_twice_even_if_asked_again(
    partner, django_capture_on_commit_callbacks
):
    from hub.surveys.portal.updates import send_update

    setting = PartnerUpdates.objects.get()
    with (
        time_machine.travel(_at(2026, 12, 5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_update(setting.pk, period="2026-12") == 1
        assert send_update(setting.pk, period="2026-12") == 0
    assert len(_mails()) == 1


def test_new_figures_since_the_last_update_are_told(partner, django_capture_on_commit_callbacks):
    from hub.partnerships.slots import PARTNERSHIP_FIGURES, Figure

    value = {"n": 100}

    def provider(partnerships):
        return {
            p.pk: [Figure("files in use", value["n"], "Commons", None, "files_in_use")]
            for p in partnerships
        }

    PARTNERSHIP_FIGURES.register(provider)
    try:
        _run(_at(2026, 12, 5), django_capture_on_commit_callbacks)
        value["n"] = 130
        _run(_at(2027, 1, 5), django_capture_on_commit_callbacks)
    finally:
        PARTNERSHIP_FIGURES._items.remove(provider)  # type: ignore[attr-defined]
    first, second = (body for _s, body, _to in _mails())
    assert "files in use 100" in first and "since the last update" not in first
    assert "files in use 130 (+30 since the last update)" in second


def test_do_not_contact_no_legal_basis_and_opted_out_get_nothing(
    partner, affiliate_a, member_a, django_capture_on_commit_callbacks
):
    org = partner["org"]
    factories.contact(
        org, actor=member_a, name="Dora", emails="dora@museo.example", do_not_contact=True
    )
    nobasis = factories.contact(org, actor=member_a, name="Nobby", emails="nobby@museo.example")
    Contact.objects.filter(pk=nobasis.pk).update(legal_basis="")
    factories.contact(org, actor=member_a, name="Olga", emails="olga@museo.example")
    from hub.surveys.mailing import opt_out

    opt_out(affiliate_a, "OLGA@museo.example", OptOut.Topic.UPDATES)
    _run(_at(2026, 12, 5), django_capture_on_commit_callbacks)
    assert [to for _s, _b, to in _mails()] == [["ada@museo.example"]]


def test_the_opt_out_link_stops_the_next_update(
    partner, affiliate_a, django_capture_on_commit_callbacks
):
    _run(_at(2026, 12, 5), django_capture_on_commit_callbacks)
    ((_s, body, _to),) = _mails()
    url = next(line for line in body.splitlines() if "/p/updates/stop/" in line)
    path = url[url.index("/p/") :]
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and b"Stop the update e-mails" in page.content
    assert not opted_out(
        affiliate_a, "ada@museo.example", OptOut.Topic.UPDATES
    )  # GET changes nothing
    done = client.post(path)
    assert b"no more partner update e-mails" in done.content
    assert opted_out(affiliate_a, "ada@museo.example", OptOut.Topic.UPDATES)
    assert not opted_out(affiliate_a, "ada@museo.example", OptOut.Topic.SURVEYS)
    assert _run(_at(2027, 1, 5), django_capture_on_commit_callbacks) == 0
    assert len(_mails()) == 1


def test_forged_opt_out_link_is_refused(partner):
    token = opt_out_token(partner["ada"])
    for bad in ("x", token[:-2] + "zz"):
        assert Client().post(f"/p/updates/stop/{bad}/").status_code == 404
    assert not OptOut.objects.exists()


def test_a_broken_address_gets_nothing_and_the_others_still_do(
    partner, member_a, django_capture_on_commit_callbacks
):
    broken = factories.contact(
        partner["org"], actor=member_a, name="Bert", emails="bert@museo.example"
    )
    # Written past the services (an old import): a control character inside the address.
    Contact.objects.filter(pk=broken.pk).update(emails="bert@museo.example\tBcc: x@evil.example")
    _run(_at(2026, 12, 5), django_capture_on_commit_callbacks)
    recipients = [to for _s, _b, to in _mails()]
    assert recipients == [["ada@museo.example"]]
    assert all("\n" not in subject and "\r" not in subject for subject, _b, _t in _mails())


def test_update_is_written_in_the_contacts_language(
    partner, member_a, tmp_path, django_capture_on_commit_callbacks
):
    entries = {
        **FRENCH,
        "News from %(affiliate)s about your partnership": "Des nouvelles de %(affiliate)s",
        "Dear %(name)s,": "Bonjour %(name)s,",
    }
    write_catalogue(tmp_path, "fr", entries)
    factories.contact(
        partner["org"],
        actor=member_a,
        name="Fanny",
        emails="fanny@museo.example",
        preferred_language="fr",
    )
    from django.utils import translation

    with shipped(tmp_path), translation.override("en"):
        _run(_at(2026, 12, 5), django_capture_on_commit_callbacks)
    by_to = {to[0]: (subject, body) for subject, body, to in _mails()}
    assert by_to["fanny@museo.example"][0] == "Des nouvelles de Wikimedia Alpha"
    assert "Bonjour Fanny," in by_to["fanny@museo.example"][1]
    assert by_to["ada@museo.example"][0].startswith("News from")


def test_the_scheduler_runs_the_job_daily_and_it_sends_once(
    partner, django_capture_on_commit_callbacks
):
    job = find("partner_updates")
    assert job is not None
    scheduler = Scheduler("test-worker", jobs=[job], queue=False)

    def tick(at: dt.datetime) -> list[str]:
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return scheduler.tick()

    assert tick(_at(2026, 12, 5, 6)) == ["partner_updates"]  # first start: at once
    assert tick(_at(2026, 12, 5, 7) + dt.timedelta(minutes=1)) == ["partner_updates"]
    assert tick(_at(2026, 12, 5, 9)) == []  # next run tomorrow at 07:00
    assert tick(_at(2026, 12, 6, 7) + dt.timedelta(minutes=1)) == ["partner_updates"]
    assert len(_mails()) == 1  # three runs in December, one update
    assert tick(_at(2027, 1, 1, 7) + dt.timedelta(minutes=1)) == ["partner_updates"]
    assert len(_mails()) == 2
    assert ScheduledJob.objects.get(name="partner_updates").last_outcome == "succeeded"


def test_member_sets_the_frequency_on_the_organisation_page(partner, client_a):
    from django.urls import reverse

    url = reverse("surveys:portal_updates_set", kwargs={"slug": "alpha", "pk": partner["org"].pk})
    client_a.post(url, {"frequency": "quarterly"})
    assert PartnerUpdates.objects.get().frequency == "quarterly"
    client_a.post(url, {"frequency": "weekly"})
    assert PartnerUpdates.objects.get().frequency == "quarterly"
