"""The library search page's result lines and facet lists, drawn in Python: escaped, linked."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse

from hub.library import drawing, services
from hub.library.selectors import Facet, FacetValue
from tests import factories

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def _links(html: str) -> dict[str, tuple[dict[str, list[str]], bool]]:
    """Return {the text of each facet link: (its query, whether it says it is chosen)}."""
    nav = html.split('class="facets">', 1)[1].split("</nav>", 1)[0]
    found = re.findall(r'<a href="\?([^"]*)"( aria-current="true")?>([^<]*)</a>', nav)
    return {text: (parse_qs(query.replace("&amp;", "&")), bool(on)) for query, on, text in found}


def test_result_lines_escape_every_text_and_mark_only_the_words() -> None:
    staff = factories.member(factories.affiliate(), is_hub_staff=True)
    affiliate = factories.affiliate(name=f"Wikimedia {SCRIPT}")
    member = factories.member(affiliate)
    resource = services.create_resource(
        actor=member,
        affiliate=affiliate,
        title=f"Museum {SCRIPT} agreement",
        kind="template",
        template_kind="agreement",
        visibility="movement",
        language="fr",
        summary=f"Signed with the museum & <b>its</b> {SCRIPT} board.",
    )
    services.set_featured(actor=staff, resource=resource, featured=True)
    client = Client()
    client.force_login(member)
    html = client.get(reverse("library:library"), {"q": "museum"}).content.decode()
    results = html.split('<ol class="results">', 1)[1].split("</ol>", 1)[0]
    assert SCRIPT not in html
    detail = reverse("library:resource_detail", kwargs={"pk": resource.pk})
    assert (
        f'<h3><a href="{detail}"><mark>Museum</mark> &lt;script&gt;alert(1)&lt;/script&gt; '
        "agreement</a></h3>"
    ) in results
    assert (
        '<p class="muted">Template · Agreement · French · Wikimedia &lt;script&gt;alert(1)'
        '&lt;/script&gt; · <span class="badge">featured</span></p>'
    ) in results
    assert (
        "<p>Signed with the <mark>museum</mark> &amp; &lt;b&gt;its&lt;/b&gt; "
        "&lt;script&gt;alert(1)&lt;/script&gt; board.</p>"
    ) in results
    assert results.count("<mark>") == 2


def test_facet_links_keep_the_words_and_the_other_choices(affiliate_a: Any, member_a: Any):
    for language, region in (("en", "nwe"), ("en", "mea"), ("fr", "nwe")):
        services.create_resource(
            actor=member_a,
            affiliate=affiliate_a,
            title=f"Museum guide {language} {region}",
            kind="guideline",
            visibility="movement",
            language=language,
            regions=[region],
        )
    client = Client()
    client.force_login(member_a)
    html = client.get(
        reverse("library:library"), {"q": "museum", "language": "en", "kind": "guideline"}
    ).content.decode()
    links = _links(html)
    # An unchosen value adds itself to the words and every other choice.
    assert links["Northern and Western Europe"] == (
        {"q": ["museum"], "kind": ["guideline"], "language": ["en"], "region": ["nwe"]},
        False,
    )
    # A chosen value's link takes it away and keeps the rest; it says it is chosen.
    assert links["✓ English"] == ({"q": ["museum"], "kind": ["guideline"]}, True)
    assert links["✓ Guideline"] == ({"q": ["museum"], "language": ["en"]}, True)
    assert '<span class="muted">(1)</span>' in html
    # A new search keeps the chosen values.
    form = html.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="kind" value="guideline">' in form
    assert '<input type="hidden" name="language" value="en">' in form


def test_facet_lists_escape_labels_and_values() -> None:
    facets = [
        Facet(
            name="topic",
            label=f"Topic {SCRIPT}",
            values=[
                FacetValue(value='a"&b', label=f"Label {SCRIPT}", count=1234, chosen=False),
                FacetValue(value="<c>", label="Chosen & kept", count=2, chosen=True),
            ],
        )
    ]
    html = drawing.facet_lists(facets, {"q": "<x>"})
    assert SCRIPT not in html
    assert "<h2>Topic &lt;script&gt;alert(1)&lt;/script&gt;</h2>" in html
    assert '<a href="?q=%3Cx%3E&amp;topic=a%22%26b">Label &lt;script&gt;' in html
    assert '<a href="?q=%3Cx%3E" aria-current="true">✓ Chosen &amp; kept</a>' in html
    fields = drawing.chosen_fields(facets)
    assert fields == '<input type="hidden" name="topic" value="&lt;c&gt;">'


def test_facet_lists_show_the_first_twelve_values() -> None:
    values = [FacetValue(str(n), f"Value {n}", 20 - n, False) for n in range(15)]
    html = drawing.facet_lists([Facet("topic", "Topic", values)], {})
    assert html.count("<li>") == 12
    assert "Value 11" in html and "Value 12" not in html
