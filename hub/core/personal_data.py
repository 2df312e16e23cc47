"""Find and export every record the Hub keeps about a person (data-protection rights).

Each app knows its own records: it registers a finder in `finders` from its AppConfig.ready,
as erasure's scrubbers are registered (hub.core.erasure). A finder takes the `Person` looked
for (hub.core.erasure.Person: the affiliate whose records are searched, names, e-mails,
phones) and yields one `Found` per record that is about the person or mentions them. Erasing
runs the scrubbers of hub.core.erasure; a finder and a scrubber of an app cover the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.core.erasure import Person
from hub.core.registry import Registry


@dataclass(frozen=True)
class Found:
    """One record about the person."""

    kind: str  # what the record is, translated ("Contact", "Survey answer")
    label: str  # which one (a title or date), shown to the person searching
    url: str = ""  # where a signed-in member sees it, or ""
    data: dict[str, Any] = field(default_factory=dict)  # the person's data in it (JSON-ready)


Finder = Callable[[Person], Iterable[Found]]
finders: Registry[Finder] = Registry("personal-data finders")


def find_everywhere(person: Person) -> list[Found]:
    """Return every registered finder's records about the person."""
    return [found for finder in finders for found in finder(person)]
