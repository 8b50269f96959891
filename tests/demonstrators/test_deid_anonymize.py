"""Operators, consistency, length keeping and configuration errors of the anonymiser."""

import re

import pytest

from kimed_demos.deid import AnonymizationConfig, Anonymizer, Deidentifier
from kimed_demos.deid.checksums import is_valid_iban, is_valid_kvnr
from kimed_demos.deid.dates import parse_german_date

LETTER = (
    "Herr Vogel (geb. 12.03.1950), wohnhaft Lindenstraße 12, 01067 Dresden, "
    "Tel. 0351 458-1234. KVNR A000500015, IBAN DE89 3704 0044 0532 0130 00. "
    "Aufnahme am 3. Mai 2024. Herr Vogel ist 93 Jahre alt. E-Mail anna.vogel@web.de."
)
IDENTIFIERS = ["Vogel", "12.03.1950", "Lindenstraße", "01067", "Dresden", "458-1234",
               "A000500015", "DE89 3704", "3. Mai 2024", "93", "anna.vogel@web.de"]  # fmt: skip


def run(patterns_only, **config):
    """De-identify LETTER with the pattern analyzer and the given configuration."""
    findings = patterns_only.findings(LETTER)
    return Anonymizer(AnonymizationConfig(**config)).anonymize(LETTER, findings)


@pytest.mark.parametrize("operator", ["surrogate", "mask", "hash", "replace"])
@pytest.mark.parametrize("keep_length", [False, True])
def test_every_operator_removes_every_identifier(patterns_only, operator, keep_length):
    out = run(patterns_only, default=operator, keep_length=keep_length)
    for identifier in IDENTIFIERS:
        # as a whole word: a hex digest may well contain "93" by chance
        assert not re.search(rf"(?<!\w){re.escape(identifier)}(?!\w)", out), (identifier, out)
    assert out.startswith("Herr ") and "wohnhaft" in out and "Jahre alt" in out
    if keep_length or operator == "mask":
        assert len(out) == len(LETTER)


def test_surrogates_are_consistent_realistic_and_keep_shapes(patterns_only):
    out = run(patterns_only, default="surrogate")
    names = re.findall(r"Herr (\w+)", out)
    assert len(names) == 2 and names[0] == names[1] != "Vogel"
    birth = re.search(r"geb\. (\S+)\)", out).group(1)
    assert parse_german_date(birth)[0].name == "dd.mm.yyyy"
    assert re.search(r"am (\d{1,2}\. [A-ZÄÖÜ][a-zä]+ \d{4})\.", out)
    kvnr = re.search(r"KVNR (\S+),", out).group(1)
    assert is_valid_kvnr(kvnr) and kvnr != "A000500015"
    iban = re.search(r"IBAN ([A-Z0-9 ]+)\.", out).group(1)
    assert is_valid_iban(iban) and len(iban) == len("DE89 3704 0044 0532 0130 00")
    assert "@example.de" in out and "ist 90 Jahre alt" in out


def test_same_document_same_surrogates_and_run_consistency(patterns_only):
    first, again = run(patterns_only), run(patterns_only)
    assert first == again  # a document's surrogates depend on its content and the seed
    anonymizer = Anonymizer(AnonymizationConfig(consistency="run"))
    a = anonymizer.anonymize("Herr Vogel kam.", patterns_only.findings("Herr Vogel kam."))
    b = anonymizer.anonymize("Heute Herr Vogel.", patterns_only.findings("Heute Herr Vogel."))
    assert a.split()[1] == b.split()[2].rstrip(".")


def test_per_entity_operators(patterns_only):
    out = run(patterns_only, default="surrogate", per_entity={"DATE": "mask", "PERSON": "replace"})
    assert "Herr <PERSON>" in out and "geb. **********" in out


def test_hash_is_salted_and_stable_for_one_salt(patterns_only):
    salt = "a-reviewed-salt-of-16+chars"
    one, two = (run(patterns_only, default="hash", hash_salt=salt) for _ in range(2))
    assert one == two
    assert run(patterns_only, default="hash") != run(patterns_only, default="hash")


@pytest.mark.parametrize(
    ("config", "message"),
    [({"default": "shuffle"}, "unknown operator 'shuffle'.*AnonymizationConfig.default"),
     ({"per_entity": {"PERSON": "blur"}}, r"unknown operator 'blur'.*per_entity\['PERSON'\]"),
     ({"per_entity": {"NAME": "mask"}}, r"unknown entity type\(s\) \['NAME'\].*use one of"),
     ({"consistency": "global"}, "unknown consistency"),
     ({"hash_salt": "short"}, "at least 16")],
)  # fmt: skip
def test_bad_configuration_is_a_clear_value_error(config, message):
    with pytest.raises(ValueError, match=message):
        AnonymizationConfig(**config)


def test_deidentifier_end_to_end_without_ner(patterns_only):
    out = Deidentifier(None, AnonymizationConfig(default="mask")).deidentify(LETTER)
    assert len(out) == len(LETTER) and "Vogel" not in out
    with pytest.raises(ValueError, match="empty"):
        patterns_only.deidentify("")


def test_issue11_surrogates_spread_names_orgs_rvnr_and_date_fragments(patterns_only):
    from kimed_demos.deid.checksums import is_valid_rvnr

    text = (
        "Operateur: OA Dr. Jens Uhlig. Assistenz: Dr. Larissa Menke.\n"
        "Rückfrage bei Uhlig am 3.4., Kontrolle 17./18.6., Z. n. Sturz 2019.\n"
        "Versichert bei der Barmer, Arbeitgeber Elbtal Logistik GmbH, RV-Nr. 65 170839 J 003."
    )
    out = patterns_only.deidentify(text)
    for original in ("Uhlig", "Menke", "Barmer", "Elbtal", "65 170839 J 003", "3.4.", "2019"):
        assert original not in out, (original, out)
    surname = out.split("Dr. ")[1].split(".")[0].split()[-1]  # surrogate of "Uhlig"
    assert out.count(surname) == 2, out  # the bare second mention gets the same surrogate
    assert re.search(r"GmbH|KG|Stadtwerke", out), out  # a company stays a company
    rvnr = re.search(r"\d\d \d{6} [A-Z] \d{3}", out)
    assert rvnr and is_valid_rvnr(rvnr.group()), out
    assert re.search(r"\d{1,2}\./\d{1,2}\.\d{1,2}\.", out), out  # the range keeps its shape
