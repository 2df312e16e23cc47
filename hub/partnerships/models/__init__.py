"""The partnerships app's models, one module per subject, all importable from here."""

from hub.partnerships.models.activities import Activity, Contribution, ExchangeRate
from hub.partnerships.models.partnerships import (
    CONTRIBUTION_FIELDS,
    GOAL_FIELDS,
    AffiliateGoal,
    AgreementPoint,
    ChecklistPoint,
    ContributionType,
    Document,
    Goal,
    Partnership,
    PartnershipPartner,
    Stage,
    StageChange,
)
from hub.partnerships.models.scoring import StrategicDefinition
from hub.partnerships.models.tasks import CalendarFeed, Reminder, Task

__all__ = [
    "CONTRIBUTION_FIELDS",
    "GOAL_FIELDS",
    "Activity",
    "AffiliateGoal",
    "AgreementPoint",
    "CalendarFeed",
    "ChecklistPoint",
    "Contribution",
    "ContributionType",
    "Document",
    "ExchangeRate",
    "Goal",
    "Partnership",
    "PartnershipPartner",
    "Reminder",
    "Stage",
    "StageChange",
    "StrategicDefinition",
    "Task",
]
