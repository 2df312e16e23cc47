"""Configure the demo app: it only loads data, through the other apps' services."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "hub.demo"
    label = "demo"
    verbose_name = _("Demo data")
