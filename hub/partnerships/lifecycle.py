"""The lifecycle's transition table, guards and due dates, as plain rules the services apply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.core.dates import add_months
from hub.partnerships.models import Stage

# The stages a partnership walks through, in order. "continued" follows "evaluation";
# "ended" can be reached from anywhere and is left only by reopening.
ORDER: tuple[str, ...] = (
    Stage.IDEA,
    Stage.FIRST_CONTACT,
    Stage.CONCEPT_NOTE,
    Stage.NEGOTIATION,
    Stage.AGREEMENT,
    Stage.ACTIVE,
    Stage.REPORTING,
    Stage.EVALUATION,
    Stage.CONTINUED,
)


class StageRefused(ValidationError):
    """A stage change the lifecycle does not allow; the message says why and what to do."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason_code = code


@dataclass(frozen=True)
class Move:
    """One move the stage section offers: where to, what it is called, what it needs."""

    to_stage: str
    kind: str  # forward, back, end, reopen
    needs_reason: bool = False
    needs_exit_notes: bool = False
    guard: str = ""  # why the move is refused without an override, or ""

    @property
    def label(self) -> str:
        return str(MOVE_LABELS[self.kind]) % {"stage": Stage(self.to_stage).label}


MOVE_LABELS = {
    "forward": gettext_lazy("Move on to %(stage)s"),
    "back": gettext_lazy("Go back to %(stage)s"),
    "end": gettext_lazy("End the partnership"),
    "reopen": gettext_lazy("Reopen at %(stage)s"),
}


def _position(stage: str) -> int:
    return ORDER.index(stage)


def move_kind(from_stage: str, to_stage: str) -> str | None:
    """Return how the table names a move (forward, back, end, reopen), or None if it has none.

    Reopening is named for any stage here; which stage it returns to is checked by the caller,
    which knows where the partnership was before it ended.
    """
    if to_stage == from_stage:
        return None
    if to_stage == Stage.ENDED:
        return "end"
    if from_stage == Stage.ENDED:
        return "reopen"
    step = _position(to_stage) - _position(from_stage)
    if step == 1:
        return "forward"
    if step == -1:
        return "back"
    return None


def checklist_guard() -> str:
    """Return the words of the guard on the active stage."""
    return _(
        "A partnership becomes active once every point of the agreement checklist is agreed "
        "or marked not applicable. Review the checklist, or tick “override” and say why."
    )


def check_move(
    *,
    from_stage: str,
    to_stage: str,
    reason: str = "",
    override: bool = False,
    checklist_reviewed: bool,
    exit_notes: str = "",
    reopen_stage: str = Stage.IDEA,
) -> bool:
    """Raise StageRefused unless the move is allowed; return whether it needed the override."""
    if to_stage not in Stage.values:
        raise StageRefused(_("“%(stage)s” is not a stage.") % {"stage": to_stage[:40]}, "unknown")
    reason = reason.strip()
    if to_stage == from_stage:
        raise StageRefused(
            _("The partnership is already at the stage “%(stage)s”.")
            % {"stage": Stage(to_stage).label},
            "same",
        )
    kind = move_kind(from_stage, to_stage)
    if kind == "end":
        if not exit_notes.strip():
            raise StageRefused(
                _(
                    "To end a partnership, write exit notes: what happens after the intense "
                    "phase, who keeps what, whether you may work together again."
                ),
                "exit_notes",
            )
        return False
    if kind == "reopen":
        if not reason:
            raise StageRefused(
                _("Say why you reopen an ended partnership."),
                "reopen_reason",
            )
        if to_stage != reopen_stage and not override:
            raise StageRefused(
                _(
                    "An ended partnership reopens at the stage it ended in (“%(stage)s”). "
                    "To reopen it elsewhere, tick “override”."
                )
                % {"stage": Stage(reopen_stage).label},
                "reopen_stage",
            )
        return to_stage != reopen_stage
    overridden = False
    if kind is None:
        if not override or not reason:
            raise StageRefused(
                _(
                    "A partnership moves one stage at a time, from “%(from)s” to “%(next)s”. "
                    "To jump to “%(to)s”, tick “override” and say why."
                )
                % {
                    "from": Stage(from_stage).label,
                    "next": _next_label(from_stage),
                    "to": Stage(to_stage).label,
                },
                "skip",
            )
        overridden = True
    if to_stage == Stage.ACTIVE and not checklist_reviewed:
        if not override or not reason:
            raise StageRefused(checklist_guard(), "checklist")
        overridden = True
    return overridden


def _next_label(stage: str) -> str:
    position = _position(stage)
    if position + 1 < len(ORDER):
        return str(Stage(ORDER[position + 1]).label)
    return str(Stage.ENDED.label)


def moves_from(
    stage: str, *, checklist_reviewed: bool, reopen_stage: str = Stage.IDEA
) -> list[Move]:
    """Return the moves the table allows from a stage, each with the guard it would meet."""
    if stage == Stage.ENDED:
        return [Move(reopen_stage, "reopen", needs_reason=True)]
    moves = []
    position = _position(stage)
    if position + 1 < len(ORDER):
        to = ORDER[position + 1]
        guard = checklist_guard() if to == Stage.ACTIVE and not checklist_reviewed else ""
        moves.append(Move(to, "forward", guard=guard))
    if position > 0:
        to = ORDER[position - 1]
        guard = checklist_guard() if to == Stage.ACTIVE and not checklist_reviewed else ""
        moves.append(Move(to, "back", guard=guard))
    moves.append(Move(Stage.ENDED, "end", needs_exit_notes=True))
    return moves


def impact_report_due(
    every_months: int | None, reported_on: dt.date | None, start_date: dt.date | None
) -> dt.date | None:
    """Return when the next impact report is due: the cadence counted from the last report,
    or from the start date when there was none; None without a cadence or a date."""
    base = reported_on or start_date
    if not every_months or base is None:
        return None
    return add_months(base, every_months)
