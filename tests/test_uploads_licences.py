"""Batch upload: the licence a row names, in any spelling, and the ones Commons refuses."""

from __future__ import annotations

import pytest

from hub.uploads.licences import COPYRIGHTED, PUBLIC_DOMAIN, licence_for, licence_problem


@pytest.mark.parametrize(
    "text",
    [
        "CC BY-SA 4.0",
        "CC-BY-SA-4.0",
        "cc by sa 4.0",
        "cc-by-sa-4.0",
        "{{cc-by-sa-4.0}}",
        "{{self|cc-by-sa-4.0}}",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "http://creativecommons.org/licenses/by-sa/4.0/deed.en",
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "CC BY-SA 4",
    ],
)
def test_reads_every_common_spelling_of_cc_by_sa_4(text: str) -> None:
    licence = licence_for(text)
    assert licence is not None
    assert licence.template == "{{cc-by-sa-4.0}}"
    assert licence.qid == "Q18199165"
    assert licence.status_qid == COPYRIGHTED
    assert licence_problem(text) is None


@pytest.mark.parametrize(
    ("text", "template", "qid"),
    [
        ("CC0", "{{cc-zero}}", "Q6938433"),
        ("CC0 1.0", "{{cc-zero}}", "Q6938433"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "{{cc-zero}}", "Q6938433"),
        ("CC BY 4.0", "{{cc-by-4.0}}", "Q20007257"),
        ("CC BY 3.0", "{{cc-by-3.0}}", "Q14947546"),
        ("cc-by-2.5", "{{cc-by-2.5}}", "Q18810333"),
        ("CC BY 2.0", "{{cc-by-2.0}}", "Q19125117"),
        ("CC BY 1.0", "{{cc-by-1.0}}", "Q30942811"),
        ("CC BY-SA 3.0", "{{cc-by-sa-3.0}}", "Q14946043"),
        ("https://creativecommons.org/licenses/by-sa/2.5/", "{{cc-by-sa-2.5}}", "Q19113751"),
        ("CC BY-SA 2.0", "{{cc-by-sa-2.0}}", "Q19068220"),
        ("CC BY-SA 1.0", "{{cc-by-sa-1.0}}", "Q47001652"),
    ],
)
def test_knows_the_templates_and_items_of_each_version(text: str, template: str, qid: str) -> None:
    licence = licence_for(text)
    assert licence is not None
    assert (licence.template, licence.qid) == (template, qid)


def test_a_ported_licence_keeps_its_jurisdiction_and_guesses_no_item() -> None:
    licence = licence_for("https://creativecommons.org/licenses/by-sa/3.0/de/")
    assert licence is not None
    assert licence.template == "{{cc-by-sa-3.0-de}}"
    assert licence.qid == ""


def test_public_domain_templates_are_public_domain_without_a_licence_item() -> None:
    licence = licence_for("PD-old-70")
    assert licence is not None
    assert licence.template == "{{PD-old-70}}"
    assert (licence.qid, licence.status_qid) == ("", PUBLIC_DOMAIN)
    art = licence_for("{{PD-Art|PD-old-100}}")
    assert art is not None and art.template == "{{PD-Art|PD-old-100}}"
    assert licence_for("pd-us-expired") is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CC BY-NC-SA 4.0", "commercial use"),
        ("https://creativecommons.org/licenses/by-nc/4.0/", "commercial use"),
        ("CC BY-ND 4.0", "forbids changes"),
        ("Attribution-NonCommercial-NoDerivatives 4.0 International", "forbids changes"),
        ("CC BY-SA", "which version"),
        ("public domain", "why the file is in the public domain"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "public domain"),
        ("LGPL", "does not recognise"),
        ("All rights reserved", "does not recognise"),
        ("", "No licence"),
    ],
)
def test_refuses_what_commons_refuses_in_plain_words(text: str, words: str) -> None:
    assert licence_for(text) is None
    problem = licence_problem(text)
    assert problem is not None and words in problem


def test_nc_and_nd_together_name_both_reasons() -> None:
    problem = licence_problem("CC BY-NC-ND 4.0")
    assert problem is not None
    assert "commercial" in problem and "changes" in problem
