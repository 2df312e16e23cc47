"""Draw the sections other apps add to a page (hub.core.sections)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from hub.core.sections import Section

register = template.Library()


@register.simple_tag(takes_context=True)
def draw_sections(context: Any, sections: Iterable[Section]) -> SafeString:
    """Render each section's partial as {% include %} would, with the section's values added."""
    parts = []
    for section in sections:
        partial = context.template.engine.get_template(section.template)
        with context.push(**section.context):
            parts.append((partial.render(context),))
    # Each part is a rendered template, already escaped: joined as it is.
    return format_html_join("", "{}", parts)
