"""Draw a published partnership's impact badge: a small SVG a partner shows on its website."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from hub.core.languages import join_list
from hub.partnerships.slots import Figure

HEIGHT = 20
# Average width of a character of 11 px DejaVu Sans/Verdana, in pixels: wide enough for digits
# and most capitals, so text rarely overflows its box.
CHAR_WIDTH = 6.5
PADDING = 8


def compact(value: int) -> str:
    """Return a count as a badge says it: 1,240 below a million, then 3.1 M."""
    if value >= 1_000_000_000:
        return _("%(n)s G") % {"n": number_format(round(value / 1_000_000_000, 1), 1)}
    if value >= 1_000_000:
        return _("%(n)s M") % {"n": number_format(round(value / 1_000_000, 1), 1)}
    return str(number_format(value, use_l10n=True, force_grouping=True))


def badge_text(figures: Sequence[Figure], year: int) -> str:
    """Return what the badge says: files on Commons and views this year, when measured."""
    by_key: dict[str, int] = {}
    for figure in figures:
        by_key[figure.key] = by_key.get(figure.key, 0) + figure.value
    said = []
    files = by_key.get("files_deep", by_key.get("files"))
    if files:
        said.append(_("%(n)s files on Wikimedia Commons") % {"n": compact(files)})
    if by_key.get("views"):
        said.append(_("%(n)s views in %(year)s") % {"n": compact(by_key["views"]), "year": year})
    if not said and by_key.get("articles"):
        said.append(_("%(n)s Wikipedia articles") % {"n": compact(by_key["articles"])})
    if not said and by_key.get("items"):
        said.append(_("%(n)s Wikidata items") % {"n": compact(by_key["items"])})
    return join_list(said) or _("partnership")


def badge_svg(*, label: str, text: str, title: str) -> str:
    """Return the badge: a grey label, a blue value, and a title for screen readers."""
    left = round(len(label) * CHAR_WIDTH) + 2 * PADDING
    right = round(len(text) * CHAR_WIDTH) + 2 * PADDING
    width = left + right
    label_e, text_e, title_e = escape(label), escape(text), escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{title_e}">'
        f"<title>{title_e}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="#54595d"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="#36c"/>'
        f'<g fill="#fff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">'
        f'<text x="{PADDING}" y="14">{label_e}</text>'
        f'<text x="{left + PADDING}" y="14">{text_e}</text>'
        f"</g></svg>"
    )
