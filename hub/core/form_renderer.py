"""The form renderer: Django's, with its commonest widget templates written out in Python.

Django draws every field's label and widget through its template engine: a ``<select>`` is a
template that includes a template per option, each including the attributes' template. On a
page of many form fields (the partnership page has 22) that was about a third of the request.
``FastRenderer`` draws the same markup from the same context (``Widget.get_context``, the
label's context), byte for byte, for the templates in ``DRAWN``; any other template, and
any template an app or the project overrides, goes through the template engine as before.
``tests/test_form_renderer.py`` checks each drawing against Django's template, for the
values, attributes and escaping these widgets meet, and that no template in ``DRAWN`` is
overridden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = "django/forms/widgets/"


class _Context:
    """What ``render_value_in_context`` reads of a template context: the form renderer's
    engine escapes, and leaves time zones and localisation to the settings."""

    autoescape = True
    use_l10n = None
    use_tz = None


_CONTEXT = _Context()


def _out(value: Any) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)  # type: ignore[arg-type,no-any-return]


def _as_string(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - the filter's own formatting
    except (ValueError, TypeError):
        text = ""
    # As the filter (is_safe): its output is safe when, and only when, its input was.
    return _out(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    """``django/forms/widgets/attrs.html`` (and ``django/forms/attrs.html``)."""
    if not attrs:  # a label with no "for" has None
        return ""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_as_string(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/input.html``."""
    value = "" if widget["value"] is None else f' value="{_as_string(widget["value"])}"'
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = _out(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


def _option(option: Mapping[str, Any]) -> str:
    """``django/forms/widgets/select_option.html``."""
    return (
        f'<option value="{_as_string(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_out(option['label'])}</option>\n"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    """``django/forms/widgets/select.html``; None if an option has a template of its own."""
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _label(context: Mapping[str, Any]) -> str:
    """``django/forms/label.html``."""
    if context["use_tag"]:
        tag = _out(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{_out(context['label'])}</{tag}>\n"
    return _out(context["label"]) + "\n"


def _clearable_file_input(widget: Mapping[str, Any]) -> str | None:
    """``django/forms/widgets/clearable_file_input.html`` with no file yet (else None)."""
    if widget["is_initial"]:
        return None
    return (
        f'\n<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _widget(draw: Callable[[Mapping[str, Any]], str | None]) -> Callable[..., str | None]:
    return lambda context: draw(context["widget"])


def _included(draw: Callable[[Mapping[str, Any]], str]) -> Callable[..., str | None]:
    """A template that is ``{% include "django/forms/widgets/input.html" %}`` and a newline."""
    return lambda context: draw(context["widget"]) + "\n"


# Template name -> its drawing from the render context (None: draw it with the template).
DRAWN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "django/forms/label.html": _label,
    WIDGETS + "input.html": _widget(_input),
    WIDGETS + "textarea.html": _widget(_textarea),
    WIDGETS + "select.html": _widget(_select),
    WIDGETS + "clearable_file_input.html": _widget(_clearable_file_input),
    **{
        f"{WIDGETS}{name}.html": _included(_input)
        for name in (
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "time",
            "datetime",
            "search",
            "tel",
            "color",
            "checkbox",
            "file",
        )
    },
}


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with the templates in ``DRAWN`` drawn in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        draw = DRAWN.get(template_name)
        try:
            drawn = draw(context) if draw else None
        except (KeyError, AttributeError, TypeError):
            # A context of another shape (a custom widget's): the template copes with it.
            drawn = None
        if drawn is None:
            return super().render(template_name, context, request)  # type: ignore[no-any-return]
        # As Django's renderer: the template's output, stripped.
        return SafeString(drawn.strip())
