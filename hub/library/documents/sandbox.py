"""Render a user-written document template in a sandbox that reaches only the data offered.

A template is code written by people of many affiliates, so it runs in Jinja2's immutable
sandbox with no loader (nothing can be included, imported or extended), no globals but a
bounded range, plain values only in its context, and errors that name what went wrong in words
a volunteer understands.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Enough for any real document; a template that writes more is stuck in a loop.
MAX_OUTPUT_CHARS = 200_000
MAX_SOURCE_CHARS = 50_000
MAX_RANGE = 1000
MAX_REPEAT = 10_000

# Tags that would reach other files; refused before anything runs.
_LOADING = {
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Extends: "extends",
}


class TemplateRefused(ValidationError):
    """A template that cannot be rendered; the message says why and what to change."""


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range longer than {MAX_RANGE}")
    return numbers


def _too_long(value: Any) -> bool:
    return isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS


def _checked_replace(value: str, old: str, new: str, count: int | None = None) -> str:
    if len(new) > len(old) and str(value).count(old) * (len(new) + 1) > MAX_OUTPUT_CHARS:
        raise SecurityError("replace grows too much")
    return str(value).replace(old, new, -1 if count is None else count)


# The filters a document needs; those that pad, wrap or format to a width given by the template
# (center, indent, format, wordwrap...) are left out: a width of a billion would fill the memory.
_FILTERS = (
    "abs capitalize count d default dictsort first float int join last length list lower "
    "max min reverse round sort string sum title trim truncate unique upper wordcount"
).split()
# Methods of plain values that templates may call; string methods that pad or format are not.
_METHODS = frozenset(
    "upper lower title capitalize strip lstrip rstrip startswith endswith split "
    "items keys values get".split()
)


class _Codegen(CodeGenerator):
    """Compile `a ~ b` to a join that refuses to build a text longer than a document."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox; growth (repetition, joining, powers) kept to a document's size."""

    code_generator_class = _Codegen
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def checked_join(self, values: Any) -> str:
        text = "".join(str(v) for v in values)
        if len(text) > MAX_OUTPUT_CHARS:
            raise SecurityError("joined text too long")
        return text

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("power")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("string formatting")
        if operator == "*" and (isinstance(left, str | list) or isinstance(right, str | list)):
            count = right if isinstance(right, int) else left
            if isinstance(count, int) and count > MAX_REPEAT:
                raise SecurityError("repeat")
        result = super().call_binop(context, operator, left, right)
        if _too_long(result):
            raise SecurityError("result too long")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if __obj is _bounded_range:
            return _bounded_range(*args)
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str) and name == "replace":
            return _checked_replace(owner, *args, **kwargs)
        if not isinstance(owner, str | dict) or name not in _METHODS:
            raise SecurityError(f"calling {name or __obj!r}")
        return super().call(__context, __obj, *args, **kwargs)


def _environment() -> _Sandbox:
    env = _Sandbox(
        loader=None,
        autoescape=False,  # the output is plain text; each writer escapes for its format
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.clear()
    env.globals["range"] = _bounded_range
    env.filters = {name: env.filters[name] for name in _FILTERS}
    env.filters["replace"] = _checked_replace
    return env


_ENV = _environment()


def _plain(value: Any, path: str = "context") -> Any:
    """Return the value if it is plain data (dicts, lists, strings, numbers); refuse others."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, path) for v in value]
    raise TypeError(f"{path} is a {type(value).__name__}, not plain data")


def _line(error: TemplateError) -> str:
    lineno = getattr(error, "lineno", None)
    return _(" (line %(n)s)") % {"n": lineno} if lineno else ""


def _check_source(source: str) -> nodes.Template:
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateRefused(
            _("The template is longer than %(n)s characters.") % {"n": f"{MAX_SOURCE_CHARS:,}"},
            code="too_long",
        )
    try:
        tree = _ENV.parse(source)
    except TemplateSyntaxError as error:
        tag = str(error.message or "")
        if "unknown tag" in tag:
            name = tag.split("'")[1] if "'" in tag else tag
            raise TemplateRefused(
                _(
                    "The template uses the tag “%(tag)s”%(line)s, which document templates do "
                    "not have. Use only placeholders like {{ partnership.title }}, "
                    "{%% if %%} and {%% for %%}."
                )
                % {"tag": name, "line": _line(error)},
                code="unknown_tag",
            ) from None
        raise TemplateRefused(
            _("The template has a mistake%(line)s: %(message)s")
            % {"line": _line(error), "message": tag},
            code="syntax",
        ) from None
    for node_type, word in _LOADING.items():
        found = next(iter(tree.find_all(node_type)), None)
        if found is not None:
            raise TemplateRefused(
                _(
                    "The template uses “%(tag)s” (line %(n)s): templates cannot load other "
                    "templates or files. Copy the text you need into this template."
                )
                % {"tag": word, "n": found.lineno},
                code="loading",
            )
    return tree


def check(source: str) -> None:
    """Raise TemplateRefused if the template cannot be parsed or reaches for other files."""
    _check_source(source)


def _chunks(source: str, context: dict[str, Any]) -> Iterator[str]:
    _check_source(source)
    template = _ENV.from_string(source)
    return template.generate(context)


def render(source: str, context: Mapping[str, Any]) -> str:
    """Return the template's text with the context's values; raise TemplateRefused on error."""
    data = _plain(context)
    parts: list[str] = []
    size = 0
    try:
        for chunk in _chunks(source, data):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateRefused(
                    _("The document would be longer than %(n)s characters; check the loops.")
                    % {"n": f"{MAX_OUTPUT_CHARS:,}"},
                    code="too_long",
                )
            parts.append(chunk)
    except UndefinedError as error:
        raise TemplateRefused(
            _(
                "The template asks for something that is not among the placeholders offered: "
                "%(message)s. See the list of placeholders beside the form."
            )
            % {"message": str(error.message or "")[:200]},
            code="undefined",
        ) from None
    except SecurityError:
        raise TemplateRefused(
            _(
                "The template tries to reach beyond the placeholders offered (hidden attributes, "
                "functions or very large repetitions). Use only the placeholders listed."
            ),
            code="unsafe",
        ) from None
    except TemplateError as error:
        raise TemplateRefused(
            _("The template has a mistake%(line)s: %(message)s")
            % {"line": _line(error), "message": str(error.message or error)[:200]},
            code="syntax",
        ) from None
    except (TypeError, ValueError, ArithmeticError, OverflowError) as error:
        raise TemplateRefused(
            _("The template could not be filled in: %(message)s") % {"message": str(error)[:200]},
            code="error",
        ) from None
    return "".join(parts)
