"""The rows of a partnership's list of activities, written out as HTML (every value escaped).

Drawn in the template language, each of the page's 50 rows resolves some thirty variables,
translates its words again and reverses its links: more than all the page's queries. Here each
row is one string, every value escaped, its labels translated and its addresses reversed once
per page. The page's structure, headings and sentences stay in
templates/partnerships/activity_list.html; tests/test_activity_list_drawing.py compares these
rows with the template loop they replace.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from hub.core.labels import choice_labels
from hub.core.languages import date_range, list_separator
from hub.core.links import url_by_id
from hub.partnerships.models import Activity

Links = list[tuple[str, str]]


def _text(value: object) -> str:
    """Return a value escaped for HTML as django.utils.html.escape does (it is html.escape on
    the value's text), without the lazy-string check it pays on each of the page's thousand
    values: every value here is already text (or a date, or None, as the template showed)."""
    return html.escape(str(value))


def activity_rows(
    rows: Sequence[tuple[Activity, Links, list[str]]], *, slug: str, can_edit: bool
) -> SafeString:
    """Return the table rows of the activities, each with the links apps add to it and the
    names of its partners (the activities carry ``output_html``, from with_output_lines)."""
    kinds = {value: _text(label) for value, label in choice_labels(Activity, "kind").items()}
    online = _text(_("online"))
    separator = _text(list_separator())
    actions = ""
    if can_edit:
        edit_url = url_by_id("partnerships:activity_edit", slug=slug)
        delete_url = url_by_id("partnerships:activity_delete", slug=slug)
        edit, delete = _text(_("Edit")), _text(_("Delete"))
    drawn = []
    for a, links, names in rows:
        starts = a.starts_on.isoformat()
        dates = (
            _text(date_range(starts, a.ends_on.isoformat()))
            if a.ends_on and a.ends_on != a.starts_on
            else starts
        )
        notes = (
            f'<br><span class="muted">{_text(Truncator(a.notes).chars(140))}</span>'
            if a.notes
            else ""
        )
        more = "".join(f'<br><a href="{_text(url)}">{_text(label)}</a>' for label, url in links)
        where = _text(a.place)
        if a.online:
            where = f"{where} · {online}" if a.place else online
        partners = separator.join(_text(name) for name in names)
        if can_edit:
            actions = (
                f'<td><a href="{_text(edit_url(a.pk))}">{edit}</a> · '
                f'<a href="{_text(delete_url(a.pk))}">{delete}</a></td>'
            )
        drawn.append(
            f"<tr>\n<td>{dates}</td>\n"
            f'<td><strong>{_text(a.title)}</strong><br><span class="muted">'
            f"{kinds[a.kind] if a.kind in kinds else _text(a.kind)}</span>{notes}{more}</td>\n"
            f"<td>{where}</td>\n<td>{partners}</td>\n"
            f"<td>{a.output_html}\n</td>\n{actions}\n</tr>"  # type: ignore[attr-defined]
        )
    # Every value above is escaped by _text; output_html is escaped where it is drawn.
    return mark_safe("".join(drawn))  # noqa: S308
