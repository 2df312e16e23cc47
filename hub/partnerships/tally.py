"""An affiliate's dashboard kept up to date one partnership at a time.

Counting the dashboard afresh reads every partnership, main partner and contribution of the
affiliate: 100 to 140 ms at 10,000 partnerships on a small machine. Most changes touch one
partnership (a stage, a goal, an activity, a contribution), so after a full count the board
keeps, in the shared cache, what it counted of each partnership (its *facts*). On the next
view, the audit events recorded since say which partnerships changed; their old facts leave
the counts, their new ones enter, and the rest stay as counted.

A full count happens again when an event may change partnerships it does not name (the
nightly score refresh, an import, anything unknown), when more than MAX_EVENTS happened, when
the facts are no longer in the cache, and at the latest DASHBOARD_CACHE_SECONDS after the last
full count, which also bounds what an edit outside the services (the admin site) leaves
behind. Exchange rates and the reporting currency need no recount: the counts keep each
currency's own sums and the board converts them on every update.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString

from hub.core.models import Affiliate, AuditEvent
from hub.partnerships import money, reports
from hub.partnerships.models import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    Contribution,
    Partnership,
    PartnershipPartner,
)

# Facts live in this many cache entries (by partnership id), so an update reads one of them.
FACT_CHUNKS = 16
# More events than this since the last view, or more partnerships changed since the last full
# count, and counting afresh is cheaper than following them.
MAX_EVENTS = 200
MAX_CHANGED = 500
# Events that change nothing the dashboard counts.
_IGNORED = (
    "task.",
    "reminder.",
    "contact.",
    "interaction.",
    "calendar_feed.",
    "impact.",
    "notifications.",
    "help_request.",
    "profile.",
    "working_group.",
    "committee.",
    "main_goal.",
)
# Events after which only the conversion changes: the board is assembled again, nothing counted.
_RATES = ("exchange_rate.", "affiliate.reporting_currency_changed")
_PARTNERSHIP = Partnership._meta.label_lower


class Fact(NamedTuple):
    """What the dashboard counts of one live partnership."""

    year: int | None
    stage: str
    strategic: bool
    goals: tuple[str, ...]
    gives: tuple[str, ...]
    types: tuple[str, ...]  # of its main partners
    regions: tuple[str | None, ...]  # of its main partners
    money: tuple[tuple[str, str, int, str], ...]  # (kind, currency, year, sum as text)


def _matches(fact: Fact, f: reports.ReportFilters) -> bool:
    """Return whether a partnership with these facts is on a board with these filters."""
    return (
        (not f.stage or fact.stage == f.stage)
        and (not f.partner_type or f.partner_type in fact.types)
        and (not f.region or f.region in fact.regions)
        and (not f.goal or f.goal in fact.goals)
        and (not f.contribution_type or f.contribution_type in fact.gives)
        and (not f.year or fact.year == f.year)
        and (not f.strategic or fact.strategic == (f.strategic == "yes"))
    )


@dataclass
class Tally:
    """Counts that facts can enter and leave; the dashboard's Counts on demand."""

    total: int = 0
    strategic: int = 0
    with_main: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    regions: Counter[str | None] = field(default_factory=Counter)
    goals: Counter[str] = field(default_factory=Counter)
    gives: Counter[str] = field(default_factory=Counter)
    years: Counter[int | None] = field(default_factory=Counter)
    money: dict[tuple[str, str, int], list[Any]] = field(default_factory=dict)

    def add(self, fact: Fact, sign: int = 1) -> None:
        """Count a partnership in (sign 1) or out (sign -1)."""
        self.total += sign
        self.strategic += sign * fact.strategic
        self.with_main += sign * bool(fact.types)
        self.stages[fact.stage] += sign
        self.years[fact.year] += sign
        for goal in fact.goals:
            self.goals[goal] += sign
        for kind in fact.gives:
            self.gives[kind] += sign
        for partner_type in fact.types:
            self.types[partner_type] += sign
        for region in fact.regions:
            self.regions[region] += sign
        for kind, currency, year, amount in fact.money:
            entry = self.money.setdefault((kind, currency, year), [Decimal(0), 0])
            entry[0] += sign * Decimal(amount)
            entry[1] += sign
            if not entry[1]:
                del self.money[(kind, currency, year)]

    def counts(self) -> reports.Counts:
        """Return the counts for reports.assemble (zeros dropped, as a grouped count has none)."""

        def positive(counter: Counter[Any]) -> Counter[Any]:
            return Counter({k: n for k, n in counter.items() if n > 0})

        return reports.Counts(
            total=self.total,
            strategic=self.strategic,
            with_main=self.with_main,
            stages=positive(self.stages),
            types=positive(self.types),
            regions=positive(self.regions),
            goals=positive(self.goals),
            gives=positive(self.gives),
            years=positive(self.years),
            money_rows=[
                {"kind": kind, "currency": currency, "year": year, "total": total, "n": n}
                for (kind, currency, year), (total, n) in sorted(self.money.items())
            ],
        )


def facts(affiliate: Affiliate, ids: Iterable[int] | None = None) -> dict[int, Fact]:
    """Return the facts of the affiliate's live partnerships (or of those among ids), in three
    queries: the partnerships, their main partners and their contribution sums."""
    live = Partnership.objects.filter(affiliate=affiliate, archived_at=None)
    mains = PartnershipPartner.objects.filter(
        role=PartnershipPartner.Role.MAIN, partnership__affiliate=affiliate
    )
    given = Contribution.objects.filter(partnership__affiliate=affiliate)
    if ids is not None:
        ids = list(ids)
        live, mains, given = (
            live.filter(pk__in=ids),
            mains.filter(partnership_id__in=ids),
            given.filter(partnership_id__in=ids),
        )
    goal_columns, give_columns = list(GOAL_FIELDS.values()), list(CONTRIBUTION_FIELDS.values())
    rows = live.order_by().values_list(
        "pk", "start_date", "stage", "is_strategic", *goal_columns, *give_columns
    )
    types: dict[int, set[str]] = {}
    regions: dict[int, set[str | None]] = {}
    for pid, partner_type, region in (
        mains.order_by()
        .values_list("partnership_id", "organisation__partner_type", "organisation__region")
        .distinct()
    ):
        types.setdefault(pid, set()).add(partner_type)
        regions.setdefault(pid, set()).add(region)
    sums: dict[int, list[tuple[str, str, int, str]]] = {}
    for row in money.grouped_sums(given, "partnership_id", "kind"):
        sums.setdefault(row["partnership_id"], []).append(
            (row["kind"], row["currency"], row["year"], str(row["total"]))
        )
    goals, gives = list(GOAL_FIELDS), list(CONTRIBUTION_FIELDS)
    n_goals = len(goals)
    out: dict[int, Fact] = {}
    for pid, start, stage, strategic, *flags in rows:
        out[pid] = Fact(
            year=start.year if start else None,
            stage=stage,
            strategic=strategic,
            goals=tuple(g for g, on in zip(goals, flags[:n_goals], strict=True) if on),
            gives=tuple(k for k, on in zip(gives, flags[n_goals:], strict=True) if on),
            types=tuple(sorted(types.get(pid, ()))),
            regions=tuple(sorted(regions.get(pid, ()), key=lambda r: r or "")),
            money=tuple(sorted(sums.get(pid, ()))),
        )
    return out


@dataclass
class Board:
    """A cached affiliate board: its counts, what they were counted from, and the drawn board."""

    event: tuple[int, float]  # the newest audit event counted (id, time)
    counted_at: float  # when the last full count ran (time.time())
    generation: str  # names the facts' cache entries of that full count
    tally: Tally
    changed: dict[int, Fact | None]  # facts of partnerships changed since that full count
    board: reports.Dashboard


def _newest(affiliate: Affiliate) -> tuple[int, float]:
    row = affiliate.audit_events.order_by("-id").values_list("id", "created_at").first()
    return (0, 0.0) if row is None else (row[0], row[1].timestamp())


def _chunk_key(affiliate: Affiliate, generation: str, chunk: int) -> str:
    return f"dashfacts:{affiliate.pk}:{generation}:{chunk}"


def _changed_since(affiliate: Affiliate, event: tuple[int, float]) -> set[int] | None:
    """Return the partnerships the events after ``event`` may have changed, or None when the
    board must be counted afresh."""
    if event[0] == 0:
        return None
    events = list(
        AuditEvent.objects.filter(affiliate=affiliate, id__gte=event[0])
        .order_by("id")
        .values_list("id", "created_at", "action", "target_type", "target_id")[: MAX_EVENTS + 2]
    )
    # The counted event must still be there, unchanged: ids can be reused after a deletion.
    if not events or (events[0][0], events[0][1].timestamp()) != event:
        return None
    if len(events) > MAX_EVENTS + 1:
        return None
    ids: set[int] = set()
    organisations: set[int] = set()
    for _id, _at, action, target_type, target_id in events[1:]:
        if target_type == _PARTNERSHIP and target_id is not None:
            ids.add(target_id)
        elif action.startswith("organisation.") and target_id is not None:
            organisations.add(target_id)  # its type or region, or merged partnerships
        elif not action.startswith(_IGNORED + _RATES):
            return None
    if organisations:
        ids.update(
            PartnershipPartner.objects.filter(
                organisation_id__in=organisations, partnership__affiliate=affiliate
            ).values_list("partnership_id", flat=True)
        )
    return ids


def _draw(entry: Board, draw: Callable[[reports.Dashboard], dict[str, SafeString]] | None) -> None:
    if draw is not None:
        entry.board.charts = draw(entry.board)


def _full(affiliate: Affiliate, filters: reports.ReportFilters, event: tuple[int, float]) -> Board:
    """Count the board afresh from every partnership's facts and keep the facts."""
    every = facts(affiliate)
    tally = Tally()
    for fact in every.values():
        if _matches(fact, filters):
            tally.add(fact)
    generation = uuid.uuid4().hex[:12]
    chunks: dict[str, dict[int, Fact]] = {
        _chunk_key(affiliate, generation, n): {} for n in range(FACT_CHUNKS)
    }
    for pid, fact in every.items():
        chunks[_chunk_key(affiliate, generation, pid % FACT_CHUNKS)][pid] = fact
    # The facts outlive the board by a little, so a board never finds its facts gone early.
    cache.set_many(chunks, reports.DASHBOARD_CACHE_SECONDS + 60)
    table = {affiliate.pk: money.rate_table(affiliate)}
    return Board(
        event=event,
        counted_at=time.time(),
        generation=generation,
        tally=tally,
        changed={},
        board=reports.assemble(tally.counts(), table),
    )


def _update(
    affiliate: Affiliate,
    filters: reports.ReportFilters,
    entry: Board,
    ids: set[int],
    event: tuple[int, float],
) -> Board | None:
    """Move the changed partnerships' facts out of and into the counts; None if the facts of
    the last full count are gone from the cache."""
    fresh = facts(affiliate, ids) if ids else {}
    unknown = [pid for pid in ids if pid not in entry.changed]
    keys = {_chunk_key(affiliate, entry.generation, pid % FACT_CHUNKS) for pid in unknown}
    stored = cache.get_many(list(keys)) if keys else {}
    if len(stored) != len(keys):
        return None
    for pid in ids:
        if pid in entry.changed:
            old = entry.changed[pid]
        else:
            old = stored[_chunk_key(affiliate, entry.generation, pid % FACT_CHUNKS)].get(pid)
        new = fresh.get(pid)
        if old is not None and _matches(old, filters):
            entry.tally.add(old, -1)
        if new is not None and _matches(new, filters):
            entry.tally.add(new)
        entry.changed[pid] = new
    if len(entry.changed) > MAX_CHANGED:
        return None
    entry.event = event
    entry.board = reports.assemble(
        entry.tally.counts(), {affiliate.pk: money.rate_table(affiliate)}
    )
    return entry


def affiliate_dashboard(
    filters: reports.ReportFilters,
    affiliate: Affiliate,
    draw: Callable[[reports.Dashboard], dict[str, SafeString]] | None = None,
) -> reports.Dashboard:
    """Return the affiliate's dashboard: as cached when nothing changed, updated by the
    partnerships that changed, or counted afresh (see the module's docstring)."""
    key = ":".join(
        (
            "dashboard-tally",
            str(affiliate.pk),
            translation.get_language() or "",
            hashlib.sha256(repr(filters).encode()).hexdigest()[:24],
        )
    )
    event = _newest(affiliate)
    entry: Board | None = cache.get(key)
    fresh = entry is not None and time.time() - entry.counted_at < reports.DASHBOARD_CACHE_SECONDS
    if entry is not None and fresh and entry.event == event:
        if draw is not None and entry.board.charts is None:
            _draw(entry, draw)
            cache.set(key, entry, reports.DASHBOARD_CACHE_SECONDS)
        return entry.board
    updated = None
    if entry is not None and fresh:
        ids = _changed_since(affiliate, entry.event)
        if ids is not None:
            updated = _update(affiliate, filters, entry, ids, event)
    entry = updated or _full(affiliate, filters, event)
    _draw(entry, draw)
    cache.set(key, entry, reports.DASHBOARD_CACHE_SECONDS)
    return entry.board
