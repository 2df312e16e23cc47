"""The showcase's figures come from impact's per-partnership totals: they must always equal the
sums over the links themselves, after a refresh, a removed link, an unpublished partnership,
a killed refresh and a rebuild from scratch."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from hub.impact import refresh, services
from hub.impact.figures import read_totals
from hub.impact.models import ContentLink, MetricPoint, PartnershipTotals
from hub.impact.refresh import run_refresh
from hub.partnerships import services as partnership_services
from tests import factories, impact_source
from tests.impact_source import CATEGORY, sample_world

pytestmark = pytest.mark.django_db
# Mid-December: the views of January to November 2026 count as this year's.
TODAY = dt.datetime(2026, 12, 15, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    settings.HUB_IMPACT_SOURCE = "tests.impact_source.RecordedSource"
    settings.HUB_IMPACT_CIM_CATEGORIES = []
    data = sample_world()
    monkeypatch.setattr(impact_source, "WORLD", data)
    return data


def _published(affiliate: Any, actor: Any, title: str) -> Any:
    partner = factories.organisation(affiliate, actor=actor, name=f"Partner of {title}")
    return factories.partnership(
        affiliate, actor=actor, title=title, partners=[(partner, "main")], visibility="published"
    )


def _link(partnership: Any, actor: Any, target: str = CATEGORY, depth: int = 1) -> ContentLink:
    return services.add_content_link(
        actor=actor,
        partnership=partnership,
        kind=ContentLink.Kind.COMMONS_CATEGORY,
        target=target,
        depth=depth,
    )


def _refresh(link: ContentLink) -> None:
    run = services.request_refresh(actor=None, link=link)
    run_refresh(run_id=run.pk)


def _sums_from_links(partnerships: list[Any]) -> dict[str, int]:
    """Add up the links' own newest figures and this year's views: what the showcase says."""
    links = ContentLink.objects.filter(partnership__in=partnerships)
    files = [link.latest["files_deep"]["value"] for link in links if "files_deep" in link.latest]
    views = MetricPoint.objects.filter(
        link__in=links, metric="views", month__year=TODAY.year
    ).aggregate(total=Sum("value"))["total"]
    found = {}
    if files:
        found["files_deep"] = sum(files)
    if views is not None:
        found["views"] = views
    return found


def _shown(page: str) -> dict[str, int]:
    """Return the files and views figures a page shows, by key."""
    found = {}
    for key, label in (("files_deep", "Files with subcategories"), ("views", "Page views in")):
        match = re.search(rf"<strong>([\d,]+)</strong> {label}", page)
        if match:
            found[key] = int(match.group(1).replace(",", ""))
    return found


def _headline() -> dict[str, int]:
    page = Client().get(reverse("showcase:showcase")).content.decode()
    return _shown(page.split('id="figures-h"')[1].split("</section>")[0])


def _public_page(partnership: Any) -> dict[str, int]:
    url = reverse("showcase:partnership", kwargs={"pk": partnership.pk})
    return _shown(Client().get(url).content.decode())


@time_machine.travel(TODAY, tick=False)
def test_showcase_figures_equal_the_links_sums_through_refresh_unlink_and_unpublish(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, affiliate_b: Any, member_b: Any
) -> None:
    museum = _published(affiliate_a, member_a, "Nordic photographs")
    archive = _published(affiliate_b, member_b, "Archive scans")
    museum_links = [_link(museum, member_a), _link(museum, member_a, depth=0)]
    archive_link = _link(archive, member_b)
    assert _headline() == {}  # linked, not yet counted: no figure rather than zero

    for link in [*museum_links, archive_link]:
        _refresh(link)
    both = _sums_from_links([museum, archive])
    assert both["files_deep"] == 150 + 120 + 150 and both["views"] > 0
    assert _headline() == both
    assert _public_page(museum) == _sums_from_links([museum])

    _refresh(museum_links[0])  # counted again: replaced, not added
    assert _headline() == both

    services.remove_content_link(actor=member_a, link=museum_links[1])
    assert _headline() == _sums_from_links([museum, archive])
    assert _public_page(museum) == _sums_from_links([museum])

    partnership_services.update_partnership(
        actor=member_b, partnership=archive, visibility="private"
    )
    assert _headline() == _sums_from_links([museum])

    services.remove_content_link(actor=member_a, link=museum_links[0])
    assert _headline() == {}
    assert not PartnershipTotals.objects.filter(partnership=museum).exists()


@time_machine.travel(TODAY, tick=False)
def test_a_refresh_killed_while_writing_leaves_the_totals_as_they_were(
    world: dict[str, Any], affiliate_a: Any, member_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    museum = _published(affiliate_a, member_a, "Nordic photographs")
    first = _link(museum, member_a)
    _refresh(first)
    before = _headline()
    second = _link(museum, member_a, depth=0)

    def killed(**_kwargs: Any) -> None:
        raise KeyboardInterrupt  # the worker dies after the totals were rewritten

    run = services.request_refresh(actor=None, link=second)
    monkeypatch.setattr(refresh.audit, "record", killed)
    with pytest.raises(KeyboardInterrupt):
        run_refresh(run_id=run.pk)
    monkeypatch.undo()

    assert _headline() == before == _sums_from_links([museum])
    run_refresh(run_id=run.pk)  # the worker's next attempt finishes it
    assert _headline() == _sums_from_links([museum])
    assert _headline()["files_deep"] == 150 + 120


@time_machine.travel(TODAY, tick=False)
def test_the_rebuild_command_writes_what_the_refreshes_kept(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    museum = _published(affiliate_a, member_a, "Nordic photographs")
    _refresh(_link(museum, member_a))
    kept = [_without_time(row) for row in PartnershipTotals.objects.values()]
    PartnershipTotals.objects.all().delete()

    call_command("rebuild_impact_totals", stdout=None)

    rebuilt = [_without_time(row) for row in PartnershipTotals.objects.values()]
    assert rebuilt == kept and kept[0]["files_deep"] == 150


def _without_time(row: Any) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "updated_at"}


@time_machine.travel(TODAY, tick=False)
def test_the_totals_are_read_as_the_orm_reads_them(
    world: dict[str, Any], affiliate_a: Any, member_a: Any
) -> None:
    # impact.figures.read_totals is written out (hub.core.sqlrows) for the partner portal; it
    # must read the rows PartnershipTotals' queryset reads, each column as the ORM gives it.
    museum = _published(affiliate_a, member_a, "Nordic photographs")
    uncounted = _published(affiliate_a, member_a, "Not counted yet")
    _link(uncounted, member_a)
    for link in (_link(museum, member_a), _link(museum, member_a, depth=0)):
        _refresh(link)
    ids = [museum.pk, uncounted.pk]
    expected = {t.pk: t for t in PartnershipTotals.objects.filter(partnership_id__in=ids)}
    found = {t.pk: t for t in read_totals(ids)}
    assert set(found) == set(expected) and museum.pk in found

    def read(totals: PartnershipTotals) -> list[tuple[str, type, Any]]:
        return [
            (f.attname, type(getattr(totals, f.attname)), getattr(totals, f.attname))
            for f in PartnershipTotals._meta.concrete_fields
        ]

    for pk, totals in expected.items():
        assert read(found[pk]) == read(totals)
    types = {name: kind for name, kind, _ in read(found[museum.pk])}
    assert types["views_as_of"] is dt.date  # a date, as the ORM gives it (not SQLite's text)
    assert read_totals([]) == []
