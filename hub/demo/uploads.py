"""Load demo batch uploads: a finished batch of a demo partnership, made up, never sent.

The records are in hub/demo/data/uploads.json; the batch is added through the uploads service
for demo affiliates (``add_demo_batch``), so its rows say they are demo rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hub.demo.partnerships import first_manager
from hub.demo.records import build, read
from hub.partnerships.models import Partnership
from hub.uploads import services
from hub.uploads.models import UploadBatch


@dataclass(frozen=True)
class DemoBatch:
    affiliate: str
    partnership: str
    title: str
    days_ago: int
    files: tuple[tuple[str, str], ...]


DEMO_BATCHES: tuple[DemoBatch, ...] = tuple(
    build(DemoBatch, raw) for raw in read("uploads.json")["batches"]
)


def load_demo_uploads(*, today: dt.date) -> int:
    """Add the demo batches that are missing; return how many (a missing partnership: none)."""
    created = 0
    for data in DEMO_BATCHES:
        partnership = (
            Partnership.objects.filter(
                affiliate__slug=data.affiliate, affiliate__is_demo=True, title=data.partnership
            )
            .select_related("affiliate")
            .first()
        )
        if partnership is None:
            continue
        if UploadBatch.objects.filter(partnership=partnership, title=data.title).exists():
            continue
        finished = dt.datetime.combine(
            today - dt.timedelta(days=data.days_ago), dt.time(14, 0), tzinfo=dt.UTC
        )
        services.add_demo_batch(
            actor=first_manager(partnership.affiliate),
            partnership=partnership,
            title=data.title,
            files=[tuple(f) for f in data.files],  # type: ignore[misc]
            finished_at=finished,
        )
        created += 1
    return created
