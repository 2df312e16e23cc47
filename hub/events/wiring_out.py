"""Wire the events app's out part into the Hub: sections, providers, finders, jobs."""

from hub.partnerships.slots import (
    ACTIVITY_LINKS,
    ACTIVITY_OUTPUT_TOTALS,
    ACTIVITY_OUTPUTS,
    ACTIVITY_PUBLIC_LINKS,
)


def register() -> None:
    """Register this part's contributions (called from EventsConfig.ready)."""
    from hub.events import outputs

    ACTIVITY_OUTPUTS.register(outputs.activity_outputs)
    ACTIVITY_OUTPUT_TOTALS.register(outputs.activity_output_totals)
    ACTIVITY_PUBLIC_LINKS.register(outputs.activity_public_links)
    ACTIVITY_LINKS.register(outputs.activity_member_links)
