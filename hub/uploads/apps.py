"""Configure the uploads app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "hub.uploads"
    label = "uploads"
    verbose_name = _("Batch uploads")

    def ready(self) -> None:
        from hub.core.metrics import metric_sources
        from hub.core.models import ACTION_LABELS
        from hub.partnerships.slots import PARTNERSHIP_PAGE
        from hub.uploads import sections
        from hub.uploads.metrics import upload_metrics

        PARTNERSHIP_PAGE.register(sections.partnership_uploads_section)
        # Upload outcomes on /metrics (hub/core/metrics.py).
        metric_sources.register(upload_metrics)
        # Words for the partnership's timeline, where every batch's steps are recorded.
        ACTION_LABELS.update(
            {
                "uploads.batch_created": _("started a batch upload"),
                "uploads.batch_deleted": _("deleted a batch upload"),
                "uploads.demo_batch": _("added a demo batch upload"),
                "uploads.sheet_read": _("read a batch upload's spreadsheet"),
                "uploads.mapping_changed": _("matched a batch upload's columns"),
                "uploads.files_added": _("added files to a batch upload"),
                "uploads.file_removed": _("removed a file from a batch upload"),
                "uploads.fetch_requested": _("asked to fetch a batch upload's files"),
                "uploads.files_fetched": _("fetched a batch upload's files"),
                "uploads.template_changed": _("changed a batch upload's description"),
                "uploads.account_set": _("chose the account for a batch upload"),
                "uploads.check_requested": _("asked to check a batch upload"),
                "uploads.checked": _("checked a batch upload"),
                "uploads.started": _("started sending a batch upload"),
                "uploads.paused": _("paused a batch upload"),
                "uploads.resumed": _("resumed a batch upload"),
                "uploads.cancelled": _("cancelled a batch upload"),
                "uploads.finished": _("finished a batch upload"),
            }
        )
