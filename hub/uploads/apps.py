"""Configure the uploads app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "hub.uploads"
    label = "uploads"
    verbose_name = _("Batch uploads")

    def ready(self) -> None:
        from hub.core.metrics import metric_sources
        from hub.partnerships.slots import PARTNERSHIP_PAGE
        from hub.uploads import sections
        from hub.uploads.metrics import upload_metrics

        PARTNERSHIP_PAGE.register(sections.partnership_uploads_section)
        # Upload outcomes on /metrics (hub/core/metrics.py).
        metric_sources.register(upload_metrics)
