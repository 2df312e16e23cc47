"""Wire the events app's people part into the Hub: sections, providers, finders, jobs."""


def register() -> None:
    """Register this part's contributions (called from EventsConfig.ready)."""
    from hub.core.erasure import scrubbers
    from hub.core.personal_data import finders
    from hub.events import personal_data, selectors
    from hub.partnerships.slots import ACTIVITY_LINKS

    ACTIVITY_LINKS.register(selectors.activity_links)
    finders.register(personal_data.find_participations)
    scrubbers.register(personal_data.erase_participations)
