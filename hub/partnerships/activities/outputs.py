"""An activity's outputs as pages show them: counted from the wikis where an app counted them
(hub.partnerships.slots.activity_outputs, each with its source and date), typed by hand where
nothing counted that figure."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hub.partnerships.models import Activity
from hub.partnerships.slots import Figure, activity_output_totals, activity_outputs

# The hand-typed output fields of an activity, keyed by the metric a counted figure of the same
# meaning carries (Figure.key), in the order pages show them.
TYPED_OUTPUTS: tuple[tuple[str, str, object], ...] = (
    ("participants", "participants", gettext_lazy("Participants")),
    ("articles_created", "articles_created", gettext_lazy("Articles created")),
    ("articles_improved", "articles_improved", gettext_lazy("Articles improved")),
    ("files_uploaded", "files_uploaded", gettext_lazy("Files uploaded")),
    ("items_created", "items_created", gettext_lazy("Wikidata items created")),
    ("items_edited", "items_edited", gettext_lazy("Wikidata items edited")),
    ("people_trained", "people_trained", gettext_lazy("People trained")),
)


@dataclass(frozen=True)
class OutputLine:
    """One output of an activity: counted (with its source and date) or typed by hand."""

    key: str
    label: str
    value: int
    source: str
    as_of: dt.date | None
    typed: bool

    @classmethod
    def counted(cls, figure: Figure) -> OutputLine:
        return cls(figure.key, figure.label, figure.value, figure.source, figure.as_of, False)


@dataclass(frozen=True)
class OutputGroup:
    """An activity's outputs of one provenance (counted on a day, imported, typed by hand), so
    a page says where they come from once per group rather than once per figure."""

    source: str
    as_of: dt.date | None
    typed: bool
    lines: list[OutputLine]


def groups_of(lines: Sequence[OutputLine]) -> list[OutputGroup]:
    """Return the lines grouped by provenance, in the order they first appear (no queries)."""
    groups: dict[tuple[str, dt.date | None, bool], list[OutputLine]] = {}
    for line in lines:
        groups.setdefault((line.source, line.as_of, line.typed), []).append(line)
    return [OutputGroup(s, d, t, found) for (s, d, t), found in groups.items()]


def lines_of(activity: Activity, figures: Sequence[Figure]) -> list[OutputLine]:
    """Return an activity's outputs: its counted figures, then the hand-typed fields that no
    counted figure covers, marked as typed by hand (no queries)."""
    lines = [OutputLine.counted(figure) for figure in figures]
    covered = {figure.key for figure in figures}
    typed_by_hand = _("Typed by hand")
    for key, field, label in TYPED_OUTPUTS:
        value = getattr(activity, field) or 0
        if value and key not in covered:
            lines.append(OutputLine(key, str(label), value, typed_by_hand, None, True))
    return lines


# The sentence of a typed output, with its plural: the msgids of the activities' templates.
TYPED_SENTENCES = {
    "participants": ("%(n)s participant", "%(n)s participants"),
    "articles_created": ("%(n)s article created", "%(n)s articles created"),
    "articles_improved": ("%(n)s article improved", "%(n)s articles improved"),
    "files_uploaded": ("%(n)s file uploaded", "%(n)s files uploaded"),
    "items_created": ("%(n)s Wikidata item created", "%(n)s Wikidata items created"),
    "items_edited": ("%(n)s Wikidata item edited", "%(n)s Wikidata items edited"),
    "people_trained": ("%(n)s person trained", "%(n)s people trained"),
}


def _grouped(value: int) -> str:
    """Return a count with the reader's digit grouping (1,240), as intcomma does."""
    if -1000 < value < 1000:  # nothing to group: spares number_format's cost on most figures
        return str(value)
    return number_format(value, use_l10n=True, force_grouping=True)


@functools.lru_cache(maxsize=512)
def _escaped(text: str) -> str:
    """Return the text escaped, as escape() does: once per label, not once per figure (a list
    of 50 counted events escapes the same 15 labels 750 times)."""
    return str(escape(text))


def outputs_html(groups: Sequence[OutputGroup]) -> SafeString:
    """Return an activity's outputs as the list pages show it, one item per provenance.

    Written here rather than in a template: a list of 50 counted events has some 750 figures,
    and a template's loop over them costs the page more than the rest of it."""
    typed_by_hand = _escaped(_("typed by hand"))
    items = []
    parts: list[str]
    for group in groups:
        if group.typed:
            parts = [
                escape(
                    ngettext(*TYPED_SENTENCES[line.key], line.value) % {"n": line.value}
                    if line.key in TYPED_SENTENCES
                    else f"{line.label}: {line.value}"
                )
                for line in group.lines
            ]
            said = typed_by_hand
        else:
            parts = [
                f"{_escaped(line.label)}: <strong>{_grouped(line.value)}</strong>"
                for line in group.lines
            ]
            said = _escaped(f"{group.source}, {group.as_of.isoformat() if group.as_of else ''}")
        items.append(f'<li>{" · ".join(parts)} <small class="muted">({said})</small></li>')
    return mark_safe(f'<ul class="outputs">{"".join(items)}</ul>')  # noqa: S308  # escaped above


def with_output_lines(activities: Iterable[Activity], *, html: bool = True) -> list[Activity]:
    """Return the activities, each with ``output_lines`` set (one query per registered
    provider for all of them, whatever their number), and ``output_html`` for pages."""
    rows = list(activities)
    counted = activity_outputs(rows)
    for activity in rows:
        lines = lines_of(activity, counted.get(activity.pk, []))
        setattr(activity, "output_lines", lines)  # noqa: B010
        if html:
            setattr(activity, "output_html", outputs_html(groups_of(lines)))  # noqa: B010
    return rows


def output_lines(activities: Iterable[Activity]) -> dict[int, list[OutputLine]]:
    """Return each activity's outputs by activity id (for exports and reports)."""
    return {a.pk: a.output_lines for a in with_output_lines(activities)}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutputSummary:
    """Outputs summed over many activities: counted ones by source, typed ones beside."""

    counted: list[Figure]
    typed: list[OutputLine]

    @property
    def any(self) -> bool:
        return bool(self.counted or self.typed)


def summary_of(activities: Iterable[Activity]) -> OutputSummary:
    """Return what output_summary returns, from activities already given their output lines
    by with_output_lines (no queries): for a page that read every activity anyway."""
    # Summed in lists, made into figures and lines once at the end (not once per output).
    counted: dict[tuple[str, str], list[Any]] = {}  # [label, value, oldest as_of]
    typed: dict[str, list[Any]] = {}  # [label, value, source]
    for activity in activities:
        for line in activity.output_lines:  # type: ignore[attr-defined]
            if line.typed:
                held = typed.get(line.key)
                if held is None:
                    typed[line.key] = [line.label, line.value, line.source]
                else:
                    held[0], held[1], held[2] = line.label, held[1] + line.value, line.source
                continue
            found = counted.get((line.key, line.source))
            if found is None:
                counted[(line.key, line.source)] = [line.label, line.value, line.as_of]
                continue
            found[0], found[1] = line.label, found[1] + line.value
            if line.as_of and (found[2] is None or line.as_of < found[2]):
                found[2] = line.as_of
    order = {key: n for n, (key, _f, _l) in enumerate(TYPED_OUTPUTS)}
    return OutputSummary(
        counted=[
            Figure(label=label, value=value, source=source, as_of=as_of, key=key)
            for (key, source), (label, value, as_of) in counted.items()
        ],
        typed=sorted(
            (
                OutputLine(key, label, value, source, None, True)
                for key, (label, value, source) in typed.items()
            ),
            key=lambda line: order.get(line.key, 99),
        ),
    )


def output_summary(
    activities: QuerySet[Activity], *, typed_sums: Mapping[str, int] | None = None
) -> OutputSummary:
    """Return the counted outputs of the activities summed by metric and source, and their
    hand-typed outputs that no counted figure of the same activity covers: what summary_of
    sums from the rows. A few queries whatever the number of activities: per provider, its
    sums and which outputs it covers on which activities; the typed sums; and, when anything
    is covered, the typed outputs of the activities with figures, taken off those sums.

    ``typed_sums``: the activities' typed fields summed, when the caller has them already
    (activity_outputs, for the partnership page): one query fewer."""
    counted: list[Figure] = []
    keys = [key for key, _field, _label in TYPED_OUTPUTS]
    covered: set[tuple[int, str]] = set()
    with_figures = Q(pk__in=[])
    for totals in activity_output_totals(activities):
        counted.extend(totals.figures)
        found = set(totals.covered(keys))
        if found:
            covered |= found
            with_figures |= Q(pk__in=totals.counted_ids)
    sums = (
        {key: typed_sums[field] or 0 for key, field, _label in TYPED_OUTPUTS}
        if typed_sums is not None
        else activities.order_by().aggregate(
            **{key: Sum(field) for key, field, _label in TYPED_OUTPUTS}
        )
    )
    if covered:
        fields = [field for _key, field, _label in TYPED_OUTPUTS]
        for pk, *values in activities.filter(with_figures).values_list("pk", *fields):
            for key, value in zip(keys, values, strict=True):
                if value and (pk, key) in covered:
                    sums[key] -= value
    typed_by_hand = _("Typed by hand")
    typed = [
        OutputLine(key, str(label), sums[key], typed_by_hand, None, True)
        for key, _field, label in TYPED_OUTPUTS
        if sums[key]
    ]
    return OutputSummary(counted=counted, typed=typed)
