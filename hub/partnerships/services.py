"""Every change to a partnership: creation, partners and roles, lifecycle, agreement, documents."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core import audit
from hub.core.models import Affiliate, Membership, User
from hub.partners.models import Organisation
from hub.partnerships import documents, lifecycle, partner_status, scoring
from hub.partnerships.models import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    AffiliateGoal,
    AgreementPoint,
    ChecklistPoint,
    Document,
    Partnership,
    PartnershipPartner,
    Stage,
    StageChange,
)

# The fields create_partnership and update_partnership take besides the multi-selects.
PARTNERSHIP_FIELDS = (
    "title",
    "summary",
    "structure",
    "scope",
    "initiative",
    "start_date",
    "end_date",
    "outcome_clarity",
    "expected_outcomes",
    "languages",
    "visibility",
    "impact_report_every_months",
    "impact_reported_on",
    "agreement_signed_on",
    "agreement_expires_on",
    "exit_notes",
)
# Marks an argument left out (None means "clear the date").
UNSET: Any = object()
_AUDITED = (*PARTNERSHIP_FIELDS, *GOAL_FIELDS.values(), *CONTRIBUTION_FIELDS.values())


def _snapshot(partnership: Partnership) -> dict[str, Any]:
    data = audit.snapshot(partnership, _AUDITED)
    if partnership.pk:
        data["responsible"] = sorted(str(u) for u in partnership.responsible.all())
        data["main_goals"] = sorted(g.name for g in partnership.main_goals.all())
    return data


def _check_dates(partnership: Partnership) -> None:
    """Refuse dates that contradict each other, in words rather than a constraint's name."""
    errors: dict[str, str] = {}
    start, end = partnership.start_date, partnership.end_date
    if start and end and end < start:
        errors["end_date"] = _("The end date is before the start date.")
    signed, expires = partnership.agreement_signed_on, partnership.agreement_expires_on
    if signed and expires and expires < signed:
        errors["agreement_expires_on"] = _(
            "The agreement cannot expire before it was signed. Check the two dates."
        )
    if errors:
        raise ValidationError(errors)


def _set_flags(
    partnership: Partnership, mapping: Mapping[Any, str], chosen: Iterable[str], what: str
) -> None:
    chosen = set(chosen)
    unknown = chosen - set(mapping)
    if unknown:
        raise ValidationError(
            _("“%(value)s” is not a known %(what)s.") % {"value": sorted(unknown)[0], "what": what}
        )
    for value, field in mapping.items():
        setattr(partnership, field, value in chosen)


def _check_responsible(affiliate: Affiliate, users: Iterable[User]) -> list[User]:
    users = list(users)
    member_ids = set(
        Membership.objects.filter(affiliate=affiliate, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    if any(u.pk not in member_ids for u in users):
        raise ValidationError(
            {"responsible": _("Only members of your affiliate can be responsible for it.")}
        )
    return users


def _check_main_goals(affiliate: Affiliate, goals: Iterable[AffiliateGoal]) -> list[AffiliateGoal]:
    goals = list(goals)
    if any(g.affiliate_id != affiliate.pk for g in goals):
        raise ValidationError({"main_goals": _("Choose among your affiliate's own main goals.")})
    return goals


def _check_partners(
    affiliate: Affiliate, partners: Iterable[tuple[Organisation, str]]
) -> list[tuple[Organisation, str]]:
    rows = list(partners)
    if not rows:
        raise ValidationError(_("A partnership needs at least one partner organisation."))
    seen: set[int] = set()
    for organisation, role in rows:
        if organisation.affiliate_id != affiliate.pk:
            raise ValidationError(_("A partner must be in your own directory."))
        if role not in PartnershipPartner.Role.values:
            raise ValidationError(_("“%(role)s” is not a partner role.") % {"role": role[:40]})
        if organisation.pk in seen:
            raise ValidationError(
                _("“%(name)s” is listed twice. Give each partner one role.")
                % {"name": organisation.name}
            )
        seen.add(organisation.pk)
    return rows


def _partners_text(partnership: Partnership) -> list[str]:
    return sorted(
        f"{pp.organisation.name} ({pp.get_role_display()})"
        for pp in partnership.partners.select_related("organisation")
    )


@transaction.atomic
def create_partnership(
    *,
    actor: User | None,
    affiliate: Affiliate,
    title: str,
    partners: Iterable[tuple[Organisation, str]] = (),
    goals: Iterable[str] = (),
    contribution_types: Iterable[str] = (),
    responsible: Iterable[User] = (),
    main_goals: Iterable[AffiliateGoal] = (),
    stage: str = Stage.IDEA,
    **fields: Any,
) -> Partnership:
    """Create a partnership with its partners (organisation, role) and an open checklist."""
    for name in fields:
        if name not in _AUDITED:
            raise ValueError(f"unknown partnership field {name}")
    partnership = Partnership(affiliate=affiliate, title=title, created_by=actor, **fields)
    if goals:
        _set_flags(partnership, GOAL_FIELDS, goals, _("goal"))
    if contribution_types:
        _set_flags(partnership, CONTRIBUTION_FIELDS, contribution_types, _("contribution type"))
    if stage not in Stage.values:
        raise ValidationError(_("“%(stage)s” is not a stage.") % {"stage": stage[:40]})
    partnership.stage = stage
    partnership.stage_changed_at = timezone.now()
    _check_dates(partnership)
    partnership.full_clean()
    rows = _check_partners(affiliate, partners)
    users = _check_responsible(affiliate, responsible)
    goal_rows = _check_main_goals(affiliate, main_goals)
    partnership.save()
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=partnership, organisation=org, role=role)
        for org, role in rows
    )
    partnership.responsible.set(users)
    partnership.main_goals.set(goal_rows)
    AgreementPoint.objects.bulk_create(
        AgreementPoint(partnership=partnership, point=point) for point in ChecklistPoint.values
    )
    StageChange.objects.create(partnership=partnership, from_stage="", to_stage=stage, actor=actor)
    changes = audit.diff({}, _snapshot(partnership))
    changes["stage"] = ["", stage]
    changes["partners"] = [[], _partners_text(partnership)]
    audit.record(
        actor=actor,
        affiliate=affiliate,
        action="partnership.created",
        target=partnership,
        changes=changes,
    )
    if partner_status.runs(partnership):
        partner_status.follow(actor=actor, organisation_ids=[org.pk for org, _role in rows])
    scoring.refresh_score(partnership)
    return partnership


def _locked(partnership: Partnership) -> Partnership:
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    locked.affiliate = partnership.affiliate
    return locked


@transaction.atomic
def update_partnership(
    *,
    actor: User | None,
    partnership: Partnership,
    goals: Iterable[str] | None = None,
    contribution_types: Iterable[str] | None = None,
    responsible: Iterable[User] | None = None,
    main_goals: Iterable[AffiliateGoal] | None = None,
    **fields: Any,
) -> Partnership:
    """Change a partnership's fields and multi-selects, and record what changed."""
    p = _locked(partnership)
    before = _snapshot(p)
    for name, value in fields.items():
        if name not in PARTNERSHIP_FIELDS:
            raise ValueError(f"unknown partnership field {name}")
        setattr(p, name, value)
    if goals is not None:
        _set_flags(p, GOAL_FIELDS, goals, _("goal"))
    if contribution_types is not None:
        _set_flags(p, CONTRIBUTION_FIELDS, contribution_types, _("contribution type"))
    _check_dates(p)
    p.full_clean()
    users = _check_responsible(p.affiliate, responsible) if responsible is not None else None
    goal_rows = _check_main_goals(p.affiliate, main_goals) if main_goals is not None else None
    p.save()
    if users is not None:
        p.responsible.set(users)
    if goal_rows is not None:
        p.main_goals.set(goal_rows)
    changes = audit.diff(before, _snapshot(p))
    if changes:
        audit.record(
            actor=actor,
            affiliate=p.affiliate,
            action="partnership.updated",
            target=p,
            changes=changes,
        )
    scoring.refresh_score(p)
    return p


def _touch(partnership: Partnership) -> None:
    Partnership.objects.filter(pk=partnership.pk).update(updated_at=timezone.now())


@transaction.atomic
def set_partners(
    *,
    actor: User | None,
    partnership: Partnership,
    partners: Iterable[tuple[Organisation, str]],
) -> Partnership:
    """Replace a partnership's partners and their roles; at least one must remain."""
    p = _locked(partnership)
    rows = _check_partners(p.affiliate, partners)
    before = _partners_text(p)
    wanted = {org.pk: role for org, role in rows}
    existing = {pp.organisation_id: pp for pp in p.partners.all()}
    PartnershipPartner.objects.filter(partnership=p).exclude(organisation_id__in=wanted).delete()
    changed = []
    for org_id, role in wanted.items():
        current = existing.get(org_id)
        if current is None:
            PartnershipPartner.objects.create(partnership=p, organisation_id=org_id, role=role)
        elif current.role != role:
            current.role = role
            changed.append(current)
    PartnershipPartner.objects.bulk_update(changed, ["role"])
    if partner_status.runs(p):  # joining or leaving a running partnership moves the status
        partner_status.follow(actor=actor, organisation_ids=set(existing) ^ set(wanted))
    after = _partners_text(p)
    if after != before:
        _touch(p)
        audit.record(
            actor=actor,
            affiliate=p.affiliate,
            action="partnership.partners_changed",
            target=p,
            changes={"partners": [before, after]},
        )
        scoring.refresh_score(p)
    return p


def add_partner(
    *, actor: User | None, partnership: Partnership, organisation: Organisation, role: str
) -> Partnership:
    """Add a partner with a role (or change the role of one already there)."""
    current = [
        (pp.organisation, pp.role)
        for pp in partnership.partners.select_related("organisation")
        if pp.organisation_id != organisation.pk
    ]
    return set_partners(
        actor=actor, partnership=partnership, partners=[*current, (organisation, role)]
    )


def remove_partner(
    *, actor: User | None, partnership: Partnership, organisation: Organisation
) -> Partnership:
    """Take a partner out of a partnership; the last partner cannot be removed."""
    remaining = [
        (pp.organisation, pp.role)
        for pp in partnership.partners.select_related("organisation")
        if pp.organisation_id != organisation.pk
    ]
    if not remaining:
        raise ValidationError(
            _("A partnership needs at least one partner. Add another before removing this one.")
        )
    return set_partners(actor=actor, partnership=partnership, partners=remaining)


def checklist_reviewed(partnership: Partnership) -> bool:
    """Return whether every checklist point is agreed or not applicable."""
    statuses = list(partnership.agreement_points.values_list("status", flat=True))
    return len(statuses) >= len(ChecklistPoint.values) and all(
        s != AgreementPoint.Status.NOT_DISCUSSED for s in statuses
    )


def reopen_stage(partnership: Partnership) -> str:
    """Return the stage an ended partnership reopens at: the one it ended from."""
    last_end = (
        partnership.stage_changes.filter(to_stage=Stage.ENDED)
        .order_by("-at", "-id")
        .values_list("from_stage", flat=True)
        .first()
    )
    return last_end if last_end and last_end != Stage.ENDED else Stage.IDEA


@transaction.atomic
def advance_stage(
    *,
    actor: User | None,
    partnership: Partnership,
    to_stage: str,
    reason: str = "",
    override: bool = False,
    exit_notes: str | None = None,
) -> StageChange:
    """Move a partnership to another stage if the lifecycle allows it; raise StageRefused if not.

    Exit notes given here are saved with the move (ending needs them).
    """
    p = _locked(partnership)
    notes = p.exit_notes if exit_notes is None else exit_notes.strip()
    from_stage = p.stage
    overridden = lifecycle.check_move(
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        override=override,
        checklist_reviewed=checklist_reviewed(p) if to_stage == Stage.ACTIVE else True,
        exit_notes=notes,
        reopen_stage=reopen_stage(p) if from_stage == Stage.ENDED else Stage.IDEA,
    )
    before = audit.snapshot(p, ["stage", "exit_notes"])
    p.stage = to_stage
    p.exit_notes = notes
    p.stage_changed_at = timezone.now()
    p.save(update_fields=["stage", "exit_notes", "stage_changed_at", "updated_at"])
    change = StageChange.objects.create(
        partnership=p,
        from_stage=from_stage,
        to_stage=to_stage,
        overridden=overridden,
        reason=reason.strip(),
        actor=actor,
    )
    changes = audit.diff(before, audit.snapshot(p, ["stage", "exit_notes"]))
    if reason.strip():
        changes["reason"] = ["", reason.strip()]
    if overridden:
        changes["overridden"] = [False, True]
    audit.record(
        actor=actor,
        affiliate=p.affiliate,
        action="partnership.stage_changed",
        target=p,
        changes=changes,
    )
    if partner_status.starts_or_stops(from_stage, to_stage):
        partner_status.follow(actor=actor, organisation_ids=partner_status.partner_ids(p))
    partnership.stage = p.stage
    partnership.exit_notes = p.exit_notes
    partnership.stage_changed_at = p.stage_changed_at
    return change


@transaction.atomic
def update_agreement(
    *,
    actor: User | None,
    partnership: Partnership,
    points: Mapping[str, tuple[str, str]] | None = None,
    signed_on: dt.date | None | object = UNSET,
    expires_on: dt.date | None | object = UNSET,
) -> Partnership:
    """Set checklist points {point: (status, text)} and, if given, the agreement's dates."""
    p = _locked(partnership)
    changes: dict[str, Any] = {}
    if points:
        existing = {ap.point: ap for ap in p.agreement_points.all()}
        changed = []
        for point, (status, text) in points.items():
            if point not in ChecklistPoint.values:
                raise ValidationError(_("“%(point)s” is not a checklist point.") % {"point": point})
            if status not in AgreementPoint.Status.values:
                raise ValidationError(_("“%(status)s” is not a status.") % {"status": status})
            row = existing.get(point) or AgreementPoint(partnership=p, point=point)
            text = (text or "").strip()
            if row.pk and row.status == status and row.text == text:
                continue
            label = str(ChecklistPoint(point).label)
            changes[label] = [
                f"{row.get_status_display()}: {row.text}".rstrip(": ") if row.pk else "",
                f"{AgreementPoint.Status(status).label}: {text}".rstrip(": "),
            ]
            row.status, row.text = status, text
            changed.append(row)
        for row in changed:
            row.save()
    if signed_on is not UNSET or expires_on is not UNSET:
        before = audit.snapshot(p, ["agreement_signed_on", "agreement_expires_on"])
        if isinstance(signed_on, dt.date) or signed_on is None:
            p.agreement_signed_on = signed_on
        if isinstance(expires_on, dt.date) or expires_on is None:
            p.agreement_expires_on = expires_on
        _check_dates(p)
        p.save(update_fields=["agreement_signed_on", "agreement_expires_on", "updated_at"])
        changes.update(
            audit.diff(before, audit.snapshot(p, ["agreement_signed_on", "agreement_expires_on"]))
        )
    if changes:
        _touch(p)
        audit.record(
            actor=actor,
            affiliate=p.affiliate,
            action="partnership.agreement_updated",
            target=p,
            changes=changes,
        )
    return p


def update_agreement_point(
    *, actor: User | None, partnership: Partnership, point: str, status: str, text: str = ""
) -> Partnership:
    """Set where a partnership stands on one point of the agreement checklist."""
    return update_agreement(actor=actor, partnership=partnership, points={point: (status, text)})


def set_agreement_dates(
    *,
    actor: User | None,
    partnership: Partnership,
    signed_on: dt.date | None,
    expires_on: dt.date | None,
) -> Partnership:
    """Set the agreement's signed date and its expiry or renewal date (not before signing)."""
    return update_agreement(
        actor=actor, partnership=partnership, signed_on=signed_on, expires_on=expires_on
    )


@transaction.atomic
def archive_partnership(*, actor: User | None, partnership: Partnership) -> Partnership:
    """Hide a partnership from lists without deleting anything."""
    if partnership.archived_at is None:
        partnership.archived_at = timezone.now()
        partnership.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            affiliate=partnership.affiliate,
            action="partnership.archived",
            target=partnership,
        )
        if partnership.stage in partner_status.RUNNING_STAGES:
            partner_status.follow(
                actor=actor, organisation_ids=partner_status.partner_ids(partnership)
            )
    return partnership


@transaction.atomic
def restore_partnership(*, actor: User | None, partnership: Partnership) -> Partnership:
    """Bring an archived partnership back into the lists."""
    if partnership.archived_at is not None:
        partnership.archived_at = None
        partnership.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            actor=actor,
            affiliate=partnership.affiliate,
            action="partnership.restored",
            target=partnership,
        )
        if partner_status.runs(partnership):
            partner_status.follow(
                actor=actor, organisation_ids=partner_status.partner_ids(partnership)
            )
    return partnership


@transaction.atomic
def add_document(
    *,
    actor: User | None,
    partnership: Partnership,
    stream: IO[bytes],
    name: str,
    size: int,
    kind: str = Document.Kind.AGREEMENT,
    generated_kind: str = "",
    version: int | None = None,
    language: str = "",
) -> Document:
    """Keep a PDF, DOCX or ODT with a partnership, after checking its content; store nothing
    if the check fails. A generated document says what it was generated as, its version and
    language."""
    if kind not in Document.Kind.values:
        raise ValidationError(_("“%(kind)s” is not a kind of document.") % {"kind": kind[:40]})
    checked = documents.check_document(stream, name, size)
    stored_name = f"{uuid.uuid4().hex}.{checked.kind}"
    document = Document(
        partnership=partnership,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        generated_kind=generated_kind,
        version=version,
        language=language,
    )
    stream.seek(0)
    document.file.save(stored_name, File(stream), save=False)
    try:
        document.save()
        _touch(partnership)
        audit.record(
            actor=actor,
            affiliate=partnership.affiliate,
            action="partnership.document_added",
            target=partnership,
            changes={"document": ["", checked.name]},
        )
    except Exception:
        default_storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def delete_document(*, actor: User | None, document: Document) -> None:
    """Delete a document and, once the deletion is committed, its file."""
    partnership = document.partnership
    name = document.file.name
    document.delete()
    _touch(partnership)
    audit.record(
        actor=actor,
        affiliate=partnership.affiliate,
        action="partnership.document_deleted",
        target=partnership,
        changes={"document": [document.original_name, ""]},
    )
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def share_document(*, actor: User | None, document: Document, shared: bool) -> Document:
    """Show a document to the partner on its portal, or stop showing it."""
    locked = Document.objects.select_for_update().select_related("partnership").get(pk=document.pk)
    if locked.shared_with_partner != shared:
        locked.shared_with_partner = shared
        locked.save(update_fields=["shared_with_partner"])
        audit.record(
            actor=actor,
            affiliate=locked.partnership.affiliate,
            action="partnership.document_shared" if shared else "partnership.document_unshared",
            target=locked.partnership,
            changes={"document": [locked.original_name, shared]},
        )
    return locked
