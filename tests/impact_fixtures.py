"""What the impact page tests share: a sample world, a partnership, a refreshed category link."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from hub.impact import services
from hub.impact.models import ContentLink
from hub.impact.refresh import run_refresh
from tests import factories, impact_source
from tests.impact_source import CATEGORY, sample_world

TODAY = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = ["none"]
    data = sample_world()
    monkeypatch.setattr(impact_source, "WORLD", data)
    return data


@pytest.fixture
def partnership(affiliate_a: Any, member_a: Any) -> Any:
    org = factories.organisation(affiliate_a, actor=member_a, name="Nordic Museum")
    return factories.partnership(
        affiliate_a, actor=member_a, partners=[(org, "main")], title="Nordic Museum images"
    )


def impact_url(name: str, partnership: Any, **kwargs: Any) -> str:
    """Return the address of an impact page of a partnership of affiliate A ("alpha")."""
    return reverse(f"impact:{name}", kwargs={"slug": "alpha", "pk": partnership.pk, **kwargs})


@pytest.fixture
def refreshed(world: dict[str, Any], partnership: Any, member_a: Any) -> ContentLink:
    """Return a category link of the partnership, refreshed on TODAY."""
    with time_machine.travel(TODAY, tick=False):
        link = services.add_content_link(
            actor=member_a,
            partnership=partnership,
            kind="commons_category",
            target=CATEGORY,
            depth=1,
        )
        run = services.request_refresh(actor=member_a, link=link)
        run_refresh(run_id=run.pk)
    link.refresh_from_db()
    return link


def pdf_text(pdf: bytes) -> str:
    """Return the words a reader sees in a PDF, lines joined by spaces (pypdf extracts them
    through each font's ToUnicode map; the Hub's PDFs embed DejaVu Sans)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
