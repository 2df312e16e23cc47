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

        erasure.scrubbers.register(scrub_community)
        personal_data.finders.register(find_in_community)
