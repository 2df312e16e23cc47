"""Wire the events app's count part into the Hub: sections, providers, finders, jobs."""


def register() -> None:
    """Register this part's contributions (called from EventsConfig.ready)."""
    from hub.events import jobs_count

    jobs_count.register()
