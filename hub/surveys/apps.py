"""Configure the surveys app: partner surveys, invitations, answers and the partner portal."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "hub.surveys"
    label = "surveys"
    verbose_name = _("Partner surveys and portal")

    def ready(self) -> None:
        from hub.core.erasure import scrubbers
        from hub.core.personal_data import finders
        from hub.partnerships.slots import PARTNERSHIP_PAGE, PARTNERSHIP_SATISFACTION
        from hub.surveys import jobs, personal_data, sections, selectors

        PARTNERSHIP_PAGE.register(sections.partnership_surveys_section)
        PARTNERSHIP_SATISFACTION.register(selectors.satisfaction_by_partnership)
        finders.register(personal_data.find_survey_records)
        scrubbers.register(personal_data.scrub_survey_records)
        jobs.register()
        self._ready_portal()

    def _ready_portal(self) -> None:
        """Wire the partner portal: its sections on the organisation page and My work, its job,
        its personal data."""
        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS
        from hub.partners.slots import MY_WORK, ORGANISATION_PAGE
        from hub.surveys.portal import erasure as portal_erasure
        from hub.surveys.portal import jobs, sections

        ORGANISATION_PAGE.register(sections.organisation_portal_section)
        MY_WORK.register(sections.my_work_changes_section)
        jobs.register()
        personal_data.finders.register(portal_erasure.find_change_requests)
        erasure.scrubbers.register(portal_erasure.scrub_change_requests)
        erasure.scrubbers.register(portal_erasure.forget_drawn_portals)
        # Words for the organisation's timeline.
        ACTION_LABELS.update(
            {
                "portal.link_created": _("made a partner portal link"),
                "portal.link_revoked": _("withdrew the partner portal link"),
                "portal.updates_frequency": _("changed how often the partner gets updates"),
                "portal.change_requested": _("received a correction from the partner portal"),
                "portal.change_approved": _("accepted a correction from the partner portal"),
                "portal.change_rejected": _("declined a correction from the partner portal"),
                "survey.create": _("created a survey"),
                "survey.update": _("changed a survey"),
                "survey.question_add": _("added a survey question"),
                "survey.question_update": _("changed a survey question"),
                "survey.question_remove": _("removed a survey question"),
                "survey.send": _("sent a survey"),
                "survey.rule_create": _("set up a survey sent automatically"),
                "survey.rule_update": _("changed a survey sent automatically"),
                "survey.rule_stop": _("stopped a survey sent automatically"),
                "survey.opt_out": _("asked to receive no more surveys"),
            }
        )
