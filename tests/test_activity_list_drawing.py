"""The activities list's rows drawn in Python: the same HTML as the template loop they replace,
every value escaped, each link the address reverse gives."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hub.core.links import _STAND_IN, url_by_id
from hub.partners.models import Organisation
from hub.partnerships.activities import selectors
from hub.partnerships.activities import services as activities
from hub.partnerships.activities.drawing import activity_rows
from hub.partnerships.activities.outputs import with_output_lines
from hub.partnerships.slots import activity_links
from tests import factories

pytestmark = pytest.mark.django_db

# The loop templates/partnerships/activity_list.html drew the rows with before.
TEMPLATE_ROWS = (
    "{% load i18n hub_format %}"
    "{% for a, links, names in rows %}<tr>\n"
    "<td>{% if a.ends_on and a.ends_on != a.starts_on %}{% date_range a.starts_on|isodate "
    "a.ends_on|isodate %}{% else %}{{ a.starts_on|isodate }}{% endif %}</td>\n"
    '<td><strong>{{ a.title }}</strong><br><span class="muted">{{ a|choice_label:"kind" }}'
    '</span>{% if a.notes %}<br><span class="muted">{{ a.notes|truncatechars:140 }}</span>'
    '{% endif %}{% for label, url in links %}<br><a href="{{ url }}">{{ label }}</a>'
    "{% endfor %}</td>\n"
    "<td>{{ a.place }}{% if a.online %}{% if a.place %} · {% endif %}"
    '{% translate "online" %}{% endif %}</td>\n'
    "<td>{% for o in a.partners.all %}{{ o.name }}{% if not forloop.last %}"
    "{% list_separator %}{% endif %}{% endfor %}</td>\n"
    '<td>{% include "partnerships/_activity_row_outputs.html" %}</td>\n'
    "{% if membership.can_edit %}<td><a href=\"{% url 'partnerships:activity_edit' "
    'slug=current_affiliate.slug pk=a.pk %}">{% translate "Edit" %}</a> · '
    "<a href=\"{% url 'partnerships:activity_delete' slug=current_affiliate.slug pk=a.pk %}\">"
    '{% translate "Delete" %}</a></td>{% endif %}\n'
    "</tr>{% endfor %}"
)
EVIL = "<script>alert(1)</script> & \"quotes\" 'too'"


@pytest.fixture
def rows(affiliate_a, member_a):
    museum = factories.organisation(affiliate_a, name=f"Museum {EVIL}")
    library = factories.organisation(affiliate_a, name="City Library")
    p = factories.partnership(
        affiliate_a,
        actor=member_a,
        title=f"WikiGap {EVIL}",
        partners=[(museum, "main"), (library, "venue_host")],
    )
    day = dt.date(2026, 3, 8)
    shapes = [
        {"kind": "editathon", "ends_on": day + dt.timedelta(days=2), "place": EVIL},
        {"kind": "training", "ends_on": day, "online": True, "notes": EVIL * 10},
        {"kind": "media_upload", "place": "Malmö", "online": True, "files_uploaded": 1500},
        {"kind": "meeting", "participants": 12, "people_trained": 1},
    ]
    for n, shape in enumerate(shapes):
        activity = activities.create_activity(
            actor=None,
            partnership=p,
            title=f"Activity {n} {EVIL}",
            starts_on=day - dt.timedelta(days=n),
            partners=[museum, library] if n % 2 else [museum],
            **shape,
        )
        assert activity.pk
    # With the partners as the page read them before, for the template loop.
    found = with_output_lines(
        selectors.activity_list(p).prefetch_related(
            Prefetch("partners", queryset=Organisation.objects.only("id", "name").order_by("name"))
        )
    )
    links = activity_links(affiliate_a, found)
    # An app's link with text to escape, as a provider might give.
    links.setdefault(found[0].pk, []).append((EVIL, f"/x/?a=1&b={EVIL}"))
    names = selectors.partner_names(found)
    return p, [(a, links.get(a.pk, []), names[a.pk]) for a in found]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_rows_match_the_template_loop(affiliate_a, rows, language, can_edit):
    _p, pairs = rows
    with translation.override(language):
        expected = (
            engines["django"]
            .from_string(TEMPLATE_ROWS)
            .render(
                {
                    "rows": pairs,
                    "membership": SimpleNamespace(can_edit=can_edit),
                    "current_affiliate": affiliate_a,
                }
            )
        )
        drawn = activity_rows(pairs, slug=affiliate_a.slug, can_edit=can_edit)
    assert drawn == expected
    assert "<script>" not in drawn
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in drawn


def test_the_page_escapes_and_links(client_a, affiliate_a, rows):
    p, pairs = rows
    page = client_a.get(reverse("partnerships:activity_list", args=[affiliate_a.slug, p.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    for activity, _links, _names in pairs:
        assert f'href="/a/{affiliate_a.slug}/activities/{activity.pk}/edit/"' in html
        assert f'href="/a/{affiliate_a.slug}/activities/{activity.pk}/delete/"' in html
    assert html.count("<tr>") == len(pairs) + 1  # the head's row and one per activity


def test_a_viewer_gets_no_edit_links(viewer_a, affiliate_a, rows):
    p, _pairs = rows
    client = Client()
    client.force_login(viewer_a)
    html = client.get(
        reverse("partnerships:activity_list", args=[affiliate_a.slug, p.pk])
    ).content.decode()
    assert "/edit/" not in html and "/delete/" not in html


@pytest.mark.parametrize("slug", ["a001", f"x{_STAND_IN}"])
def test_url_by_id_gives_what_reverse_gives(slug):
    url = url_by_id("partnerships:activity_edit", slug=slug)
    for pk in (1, 42, 10**12):
        assert url(pk) == reverse("partnerships:activity_edit", kwargs={"slug": slug, "pk": pk})
