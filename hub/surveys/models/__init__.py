"""The surveys app's models: one module per part, gathered here for Django."""

from hub.surveys.models.mailing import OptOut
from hub.surveys.models.portal import ChangeRequest, PartnerUpdates, PortalLink, UpdateDelivery
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
    "ChangeRequest",
    "Delivery",
    "Invitation",
    "OptOut",
    "PartnerUpdates",
    "PortalLink",
    "Question",
    "Response",
    "Sending",
    "Survey",
    "SurveyRule",
    "SurveyVersion",
    "UpdateDelivery",
]
