"""A development copy with one page that crashes (tests/test_error_pages.py serves it as
`make run` does): the Hub's own settings, with tests/crash_urls.py for its URLs."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.crash_urls"
CRASH_MESSAGE = "the crash test's own error"
