"""Configure the community app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "hub.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from hub.community.erasure import find_in_community, scrub_community
        from hub.core import erasure, personal_data
        from hub.core.models import ACTION_LABELS

        erasure.scrubbers.register(scrub_community)
        personal_data.finders.register(find_in_community)
        ACTION_LABELS.update(
            {
                "profile.created": _("created a helper profile"),
                "profile.updated": _("changed a helper profile"),
                "help_request.help_offered": _("offered help with a request"),
                "help_request.helper_asked": _("asked a helper for help"),
                "help_request.helper_answered": _("answered as a helper"),
            }
        )
