"""Read values from query strings safely: trimmed, capped, free of control characters."""

from __future__ import annotations

import re
from typing import Any

# NUL and the other C0 controls mean nothing in a search box, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text_param(params: Any, name: str, max_length: int = 200, default: str = "") -> str:
    """Return a query-string value as plain text, without control characters, at most max_length."""
    value = params.get(name) or default
    return _CONTROL.sub("", str(value)).strip()[:max_length]
