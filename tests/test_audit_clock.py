"""The audit clock: the caches keyed on audit stamps see every committed change, even when
two transactions of one affiliate commit in the other order than their events' ids."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from hub.core import audit
from hub.core.models import AuditClock, AuditEvent
from tests import factories


def _clock(owner: int) -> int:
    found = AuditClock.objects.filter(owner=owner).values_list("serial", flat=True).first()
    return found or 0


def _record(affiliate: Any, action: str = "test.changed") -> Any:
    return audit.record(actor=None, affiliate=affiliate, action=action, target=affiliate)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_moves_its_affiliates_clock_once_on_commit() -> None:
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha")
    before, hub_before = _clock(affiliate.pk), _clock(-1)
    with transaction.atomic():
        for _ in range(5):
            _record(affiliate)
        assert _clock(affiliate.pk) == before  # not before the commit
    assert _clock(affiliate.pk) == before + 1
    assert _clock(-1) == hub_before + 1  # every event of the hub moves the hub's clock


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_clock() -> None:
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha")
    before = _clock(affiliate.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(affiliate)
        raise RuntimeError
    assert _clock(affiliate.pk) == before


@pytest.mark.django_db(transaction=True)
def test_an_event_after_a_rolled_back_savepoint_still_moves_the_clock() -> None:
    """The bump waiting from inside a savepoint goes with it; the next event asks again."""
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha")
    before = _clock(affiliate.pk)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _record(affiliate)
            raise RuntimeError
        _record(affiliate)
        with transaction.atomic():  # a savepoint kept: the bump already waiting serves
            _record(affiliate)
    assert _clock(affiliate.pk) == before + 1


@pytest.mark.django_db(transaction=True)
def test_hub_wide_events_and_other_affiliates_have_their_own_clocks() -> None:
    alpha = factories.affiliate(name="Wikimedia Alpha", slug="alpha")
    beta = factories.affiliate(name="Wikimedia Beta", slug="beta")
    stamps = (audit.affiliate_and_hub_stamp(alpha), audit.latest_stamp(beta))
    with transaction.atomic():
        audit.record(actor=None, affiliate=None, action="test.hub_wide", target=alpha)
    assert audit.affiliate_and_hub_stamp(alpha) != stamps[0]  # hub-wide changes reach alpha
    assert audit.latest_stamp(beta) == stamps[1]
    before = audit.latest_stamp(None)
    _record(beta)  # outside a transaction: at once
    assert audit.latest_stamp(beta) != stamps[1]
    assert audit.latest_stamp(None) != before


@pytest.mark.django_db(transaction=True)
def test_a_clock_that_cannot_move_does_not_undo_or_fail_the_change(monkeypatch: Any) -> None:
    """The change is committed before the clock moves: a failing bump is logged, not raised."""
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha")

    def broken(owner: int) -> None:
        raise RuntimeError("the clock's table is locked")

    monkeypatch.setattr(audit, "_TICKS", {})
    monkeypatch.setattr(audit, "_tick", broken)
    with transaction.atomic():
        event = _record(affiliate)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    event = _record(affiliate)  # outside a transaction: the same
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_a_newer_one_still_changes_the_stamp() -> None:
    """Two people of one affiliate save at once; the one who started first commits last. A
    page kept under the stamp read between the two commits must not be served after both."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: ids follow commits")
    affiliate = factories.affiliate(name="Wikimedia Alpha", slug="alpha")
    recorded, release = threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def first_writer() -> None:
        try:
            with transaction.atomic():
                ids["first"] = _record(affiliate).pk
                recorded.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=first_writer)
    writer.start()
    try:
        assert recorded.wait(timeout=10)
        ids["second"] = _record(affiliate).pk  # committed at once, with the newer id
        between = (audit.affiliate_and_hub_stamp(affiliate), audit.latest_stamp(affiliate))
    finally:
        release.set()
        writer.join(timeout=10)
    assert ids["first"] < ids["second"]
    after = (audit.affiliate_and_hub_stamp(affiliate), audit.latest_stamp(affiliate))
    assert after[0] != between[0]
    assert after[1] != between[1]
