"""Every audit event the Hub records has words for people, not its code name.

The words show on timelines, on organisation and contact pages and on a person's data-rights
page; an action without them would show as ``participant.added``. The actions are read from the
code itself (every ``action=`` given to a call), so a new one fails here until it has words.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils import translation

from hub.core.models import ACTION_LABELS

HUB = Path(__file__).resolve().parent.parent / "hub"

# Actions whose name is built at run time, with every name they can take.
BUILT = {
    "{}.admin_{}": [
        f"{model}.admin_{verb}"
        for model in ("affiliate", "user", "membership")
        for verb in ("created", "changed", "deleted")
    ],
    "portal.change_{}": ["portal.change_approved", "portal.change_rejected"],
}


def recorded_actions() -> tuple[set[str], set[str]]:
    """Return the actions named in the code: plain strings, and f-strings as shapes."""
    plain: set[str] = set()
    built: set[str] = set()
    for path in HUB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.keyword) and node.arg == "action"):
                continue
            inside_built: set[int] = set()  # the text parts of an f-string (walked first)
            for part in ast.walk(node.value):
                if isinstance(part, ast.JoinedStr):
                    inside_built.update(id(v) for v in part.values)
                    built.add(
                        "".join(
                            str(v.value) if isinstance(v, ast.Constant) else "{}"
                            for v in part.values
                        )
                    )
                elif (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and "." in part.value
                    and id(part) not in inside_built
                ):
                    plain.add(part.value)
    return plain, built


def test_every_recorded_action_has_words() -> None:
    plain, built = recorded_actions()
    assert len(plain) > 100  # the scan found the code's actions
    assert built == set(BUILT), "an action built at run time: list what it can be in BUILT"
    names = plain | {name for shape in built for name in BUILT[shape]}
    assert sorted(a for a in names if a not in ACTION_LABELS) == []


def test_the_words_are_translated() -> None:
    with translation.override("fr"):
        assert ACTION_LABELS["participant.signed_up"] != "signed up for an event"
        assert str(ACTION_LABELS["participant.signed_up"]) == "s'est inscrit à un événement"
