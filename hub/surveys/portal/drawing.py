"""The partner portal's repeated rows, written out as HTML (every value escaped by format_html).

The portal is drawn afresh on every visit. Drawn in the template language, its partnerships
with their figure tables, documents, activities and people cost the page more than all its
queries (each row resolves a dozen variables and translates its words again); here each row is
one format_html. The page's structure, headings and single sentences stay in
templates/surveys/portal/portal.html.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hub.core.labels import choice_labels
from hub.partnerships.models import Partnership
from hub.partnerships.slots import Figure
from hub.surveys.portal.selectors import ActivityRow, ContactRow, DocumentRow, Person
from hub.surveys.selectors import WaitingSurvey


def _join(parts: Iterable[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308  # each part made by format_html


def _figures_head() -> SafeString:
    """Return the figure tables' header row, the same for every partnership."""
    return format_html(
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        _("Figure"),
        _("Value"),
        _("Source"),
        _("As of"),
    )


def _figures_table(title: str, figures: list[Figure], head: SafeString) -> SafeString:
    if not figures:
        return format_html('<p class="muted">{}</p>', _("No figures yet."))
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                f.label,
                number_format(f.value, use_l10n=True, force_grouping=True),
                f.source,
                f.as_of.isoformat() if f.as_of else "—",
            )
            for f in figures
        ),
    )
    return format_html(
        '<div class="table-wrap" tabindex="0"><table>\n<caption>{}</caption>\n{}\n'
        "<tbody>{}</tbody>\n</table></div>",
        _("Impact of %(title)s") % {"title": title},
        head,
        rows,
    )


def partnership_cards(rows: list[tuple[Partnership, list[Figure]]]) -> SafeString:
    """Return each partnership's card: title, stage and dates, and its figures' table."""
    if not rows:
        return format_html('<p class="muted">{}</p>', _("No partnership to show yet."))
    stages = choice_labels(Partnership, "stage")
    head = _figures_head()
    cards = []
    for p, figures in rows:
        when = [stages.get(p.stage, p.stage)]
        if p.start_date:
            when.append(_("since %(date)s") % {"date": p.start_date.isoformat()})
        if p.end_date:
            when.append(_("until %(date)s") % {"date": p.end_date.isoformat()})
        cards.append(
            format_html(
                '<article class="card" aria-labelledby="p-{}"><h3 id="p-{}">{}</h3>\n<p>{}</p>\n'
                "{}\n</article>",
                p.pk,
                p.pk,
                p.title,
                " · ".join(when),
                _figures_table(p.title, figures, head),
            )
        )
    return _join(cards)


def document_items(documents: list[DocumentRow], home: str) -> SafeString:
    """Return the list items of the documents shared with the partner, each to download."""
    return format_html_join(
        "",
        '<li><a href="{}documents/{}/" download><bdi>{}</bdi></a> '
        '<span class="muted">{} · {}</span></li>',
        (
            (home, d.pk, d.original_name, d.partnership_title, filesizeformat(d.size))
            for d in documents
        ),
    )


def activity_items(activities: list[ActivityRow]) -> SafeString:
    """Return the list items of the upcoming activities: day, title, partnership, place."""
    online = _("online")
    items = []
    for a in activities:
        day = a.starts_on.isoformat()
        where = "".join([f" · {a.place}" if a.place else "", f" · {online}" if a.online else ""])
        items.append(
            format_html(
                '<li><time datetime="{}">{}</time> — {} <span class="muted">{}{}</span></li>',
                day,
                day,
                a.title,
                a.partnership_title,
                where,
            )
        )
    return _join(items)


def survey_items(surveys: list[WaitingSurvey]) -> SafeString:
    """Return the list items of the surveys waiting for an answer, with their deadlines."""
    items = []
    for s in surveys:
        deadline = (
            " · " + _("answer by %(date)s") % {"date": s.deadline.strftime("%Y-%m-%d")}
            if s.deadline
            else ""
        )
        items.append(
            format_html(
                '<li><a href="{}">{}</a> <span class="muted">{}{}</span></li>',
                s.url,
                s.title,
                s.contact_name,
                deadline,
            )
        )
    return _join(items)


def people_items(people: list[Person]) -> SafeString:
    """Return the list items of who to contact at the affiliate, with their addresses."""
    return _join(
        format_html('<li>{} — <a href="mailto:{}">{}</a></li>', p.name, p.email, p.email)
        if p.email
        else format_html("<li>{}</li>", p.name)
        for p in people
    )


def contact_rows(contacts: list[ContactRow], home: str) -> SafeString:
    """Return the table rows of the partner's people, each with a link to correct them."""
    return format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href="{}contacts/{}/">{}</a>'
        "</td></tr>",
        (
            (
                c.name,
                c.role,
                c.main_email,
                c.phone,
                home,
                c.pk,
                _("Correct %(name)s") % {"name": c.name},
            )
            for c in contacts
        ),
    )
