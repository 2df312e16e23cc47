"""The surveys app's models: one module per part, gathered here for Django."""

from hub.surveys.models.mailing import OptOut
from hub.surveys.models.portal import ChangeRequest, PartnerUpdates, PortalLink, UpdateDelivery

__all__ = ["ChangeRequest", "OptOut", "PartnerUpdates", "PortalLink", "UpdateDelivery"]
