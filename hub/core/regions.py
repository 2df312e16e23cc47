"""Map countries (ISO 3166-1 alpha-2) to the Wikimedia Funds regions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    MEA = "mea", _("Middle East and Africa")
    SA = "sa", _("South Asia (SAARC)")
    ESEAP = "eseap", _("East, Southeast Asia and Pacific")
    LAC = "lac", _("Latin America and Caribbean")
    USCA = "usca", _("United States and Canada")
    NWE = "nwe", _("Northern and Western Europe")
    CEECA = "ceeca", _("Central and Eastern Europe and Central Asia")
    GLOBAL = "global", _("Global")


_MEMBERS = {
    Region.MEA: (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY "
        "MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW "
        "BH IR IQ IL JO KW LB OM PS QA SA SY AE YE"
    ),
    Region.SA: "AF BD BT IN MV NP PK LK IO",
    Region.ESEAP: (
        "CN HK MO TW JP KR KP MN BN KH ID LA MY MM PH SG TH TL VN AU NZ FJ PG SB VU NC PF WS TO "
        "TV KI NR MH FM PW CK NU TK WF AS GU MP NF CX CC PN HM UM"
    ),
    Region.LAC: (
        "AR BO BR CL CO EC GY PY PE SR UY VE GF FK BZ CR SV GT HN MX NI PA AG BS BB CU DM DO GD "
        "HT JM KN LC VC TT PR VI VG AI AW BQ CW SX MF BL GP MQ MS KY TC GS"
    ),
    Region.USCA: "US CA PM BM",
    Region.NWE: (
        "AD AT BE DK FO FI FR DE GI GL IS IE IM IT JE GG LI LU MT MC NL NO PT SM ES SJ SE CH GB "
        "VA AX"
    ),
    Region.CEECA: (
        "AL AM AZ BY BA BG HR CY CZ EE GE GR HU KZ XK KG LV LT MD ME MK PL RO RU RS SK SI TJ TR "
        "TM UA UZ"
    ),
}

COUNTRY_REGION: dict[str, str] = {
    code: str(region.value) for region, codes in _MEMBERS.items() for code in codes.split()
}


def region_for_country(country_code: str) -> str:
    """Return the Wikimedia Funds region of a country code, or "" when it has none."""
    return COUNTRY_REGION.get((country_code or "").upper(), "")
