"""The lifecycle's transition table and guards: every allowed and refused move, and overrides."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from hub.core.models import AuditEvent
from hub.partnerships import lifecycle, services
from hub.partnerships.lifecycle import ORDER, StageRefused, check_move, moves_from
from hub.partnerships.models import AgreementPoint, ChecklistPoint, Stage, StageChange
from tests import factories

ALL = [*ORDER, Stage.ENDED]


def _expected_plain(from_stage: str, to_stage: str) -> str | None:
    """Return the refusal code a move gets without override or reason, or None if allowed.

    Written independently of the implementation: the table of the issue in plain words.
    """
    if from_stage == to_stage:
        return "same"
    if to_stage == Stage.ENDED:
        return "exit_notes"  # no exit notes given
    if from_stage == Stage.ENDED:
        return "reopen_reason"
    step = ORDER.index(to_stage) - ORDER.index(from_stage)
    if abs(step) != 1:
        return "skip"
    if to_stage == Stage.ACTIVE:
        return "checklist"  # checklist not reviewed
    return None


@pytest.mark.parametrize(("from_stage", "to_stage"), list(itertools.product(ALL, ALL)))
def test_every_move_without_override_follows_the_table(from_stage: str, to_stage: str) -> None:
    expected = _expected_plain(from_stage, to_stage)
    if expected is None:
        assert (
            check_move(from_stage=from_stage, to_stage=to_stage, checklist_reviewed=False) is False
        )
    else:
        with pytest.raises(StageRefused) as refused:
            check_move(from_stage=from_stage, to_stage=to_stage, checklist_reviewed=False)
        assert refused.value.reason_code == expected
        assert refused.value.messages[0]  # says something a person can read


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (a, b)
        for a, b in itertools.product(ORDER, ORDER)
        if abs(ORDER.index(a) - ORDER.index(b)) > 1
    ],
)
def test_skipping_stages_passes_only_with_override_and_reason(from_stage, to_stage) -> None:
    with pytest.raises(StageRefused):
        check_move(from_stage=from_stage, to_stage=to_stage, override=True, checklist_reviewed=True)
    with pytest.raises(StageRefused):
        check_move(from_stage=from_stage, to_stage=to_stage, reason="why", checklist_reviewed=True)
    assert (
        check_move(
            from_stage=from_stage,
            to_stage=to_stage,
            reason="The ministry signed before we met.",
            override=True,
            checklist_reviewed=True,
        )
        is True
    )


@pytest.mark.parametrize("from_stage", [Stage.AGREEMENT, Stage.REPORTING])
def test_active_with_reviewed_checklist_needs_no_override(from_stage: str) -> None:
    assert (
        check_move(from_stage=from_stage, to_stage=Stage.ACTIVE, checklist_reviewed=True) is False
    )


def test_active_without_reviewed_checklist_passes_with_override_and_reason() -> None:
    with pytest.raises(StageRefused) as refused:
        check_move(from_stage=Stage.AGREEMENT, to_stage=Stage.ACTIVE, checklist_reviewed=False)
    assert "agreement checklist" in refused.value.messages[0]
    assert check_move(
        from_stage=Stage.AGREEMENT,
        to_stage=Stage.ACTIVE,
        reason="Signed on paper; the checklist follows.",
        override=True,
        checklist_reviewed=False,
    )


@pytest.mark.parametrize("from_stage", ORDER)
def test_ending_needs_exit_notes_from_every_stage(from_stage: str) -> None:
    with pytest.raises(StageRefused) as refused:
        check_move(
            from_stage=from_stage, to_stage=Stage.ENDED, exit_notes="  ", checklist_reviewed=True
        )
    assert "exit notes" in refused.value.messages[0]
    assert (
        check_move(
            from_stage=from_stage,
            to_stage=Stage.ENDED,
            exit_notes="The museum keeps uploading on its own.",
            checklist_reviewed=False,
        )
        is False
    )


def test_reopening_needs_a_reason_and_returns_to_the_stage_it_ended_in() -> None:
    with pytest.raises(StageRefused) as refused:
        check_move(
            from_stage=Stage.ENDED,
            to_stage=Stage.ACTIVE,
            checklist_reviewed=True,
            reopen_stage=Stage.ACTIVE,
        )
    assert refused.value.reason_code == "reopen_reason"
    assert (
        check_move(
            from_stage=Stage.ENDED,
            to_stage=Stage.ACTIVE,
            reason="New funding",
            checklist_reviewed=True,
            reopen_stage=Stage.ACTIVE,
        )
        is False
    )
    with pytest.raises(StageRefused) as elsewhere:
        check_move(
            from_stage=Stage.ENDED,
            to_stage=Stage.IDEA,
            reason="Start over",
            checklist_reviewed=True,
            reopen_stage=Stage.ACTIVE,
        )
    assert elsewhere.value.reason_code == "reopen_stage"


def test_unknown_stage_is_refused_in_words() -> None:
    with pytest.raises(StageRefused) as refused:
        check_move(from_stage=Stage.IDEA, to_stage="paradise", checklist_reviewed=True)
    assert "is not a stage" in refused.value.messages[0]


def test_moves_offered_are_one_step_each_way_and_ending() -> None:
    moves = moves_from(Stage.AGREEMENT, checklist_reviewed=False)
    assert [(m.to_stage, m.kind) for m in moves] == [
        (Stage.ACTIVE, "forward"),
        (Stage.NEGOTIATION, "back"),
        (Stage.ENDED, "end"),
    ]
    assert moves[0].guard  # the checklist guard is shown before anyone clicks
    assert moves_from(Stage.IDEA, checklist_reviewed=True)[0].to_stage == Stage.FIRST_CONTACT
    assert [m.kind for m in moves_from(Stage.CONTINUED, checklist_reviewed=True)] == ["back", "end"]
    assert [
        (m.to_stage, m.kind)
        for m in moves_from(Stage.ENDED, checklist_reviewed=True, reopen_stage=Stage.REPORTING)
    ] == [(Stage.REPORTING, "reopen")]
    assert "End the partnership" in [m.label for m in moves]


# The service: the same rules, plus what it writes.


def _review(partnership: Any) -> None:
    services.update_agreement(
        actor=None,
        partnership=partnership,
        points={p: (AgreementPoint.Status.AGREED, "Yes.") for p in ChecklistPoint.values},
    )


@pytest.mark.django_db
def test_service_walks_forward_writing_a_stage_change_and_an_audit_event(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    for stage in ORDER[1:5]:
        services.advance_stage(actor=member_a, partnership=p, to_stage=stage)
    p.refresh_from_db()
    assert p.stage == Stage.AGREEMENT
    assert p.stage_changed_at is not None
    moves = list(
        StageChange.objects.filter(partnership=p)
        .order_by("id")
        .values_list("from_stage", "to_stage")
    )
    assert moves == [("", Stage.IDEA), *zip(ORDER[:4], ORDER[1:5], strict=True)]
    events = AuditEvent.objects.filter(target_id=p.pk, action="partnership.stage_changed")
    assert events.count() == 4
    latest = events.first()
    assert latest is not None
    assert latest.changes["stage"] == [Stage.NEGOTIATION, Stage.AGREEMENT]


@pytest.mark.django_db
def test_service_guard_blocks_active_until_the_checklist_is_reviewed(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.AGREEMENT)
    with pytest.raises(StageRefused, match="agreement checklist"):
        services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.ACTIVE)
    p.refresh_from_db()
    assert p.stage == Stage.AGREEMENT
    assert not AuditEvent.objects.filter(action="partnership.stage_changed").exists()
    _review(p)
    change = services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.ACTIVE)
    assert change.overridden is False
    assert p.stage == Stage.ACTIVE


@pytest.mark.django_db
def test_service_override_is_recorded_with_its_reason(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a)
    change = services.advance_stage(
        actor=member_a,
        partnership=p,
        to_stage=Stage.ACTIVE,
        override=True,
        reason="Signed at the ministry before we joined.",
    )
    assert change.overridden is True
    assert change.reason == "Signed at the ministry before we joined."
    event = AuditEvent.objects.get(action="partnership.stage_changed", target_id=p.pk)
    assert event.changes["overridden"] == [False, True]


@pytest.mark.django_db
def test_service_ends_with_exit_notes_and_reopens_where_it_ended(affiliate_a, member_a):
    p = factories.partnership(affiliate_a, actor=member_a, stage=Stage.REPORTING)
    with pytest.raises(StageRefused, match="exit notes"):
        services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.ENDED)
    services.advance_stage(
        actor=member_a, partnership=p, to_stage=Stage.ENDED, exit_notes="They keep the scanner."
    )
    p.refresh_from_db()
    assert (p.stage, p.exit_notes) == (Stage.ENDED, "They keep the scanner.")
    assert services.reopen_stage(p) == Stage.REPORTING
    with pytest.raises(StageRefused, match="reopen"):
        services.advance_stage(actor=member_a, partnership=p, to_stage=Stage.REPORTING)
    services.advance_stage(
        actor=member_a, partnership=p, to_stage=Stage.REPORTING, reason="A second report is due."
    )
    p.refresh_from_db()
    assert p.stage == Stage.REPORTING


def test_labels_name_the_stage() -> None:
    move = lifecycle.Move(Stage.ACTIVE, "forward")
    assert move.label == "Move on to Active"
