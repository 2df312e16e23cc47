"""Form helpers shared by every app's views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's validation errors on the form, field by field where possible."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
