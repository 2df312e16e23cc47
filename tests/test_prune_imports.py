"""Unconfirmed imports are deleted after a while; confirmed and recent ones stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hub.partners import imports
from hub.partners.models import ImportBatch

pytestmark = pytest.mark.django_db


def test_prune_deletes_only_old_unconfirmed_batches(affiliate_a, member_a):
    table = imports.read_bytes(b"Organisation\nX\n", "p.csv")
    old = imports.create_batch(actor=member_a, affiliate=affiliate_a, table=table)
    recent = imports.create_batch(actor=member_a, affiliate=affiliate_a, table=table)
    applied = imports.create_batch(actor=member_a, affiliate=affiliate_a, table=table)
    imports.apply_batch(actor=member_a, batch=applied)
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    ImportBatch.objects.filter(pk__in=[old.pk, applied.pk]).update(created_at=ten_days_ago)
    out = StringIO()
    call_command("prune_imports", stdout=out)
    assert "Deleted 1 unconfirmed import" in out.getvalue()
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {recent.pk, applied.pk}
