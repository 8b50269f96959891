"""Places of Germany, Austria and Switzerland (GeoNames): towns without any cue.

The list is committed data made from a registry package (``kimed_demos.deid.places``);
these tests check the file, its rebuild, and that its words remove towns without
making ordinary words, eponyms or district nouns into places.
"""

from __future__ import annotations

import json

import pytest

from kimed_demos.deid import places
from kimed_demos.deid.towns import known_towns

from .test_deid_tricky import check_case

CASES = {
    "towns in a list without postcode or preposition": (
        "Einzugsgebiet: Radebeul · Lahr · Wolfsburg; Zweitmeinung Trier",
        ["Radebeul", "Lahr", "Wolfsburg", "Trier"],
        ["Einzugsgebiet", "Zweitmeinung"],
    ),
    "place names that are words stay words": (
        "Mitte Januar im Hof gestürzt, Mantel und Kuchen vergessen, Essen verweigert; "
        "Kell-Antigen negativ, Anti-Kell nicht nachweisbar.",
        [],
        ["Mitte", "Hof", "Mantel", "Kuchen", "Essen", "Kell", ("Kell", 1)],
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_rules_alone(patterns_only, kind):
    check_case(patterns_only, CASES, kind)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_with_the_model(deidentifier, kind):
    check_case(deidentifier, CASES, kind)


def test_the_committed_file_names_its_source_and_holds_the_three_countries():
    header = places.PLACES_FILE.read_text(encoding="utf-8").splitlines()[:4]
    assert any("GeoNames" in line and "CC BY 4.0" in line for line in header)
    names = places.place_names()
    assert len(names) > 15_000
    assert {"Pirna", "Innsbruck", "Winterthur"} <= set(names)  # DE, AT, CH
    assert names["Köln"] > 1_000_000


def test_short_forms_and_the_big_place_rule():
    words = places.place_words()
    assert "Zell" in words  # "Zell am See" and others
    towns = known_towns()
    assert "Köln" in towns  # a word of the German list, but a big place
    assert "Mantel" not in towns and "Kuchen" not in towns  # list words, small places
    assert "Mitte" not in towns and "Essen" not in towns  # district noun; a verb


def test_rebuild_writes_the_three_countries_atomically(tmp_path):
    source = tmp_path / "cities500.json"
    source.write_text(
        json.dumps(
            {
                "1": {"name": "Zell am See", "countrycode": "AT", "population": 9_000},
                "2": {"name": "Zell am See", "countrycode": "AT", "population": 700},
                "3": {"name": "Lyon", "countrycode": "FR", "population": 500_000},
                "4": {"name": "Pirna", "countrycode": "DE", "population": 37_000},
            }
        )
    )
    out = tmp_path / "places.txt"
    assert places.build_places_file(source, out) == 2
    assert places.place_names(out) == {"Pirna": 37_000, "Zell am See": 9_000}
    assert not out.with_suffix(".partial").exists()


def test_a_source_without_the_three_countries_is_refused_and_the_file_kept(tmp_path):
    source = tmp_path / "cities500.json"
    source.write_text(json.dumps([{"name": "Lyon", "countrycode": "FR", "population": 1}]))
    out = tmp_path / "places.txt"
    out.write_text("old\n")
    with pytest.raises(ValueError, match="no place of"):
        places.build_places_file(source, out)
    assert out.read_text() == "old\n"
