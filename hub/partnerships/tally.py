"""An affiliate's whole dashboard: counted once, then kept current by the services.

Counting the dashboard reads every partnership, main partner and contribution of the
affiliate: 100 to 140 ms at 10,000 partnerships on a small machine, paid by whoever looks
first after any change. Most changes touch one partnership, so the services that change what
the dashboard counts (a partnership's stage, goals, dates, partners, label or archiving; its
activities, which move its strategic label; its contributions; an organisation's type or
region) are wrapped in ``follows``: inside the change's transaction it reads what the
dashboard counts of the partnerships concerned (their *facts*) before and after the change,
and moves the kept counts (``DashboardCounts``) by the difference.

The kept counts are derived data. They are counted afresh (``current``) when there are none,
and when the last full count is older than RECOUNT_SECONDS, which bounds what a change outside
the services (the admin site, a bulk update) leaves behind; the nightly score refresh drops
them (``forget``). Only the whole board is kept: a filtered board is counted as before. Money
is kept per currency; converting it at each view means a new rate needs no recount.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.db import transaction
from django.db.models import Case, ExpressionWrapper, IntegerField, Value, When
from django.utils import timezone

from hub.core.dbfunctions import DateYear
from hub.core.models import Affiliate
from hub.partnerships import money
from hub.partnerships.models import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    Contribution,
    DashboardCounts,
    Partnership,
    PartnershipPartner,
)

if TYPE_CHECKING:  # reports builds on the services, which build on this module
    from hub.partnerships.reports import Counts

RECOUNT_SECONDS = 600
_GOALS: list[str] = [str(goal) for goal in GOAL_FIELDS]
_GIVES: list[str] = [str(kind) for kind in CONTRIBUTION_FIELDS]
# A partnership's yes/no facts in one integer: bit 0 strategic, then the goals, then what the
# partners give.
_STRATEGIC_BIT = 1
_GOAL_BITS: dict[str, int] = {goal: 1 << (1 + n) for n, goal in enumerate(_GOALS)}
_GIVE_BITS: dict[str, int] = {kind: 1 << (1 + len(_GOALS) + n) for n, kind in enumerate(_GIVES)}


class Fact(NamedTuple):
    """What the dashboard counts of one live partnership."""

    year: int | None
    stage: str
    flags: int  # _STRATEGIC_BIT, _GOAL_BITS, _GIVE_BITS
    types: tuple[str, ...]  # of its main partners
    regions: tuple[str | None, ...]  # of its main partners
    money: tuple[tuple[str, str, int, Decimal], ...]  # (kind, currency, year, sum)


def facts(affiliate_id: int, ids: Iterable[int]) -> dict[int, Fact]:
    """Return the facts of those of these partnerships that are the affiliate's and live,
    in three queries: the partnerships, their main partners, their contribution sums."""
    ids = list(ids)
    if not ids:
        return {}
    live = Partnership.objects.filter(affiliate_id=affiliate_id, archived_at=None, pk__in=ids)
    bits = [("is_strategic", _STRATEGIC_BIT)]
    bits += [(GOAL_FIELDS[g], b) for g, b in _GOAL_BITS.items()]  # type: ignore[index]
    bits += [(CONTRIBUTION_FIELDS[k], b) for k, b in _GIVE_BITS.items()]  # type: ignore[index]
    flags = sum(
        (Case(When(**{column: True}, then=Value(bit)), default=Value(0)) for column, bit in bits),
        start=Value(0),
    )
    rows = (
        live.order_by()
        .annotate(year=DateYear("start_date"), flags=ExpressionWrapper(flags, IntegerField()))
        .values_list("pk", "year", "stage", "flags")
    )
    types: dict[int, set[str]] = {}
    regions: dict[int, set[str | None]] = {}
    for pid, partner_type, region in (
        PartnershipPartner.objects.filter(role=PartnershipPartner.Role.MAIN, partnership_id__in=ids)
        .order_by()
        .values_list("partnership_id", "organisation__partner_type", "organisation__region")
        .distinct()
    ):
        types.setdefault(pid, set()).add(partner_type)
        regions.setdefault(pid, set()).add(region)
    sums: dict[int, list[tuple[str, str, int, Decimal]]] = {}
    given = Contribution.objects.filter(partnership_id__in=ids)
    for row in money.grouped_sums(given, "partnership_id", "kind"):
        sums.setdefault(row["partnership_id"], []).append(
            (row["kind"], row["currency"], row["year"], row["total"])
        )
    return {
        pid: Fact(
            year,
            stage,
            bitmask,
            tuple(sorted(types.get(pid, ()))),
            tuple(sorted(regions.get(pid, ()), key=lambda r: r or "")),
            tuple(sorted(sums.get(pid, ()))),
        )
        for pid, year, stage, bitmask in rows
    }


def _counts(**fields: Any) -> Counts:
    from hub.partnerships.reports import Counts

    return Counts(**fields)


@dataclass
class Tally:
    """Counts that facts can enter and leave, kept as JSON between changes."""

    counts: Counts = field(default_factory=_counts)

    def add(self, fact: Fact, sign: int = 1) -> None:
        """Count a partnership in (sign 1) or out (sign -1)."""
        c = self.counts
        c.total += sign
        if fact.flags & _STRATEGIC_BIT:
            c.strategic += sign
        c.with_main += sign * bool(fact.types)
        c.stages[fact.stage] += sign
        c.years[fact.year] += sign
        for goal, bit in _GOAL_BITS.items():
            if fact.flags & bit:
                c.goals[goal] += sign
        for kind, bit in _GIVE_BITS.items():
            if fact.flags & bit:
                c.gives[kind] += sign
        for partner_type in fact.types:
            c.types[partner_type] += sign
        for region in fact.regions:
            c.regions[region] += sign
        rows = {(r["kind"], r["currency"], r["year"]): r for r in c.money_rows}
        for kind, currency, year, amount in fact.money:
            row = rows.get((kind, currency, year))
            if row is None:
                row = rows[(kind, currency, year)] = {
                    "kind": kind,
                    "currency": currency,
                    "year": year,
                    "total": Decimal(0),
                    "n": 0,
                }
            row["total"] += amount if sign > 0 else -amount
            row["n"] += sign
        c.money_rows = [r for _key, r in sorted(rows.items()) if r["n"]]

    def shown(self) -> Counts:
        """Return the counts with the zeros a grouped count would not have."""

        def positive(counter: Counter[Any]) -> Counter[Any]:
            return Counter({k: n for k, n in counter.items() if n})

        c = self.counts
        return _counts(
            total=c.total,
            strategic=c.strategic,
            with_main=c.with_main,
            stages=positive(c.stages),
            types=positive(c.types),
            regions=positive(c.regions),
            goals=positive(c.goals),
            gives=positive(c.gives),
            years=positive(c.years),
            money_rows=[dict(r) for r in c.money_rows],
        )

    def to_json(self) -> dict[str, Any]:
        c = self.counts
        return {
            "total": c.total,
            "strategic": c.strategic,
            "with_main": c.with_main,
            # Lists of pairs: JSON objects cannot have null keys (no region, no start date).
            **{
                name: list(getattr(c, name).items())
                for name in ("stages", "types", "regions", "goals", "gives", "years")
            },
            "money": [
                [r["kind"], r["currency"], r["year"], str(r["total"]), r["n"]] for r in c.money_rows
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        counts = _counts(
            total=data["total"],
            strategic=data["strategic"],
            with_main=data["with_main"],
            **{
                name: Counter({key: n for key, n in data[name]})
                for name in ("stages", "types", "regions", "goals", "gives", "years")
            },
            money_rows=[
                {"kind": k, "currency": c, "year": y, "total": Decimal(t), "n": n}
                for k, c, y, t, n in data["money"]
            ],
        )
        return cls(counts)


def _lock(affiliate_id: int) -> None:
    """Serialise counting and following for one affiliate (a row lock on PostgreSQL; SQLite's
    immediate transactions already run one writer at a time)."""
    list(Affiliate.objects.select_for_update().filter(pk=affiliate_id).values_list("pk"))


def current(affiliate: Affiliate) -> Counts:
    """Return the affiliate's whole-dashboard counts: kept, or counted afresh and kept."""
    fresh_since = timezone.now() - dt.timedelta(seconds=RECOUNT_SECONDS)
    kept = DashboardCounts.objects.filter(affiliate=affiliate, counted_at__gte=fresh_since).first()
    if kept is not None:
        return Tally.from_json(kept.data).shown()
    with transaction.atomic():
        _lock(affiliate.pk)
        from hub.partnerships import reports

        counts = reports.count(reports.ReportFilters(), affiliate=affiliate)
        DashboardCounts.objects.update_or_create(
            affiliate=affiliate,
            defaults={"data": Tally(counts).to_json(), "counted_at": timezone.now()},
        )
    return counts


def forget(affiliate: Affiliate | None = None) -> None:
    """Drop the kept counts (of one affiliate, or all): the next view counts afresh."""
    kept = DashboardCounts.objects.all()
    (kept if affiliate is None else kept.filter(affiliate=affiliate)).delete()


Service = TypeVar("Service", bound=Callable[..., Any])


def follows(
    concerned: Callable[[dict[str, Any]], tuple[int, list[int]]],
    *,
    created: bool = False,
) -> Callable[[Service], Service]:
    """Wrap a service so that the kept counts follow its change.

    ``concerned(kwargs)`` returns the affiliate's id and the partnerships the change may move;
    ``created``: the service returns a new partnership, which is counted in after it.
    """

    def decorator(service: Service) -> Service:
        @functools.wraps(service)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            affiliate_id, ids = concerned(kwargs)
            if getattr(_following, "depth", 0):
                # One followed service calling another: the outer one's "before" would miss
                # the inner change, so the kept counts are dropped and counted afresh.
                result = service(*args, **kwargs)
                DashboardCounts.objects.filter(affiliate_id=affiliate_id).delete()
                return result
            _following.depth = 1
            try:
                return _follow(service, affiliate_id, ids, created, args, kwargs)
            finally:
                _following.depth = 0

        return wrapped  # type: ignore[return-value]

    return decorator


_following = threading.local()


def _follow(
    service: Callable[..., Any],
    affiliate_id: int,
    ids: list[int],
    created: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """Run the service in a transaction and move the kept counts by what it changed."""
    with transaction.atomic():
        _lock(affiliate_id)
        kept = (
            DashboardCounts.objects.filter(affiliate_id=affiliate_id)
            .only("affiliate_id", "data")
            .first()
        )
        before = facts(affiliate_id, ids) if kept is not None else {}
        result = service(*args, **kwargs)
        if kept is not None:
            moved = set(ids) | ({result.pk} if created else set())
            after = facts(affiliate_id, moved)
            tally = Tally.from_json(kept.data)
            for pid in moved:
                if pid in before:
                    tally.add(before[pid], -1)
                if pid in after:
                    tally.add(after[pid])
            # An update, not a save: a followed service called inside may have dropped the row.
            DashboardCounts.objects.filter(affiliate_id=affiliate_id).update(data=tally.to_json())
        return result


def of_partnership(kwargs: dict[str, Any]) -> tuple[int, list[int]]:
    """``follows``' concerned partnership for a service given a ``partnership``."""
    partnership = kwargs["partnership"]
    return partnership.affiliate_id, [partnership.pk]


def of_item(name: str) -> Callable[[dict[str, Any]], tuple[int, list[int]]]:
    """``follows``' concerned partnership for a service given an activity or contribution."""

    def concerned(kwargs: dict[str, Any]) -> tuple[int, list[int]]:
        item = kwargs[name]
        affiliate_id = (
            Partnership.objects.filter(pk=item.partnership_id)
            .values_list("affiliate_id", flat=True)
            .get()
        )
        return affiliate_id, [item.partnership_id]

    return concerned


def of_organisations(*names: str) -> Callable[[dict[str, Any]], tuple[int, list[int]]]:
    """``follows``' concerned partnerships for a service given organisations: every
    partnership they take part in (their type and region count for the main partners)."""

    def concerned(kwargs: dict[str, Any]) -> tuple[int, list[int]]:
        organisations = [kwargs[name] for name in names]
        ids = PartnershipPartner.objects.filter(
            organisation__in=[o.pk for o in organisations]
        ).values_list("partnership_id", flat=True)
        return organisations[0].affiliate_id, sorted(set(ids))

    return concerned
