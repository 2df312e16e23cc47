"""Sections that apps higher up add to a lower app's page, so the lower app never imports them.

The app that owns a page declares a ``Slot`` with the arguments its sections are read from;
an app higher up registers a reader with it in its ``AppConfig.ready()``. The page's view (or
selector) asks the slot for its sections and the template draws them with
``{% draw_sections %}`` (``hub_sections``), each partial with its own context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec

from hub.core.registry import Registry

P = ParamSpec("P")


@dataclass(frozen=True)
class Section:
    """One part of a page: the partial that draws it and the values the partial reads."""

    template: str
    context: Mapping[str, Any]


class Slot(Registry[Callable[P, Section]], Generic[P]):
    """A place on a page where apps higher up add sections (``register``), in their order."""

    def sections(self, *args: P.args, **kwargs: P.kwargs) -> list[Section]:
        """Return the page's sections, each read with the page's arguments."""
        return [reader(*args, **kwargs) for reader in self]

    def __repr__(self) -> str:
        return f"<Slot {self.name}: {len(self)} sections>"
