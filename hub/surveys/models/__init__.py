"""The surveys app's models: one module per part, gathered here for Django."""

from hub.surveys.models.mailing import OptOut

__all__ = ["OptOut"]
