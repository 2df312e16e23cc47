"""Sections that apps higher up add to a lower app's page (hub.core.sections)."""

from __future__ import annotations

from django.template import Context, Template

from hub.core.sections import Section, Slot
from hub.impact.sections import partnership_impact_section
from hub.partners.slots import MY_WORK, ORGANISATION_PAGE
from hub.partnerships import sections
from hub.partnerships.slots import PARTNERSHIP_PAGE


def test_a_slot_reads_its_sections_in_the_order_they_were_added() -> None:
    slot: Slot[[str]] = Slot("test.page")

    def first(name: str) -> Section:
        return Section("first.html", {"name": name})

    def second(name: str) -> Section:
        return Section("second.html", {"shout": name.upper()})

    slot.register(first)
    slot.register(second)
    slot.register(first)  # a second ready() adds nothing twice
    assert slot.sections("ana") == [
        Section("first.html", {"name": "ana"}),
        Section("second.html", {"shout": "ANA"}),
    ]


def test_the_higher_apps_fill_the_lower_apps_pages_when_they_start() -> None:
    assert sections.organisation_partnerships_section in list(ORGANISATION_PAGE)
    assert sections.my_work_tasks_section in list(MY_WORK)
    assert partnership_impact_section in list(PARTNERSHIP_PAGE)


def test_draw_sections_renders_each_partial_with_its_own_values(settings, tmp_path) -> None:
    (tmp_path / "_greeting.html").write_text("<p>{{ greeting }}, {{ who }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    page = Template("{% load hub_sections %}{% draw_sections sections %}{{ greeting|default:'-' }}")
    html = page.render(
        Context(
            {
                "who": "<b>volunteer</b>",
                "sections": [Section("_greeting.html", {"greeting": "Hello"})],
            }
        )
    )
    # The page's values reach the partial, escaped; the section's values stay in the partial.
    assert html == "<p>Hello, &lt;b&gt;volunteer&lt;/b&gt;</p>-"
