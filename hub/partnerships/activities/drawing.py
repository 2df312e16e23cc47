"""The rows of a partnership's list of activities, written out as HTML (every value escaped by
format_html).

Drawn in the template language, each of the page's 50 rows resolves some thirty variables,
translates its words again and reverses its links: more than all the page's queries. Here each
row is one format_html, with the labels translated and the addresses reversed once per page.
The page's structure, headings and sentences stay in templates/partnerships/activity_list.html;
tests/test_activity_list_drawing.py compares these rows with the template loop they replace.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from hub.core.labels import choice_labels
from hub.core.languages import date_range, list_separator
from hub.core.links import url_by_id
from hub.partnerships.models import Activity

Links = list[tuple[str, str]]


def _links(links: Links) -> SafeString:
    return mark_safe(  # noqa: S308  # each part made by format_html
        "".join(format_html('<br><a href="{}">{}</a>', url, label) for label, url in links)
    )


def activity_rows(
    rows: Sequence[tuple[Activity, Links, list[str]]], *, slug: str, can_edit: bool
) -> str:
    """Return the table rows of the activities, each with the links apps add to it and the
    names of its partners (the activities carry ``output_html``, from with_output_lines)."""
    kinds = choice_labels(Activity, "kind")
    online = _("online")
    separator = list_separator()
    actions = ""
    if can_edit:
        edit_url = url_by_id("partnerships:activity_edit", slug=slug)
        delete_url = url_by_id("partnerships:activity_delete", slug=slug)
        edit, delete = _("Edit"), _("Delete")
    drawn = []
    for a, links, names in rows:
        starts = a.starts_on.isoformat()
        dates = (
            date_range(starts, a.ends_on.isoformat())
            if a.ends_on and a.ends_on != a.starts_on
            else starts
        )
        notes = (
            format_html('<br><span class="muted">{}</span>', Truncator(a.notes).chars(140))
            if a.notes
            else ""
        )
        if a.online:
            where = format_html("{} · {}", a.place, online) if a.place else online
        else:
            where = a.place
        partners = separator.join(names)
        if can_edit:
            actions = format_html(
                '<td><a href="{}">{}</a> · <a href="{}">{}</a></td>',
                edit_url(a.pk),
                edit,
                delete_url(a.pk),
                delete,
            )
        drawn.append(
            format_html(
                "<tr>\n<td>{}</td>\n"
                '<td><strong>{}</strong><br><span class="muted">{}</span>{}{}</td>\n'
                "<td>{}</td>\n<td>{}</td>\n<td>{}\n</td>\n{}\n</tr>",
                dates,
                a.title,
                kinds.get(a.kind, a.kind),
                notes,
                _links(links),
                where,
                partners,
                a.output_html,  # type: ignore[attr-defined]  # escaped where drawn
                actions,
            )
        )
    return mark_safe("".join(drawn))  # noqa: S308  # each row made by format_html
