"""The surveys app's models: one module per part, gathered here for Django."""

from hub.surveys.models.mailing import OptOut
from hub.surveys.models.surveys import (
    Answer,
    Delivery,
    Invitation,
    Question,
    Response,
    Sending,
    Survey,
    SurveyRule,
    SurveyVersion,
)

__all__ = [
    "Answer",
    "Delivery",
    "Invitation",
    "OptOut",
    "Question",
    "Response",
    "Sending",
    "Survey",
    "SurveyRule",
    "SurveyVersion",
]
