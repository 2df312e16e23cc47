"""Propose the facts of published partnerships that belong on Wikidata, as QuickStatements (v1).

One statement per partner organisation that has a Wikidata id, on that organisation's item:
"partnership with" (P2652, the mapping's ``quickstatements.property``) the affiliate's item,
with start and end time qualifiers and the public showcase page as reference URL. Nothing else:
no contacts, notes, money or unpublished partnerships (they are not even read, see
:mod:`hub.library.linked.published`), and nothing when the affiliate has no Wikidata id.
docs/linked-data.md says why this statement and not "owner of" or "collection".

The Hub never sends these: a person copies them into QuickStatements and runs them as
themselves, after reading them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from hub.library.linked.mapping import Mapping
from hub.library.linked.published import Published


@dataclass(frozen=True)
class Proposal:
    """One statement to add: on ``subject``, ``prop`` = ``value``, with qualifiers and source."""

    subject: str
    subject_name: str
    prop: str
    value: str
    start: dt.date | None
    end: dt.date | None
    source_url: str


def _time(day: dt.date) -> str:
    return f"+{day.isoformat()}T00:00:00Z/11"


def proposals(
    published: Published, mapping: Mapping, page_url: Callable[[int], str]
) -> list[Proposal]:
    """Return the statements to propose, one per partner organisation with a Wikidata id.

    A partner in several published partnerships gets one statement: the earliest start, the
    latest end (none while any partnership has no end), the first partnership's page as source.
    """
    if not published.affiliate_qid:
        return []
    found: dict[str, Proposal] = {}
    for partnership in published.partnerships:
        for partner in partnership.partners:
            org = partner.organisation
            if not org.qid or org.qid == published.affiliate_qid:
                continue
            previous = found.get(org.qid)
            start, end = partnership.start_date, partnership.end_date
            if previous is not None:
                starts = [d for d in (previous.start, start) if d]
                start = min(starts) if starts else None
                end = max(previous.end, end) if previous.end and end else None
            found[org.qid] = Proposal(
                subject=org.qid,
                subject_name=previous.subject_name if previous else org.name,
                prop=mapping.qs_property,
                value=published.affiliate_qid,
                start=start,
                end=end,
                source_url=previous.source_url if previous else page_url(partnership.pk),
            )
    return sorted(found.values(), key=lambda p: int(p.subject[1:]))


def line(proposal: Proposal, mapping: Mapping) -> str:
    """Return one QuickStatements v1 line (tab-separated)."""
    parts = [proposal.subject, proposal.prop, proposal.value]
    if proposal.start and mapping.qs_start:
        parts += [mapping.qs_start, _time(proposal.start)]
    if proposal.end and mapping.qs_end:
        parts += [mapping.qs_end, _time(proposal.end)]
    if proposal.source_url and mapping.qs_reference:
        url = proposal.source_url.replace('"', "%22")
        parts += [mapping.qs_reference, f'"{url}"']
    return "\t".join(parts)


def text(published: Published, mapping: Mapping, page_url: Callable[[int], str]) -> str:
    """Return the QuickStatements v1 commands, one per line ("" when there is nothing)."""
    lines = [line(p, mapping) for p in proposals(published, mapping, page_url)]
    return "\n".join(lines) + ("\n" if lines else "")
