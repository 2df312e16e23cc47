"""Turn what a person typed or pasted into the one form MediaWiki gives a username.

MediaWiki stores a username with spaces (not underscores), its first letter upper-cased and in
Unicode NFC; people paste ``User:Name``, ``Usuario:Name``, ``Special:Contributions/Name`` or a
whole address instead. :func:`canonical_username` accepts all of those and returns the name the
wiki knows, or raises a ValidationError that says what is wrong in a volunteer's words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 255
FORBIDDEN = set("#<>[]|{}/")
# The user namespace in the languages of the wikis people paste from (MediaWiki's local names
# and the gender forms), compared case-insensitively; "User talk:" pages name the user too.
USER_PREFIXES = (
    "user",
    "user talk",
    "u",
    "utilisateur",
    "utilisatrice",
    "usuario",
    "usuaria",
    "utente",
    "benutzer",
    "benutzerin",
    "gebruiker",
    "användare",
    "bruker",
    "bruger",
    "käyttäjä",
    "użytkownik",
    "użytkowniczka",
    "usuário",
    "usuária",
    "utilizador",
    "utilizadora",
    "участник",
    "участница",
    "користувач",
    "кориснік",
    "مستخدم",
    "مستخدمة",
    "کاربر",
    "משתמש",
    "משתמשת",
    "उपयोगकर्ता",
    "利用者",
    "用户",
    "使用者",
    "사용자",
    "kullanıcı",
    "uživatel",
    "felhasználó",
    "χρήστης",
    "gumagamit",
    "pengguna",
    "mtumiaji",
)
# Special:Contributions in the languages people paste from ("Spécial:Contributions/Name").
CONTRIBUTION_PAGES = frozenset(
    {
        "contributions",
        "contribs",
        "beiträge",
        "contribuciones",
        "contributi",
        "contribuições",
        "bijdragen",
        "bidrag",
        "wkład",
        "вклад",
        "внесок",
        "مساهمات",
        "مشارکت‌ها",
        "תרומות",
        "投稿記録",
        "用户贡献",
        "사용자기여",
        "katkıları",
        "příspěvky",
    }
)
SPACES = re.compile(r"[\s_\u00a0\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
BIDI_MARKS = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _from_url(text: str) -> str:
    """Return the page or user a pasted wiki address points at, or the text unchanged."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return text
    query = parse_qs(parts.query)
    for key in ("title", "target", "user"):
        if query.get(key):
            title = query[key][0]
            break
    else:
        path = unquote(parts.path)
        if "/wiki/" not in path:
            raise ValidationError(
                _("“%(text)s” is a web address, not a Wikimedia username.") % {"text": text[:100]}
            )
        title = path.split("/wiki/", 1)[1]
    target = query.get("target") or query.get("user")
    if target and ":" in title:
        page = title.split(":", 1)[1].replace("_", " ").strip().casefold()
        if page in CONTRIBUTION_PAGES:
            return target[0]
    return title


def _drop_prefix(text: str) -> str:
    """Return the name without its ``User:`` or ``Special:Contributions/`` prefix."""
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].split("|", 1)[0].strip()
    if ":" in text:
        head, rest = text.split(":", 1)
        page, _, target = rest.partition("/")
        if target and " ".join(page.split()).casefold() in CONTRIBUTION_PAGES:
            return target
        if " ".join(head.replace("_", " ").split()).casefold() in USER_PREFIXES:
            # A subpage (User:Name/sandbox) still names the user.
            return rest.split("/", 1)[0]
    return text


def canonical_username(text: str) -> str:
    """Return the username as MediaWiki stores it; raise ValidationError if it cannot be one."""
    raw = unicodedata.normalize("NFC", BIDI_MARKS.sub("", str(text or ""))).strip()
    name = _from_url(raw)
    name = _drop_prefix(SPACES.sub(" ", name).strip())
    name = SPACES.sub(" ", name).strip()
    if not name:
        raise ValidationError(_("The username is empty."))
    bad = sorted({c for c in name if c in FORBIDDEN or unicodedata.category(c) == "Cc"})
    if bad:
        raise ValidationError(
            _("“%(name)s” cannot be a username: it contains %(chars)s.")
            % {"name": name[:100], "chars": " ".join(repr(c)[1:-1] for c in bad)}
        )
    name = name[0].upper() + name[1:] if len(name[0].upper()) == 1 else name
    if len(name.encode("utf-8")) > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s…” is too long for a username (at most 255 bytes).") % {"name": name[:40]}
        )
    return name


@dataclass(frozen=True)
class BadLine:
    """A line of a pasted list that is not a username, and why."""

    number: int
    text: str
    message: str


def parse_username_list(text: str) -> tuple[list[str], list[BadLine]]:
    """Return the usernames of a pasted list or file (one a line) and its bad lines.

    Blank lines and lines starting with ``#`` are skipped; a CSV line counts by its first
    column (a header line "username" is skipped); a name listed twice is kept once.
    """
    names: list[str] = []
    bad: list[BadLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cell = line.strip()
        if not cell or cell.startswith("#"):
            continue
        if "," in cell or ";" in cell or "\t" in cell:
            cell = re.split(r"[,;\t]", cell, maxsplit=1)[0].strip().strip('"').strip()
        if number == 1 and cell.casefold() in {"username", "user", "user name", "name"}:
            continue
        try:
            name = canonical_username(cell)
        except ValidationError as error:
            bad.append(BadLine(number, line.strip()[:200], " ".join(error.messages)))
            continue
        if name not in names:
            names.append(name)
    return names, bad
