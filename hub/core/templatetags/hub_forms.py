"""Draw a form field with its label, errors and help text, cheaply enough for long forms."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def draw_field(field: BoundField) -> SafeString:
    """Return the field's block: its label, its errors (tied to it by id), the widget and
    its help text. The markup ``_field.html`` includes; drawn here, not by the template engine,
    because a page such as the partnership page has twenty fields and more
    (tests/test_form_renderer.py holds the template it replaced and checks they agree)."""
    errors = field.errors
    error_block = (
        format_html(
            '<div class="cdx-message cdx-message--inline cdx-message--error">'
            '<span class="cdx-message__icon"></span><div class="cdx-message__content">'
            '<ul class="errorlist" id="{}_error">{}</ul></div></div>',
            field.auto_id,
            format_html_join("", "<li>{}</li>", ((e,) for e in errors)),
        )
        if errors
        else ""
    )
    help_block = (
        format_html(
            '<span class="helptext cdx-field__help-text" id="{}_helptext">{}</span>',
            field.auto_id,
            field.help_text,
        )
        if field.help_text
        else ""
    )
    return format_html(
        '<div class="field">\n  {}\n  {}\n  {}\n  {}\n</div>',
        field.label_tag(),
        error_block,
        field,  # its widget, as {{ field }} draws it
        help_block,
    )
