"""The user guide: readable by anyone, linked from every page's footer, and every picture it shows
is there (it reads in each shipped language: tests/test_shipped_languages.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.test_guide_screenshots import SHOTS, shots_the_guide_shows

pytestmark = pytest.mark.django_db

CHAPTERS = ["coordinators", "staff", "hosting"]


def test_anyone_reads_the_guide_and_its_chapters() -> None:
    client = Client()
    contents = client.get("/guide/")
    assert contents.status_code == 200
    for chapter in CHAPTERS:
        assert f'href="/guide/{chapter}/"' in contents.text
        page = client.get(f"/guide/{chapter}/")
        assert page.status_code == 200, chapter
        assert 'aria-current="page"' in page.text
    assert "Bring your partner directory in" in client.get("/guide/coordinators/").text
    assert client.get("/guide/nothing-here/").status_code == 404


def test_every_page_links_the_guide_in_its_footer() -> None:
    for path in ["/login/", "/showcase/", "/helpdesk/ask/"]:
        footer = Client().get(path).text.split('<footer class="foot">')[1]
        assert 'href="/guide/"' in footer, path


def test_every_picture_the_guide_shows_exists() -> None:
    names = shots_the_guide_shows()
    assert names, "the guide shows screenshots"
    for name in names:
        assert (SHOTS / f"{name}.jpg").stat().st_size > 5_000, name
    page = Client().get("/guide/coordinators/").text
    assert 'src="/static/guide/import.jpg"' in page
    assert 'loading="lazy"' in page  # a phone on a slow line loads them only when reached
