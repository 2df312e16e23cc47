"""Timelines say what happened in words: every recorded action shown on one has a label."""

from __future__ import annotations

import re
from pathlib import Path

from hub.core.models import ACTION_LABELS

HUB = Path(__file__).resolve().parent.parent / "hub"
# The records whose timelines show audit events: organisations, contacts, partnerships.
SHOWN_ON_TIMELINES = (
    "organisation|contact|interaction|person|partnership|activity|contribution|task"
    "|impact|uploads|portal|wikidata"
)
ACTION = re.compile(rf'"((?:{SHOWN_ON_TIMELINES})\.[a-z_]+)"')


def recorded_actions() -> set[str]:
    """Return the action names written in the sources that record audit events."""
    found: set[str] = set()
    for source in HUB.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        if "audit" in text and "record(" in text:
            found.update(ACTION.findall(text))
    return found


def test_every_action_shown_on_a_timeline_has_words() -> None:
    actions = recorded_actions()
    assert "impact.link_added" in actions  # the scan finds them
    missing = sorted(a for a in actions if a not in ACTION_LABELS)
    assert missing == [], f"timelines would show these codes: {missing}"
