"""The independent evaluation sets: their files agree, its offsets hold, it stays apart.

What this proves: documents.jsonl is exactly what the marked-up sources say (so the
offsets were checked by a program, not by eye), the annotation rules of the guideline
are enforced, and no sentence or person name of the set was copied into the
generator's templates, composed phrases or word lists. It does not prove that the
annotations are complete: that is the second author's reading, see GUIDELINE.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kimed_demos.deid import (
    evalset,
    keeplist,
    phrases,
    templates_heldout,
    templates_train,
    wordlist,
)
from kimed_demos.deid.evalset import (
    EVAL2_DIR,
    EVAL3_DIR,
    EVAL4_DIR,
    EVAL5_DIR,
    EVAL6_DIR,
    EVAL7_DIR,
    EVAL8_DIR,
    EVAL9_DIR,
    EVAL10_DIR,
    EVAL11_DIR,
    EVAL12_DIR,
    EVAL_DIR,
    parse_markup,
    read_jsonl_folder,
)

GENERATOR_SOURCES = [
    Path(m.__file__).read_text(encoding="utf-8")
    for m in (templates_train, templates_heldout, phrases, wordlist)
]


#: The sets and their least size: documents, identifiers, must-keep terms.
SETS = {
    "eval": (EVAL_DIR, 24, 500, 200),
    "eval2": (EVAL2_DIR, 24, 450, 170),
    "eval3": (EVAL3_DIR, 24, 600, 220),
    "eval4": (EVAL4_DIR, 24, 750, 280),
    "eval5": (EVAL5_DIR, 24, 650, 270),
    "eval6": (EVAL6_DIR, 24, 750, 270),
    "eval7": (EVAL7_DIR, 24, 700, 330),
    "eval8": (EVAL8_DIR, 24, 700, 250),
    "eval9": (EVAL9_DIR, 24, 750, 250),
    "eval10": (EVAL10_DIR, 24, 740, 250),
    "eval11": (EVAL11_DIR, 24, 740, 245),
    "eval12": (EVAL12_DIR, 24, 800, 250),
}
#: Code and data the pipeline decides with, which the later sets' strings must not be in:
#: every module of the package (new rule modules are covered without a list to keep up)
#: except the evaluation tooling and the generator (checked above), and the keep list.
#: ``data/places_de_at_ch.txt`` is not: it is GeoNames' public gazetteer, not written here.
_NOT_PIPELINE = frozenset({
    "evalset.py", "evaluate.py", "scorecard.py", "templates_train.py", "templates_heldout.py",
    "phrases.py", "corpus.py", "fills.py",
})  # fmt: skip
_DEID_DIR = Path(keeplist.__file__).parent
PIPELINE_SOURCES = [
    *(p.read_text(encoding="utf-8") for p in sorted(_DEID_DIR.glob("*.py"))
      if p.name not in _NOT_PIPELINE),
    (_DEID_DIR / "data" / "keep_terms.txt").read_text(encoding="utf-8"),
]  # fmt: skip


@pytest.fixture(scope="module", params=sorted(SETS))
def which(request):
    """Name of the evaluation set under test."""
    return request.param


@pytest.fixture(scope="module")
def documents(which):
    """The evaluation documents as the scorecard reads them."""
    return read_jsonl_folder(SETS[which][0])


def test_jsonl_is_built_from_the_marked_sources(documents, which):
    assert documents == evalset.parse_source_folder(SETS[which][0] / "source"), (
        "documents.jsonl is stale: run python -m kimed_demos.deid.evalset (eval) or "
        "build_jsonl(EVALn_DIR / 'source', EVALn_DIR / 'documents.jsonl') (eval2 to eval12)"
    )


def test_size_and_coverage_of_the_set(documents, which):
    _, n_docs, n_spans, n_keep = SETS[which]
    assert len(documents) >= n_docs
    types = {s.type for d in documents for s in d.spans}
    assert {"PERSON", "DATE", "ID", "PHONE", "LOCATION", "ORGANIZATION", "AGE"} <= types
    kinds = {s.kind for d in documents for s in d.spans if s.type == "PERSON"}
    assert kinds == {"patient", "relative", "staff"}
    assert sum(len(d.spans) for d in documents) >= n_spans
    assert sum(len(d.keep) for d in documents) >= n_keep


def test_gold_spans_do_not_overlap_and_keep_terms_are_not_identifiers(documents):
    for doc in documents:
        spans = sorted((s.start, s.end) for s in doc.spans)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"{doc.id}: overlapping gold spans at {start}"
        for a, b in doc.keep:
            assert not any(s.start < b and a < s.end for s in doc.spans), (doc.id, doc.text[a:b])


def test_markup_rules_are_enforced():
    parsed = parse_markup("Herr ⟦P:Fuchs⟧ mit ⟦K:Apgar⟧ am ⟦D:12.3.⟧", "x")
    assert parsed.text == "Herr Fuchs mit Apgar am 12.3."
    assert [(parsed.text[s.start : s.end], s.type, s.kind) for s in parsed.spans] == [
        ("Fuchs", "PERSON", "patient"),
        ("12.3.", "DATE", ""),
    ]
    assert [parsed.text[a:b] for a, b in parsed.keep] == ["Apgar"]
    with pytest.raises(ValueError, match="unknown mark code"):
        parse_markup("⟦X:foo⟧", "x")
    with pytest.raises(ValueError, match="title inside the person mark"):
        parse_markup("⟦S:Dr. Kern⟧", "x")
    with pytest.raises(ValueError, match="unbalanced"):
        parse_markup("⟦P:Kern", "x")


def test_jsonl_with_wrong_offsets_is_refused(tmp_path):
    span = '{"start": 0, "end": 4, "type": "PERSON", "text": "Vogel"}'
    line = '{"id": "a", "text": "Herr Vogel", "spans": [' + span + "]}"
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fix the offsets"):
        read_jsonl_folder(tmp_path)
    with pytest.raises(ValueError, match="no \\*.jsonl files"):
        read_jsonl_folder(tmp_path / "empty")


def test_no_sentence_or_full_name_of_the_set_is_in_the_generator(documents):
    generator = "\n".join(GENERATOR_SOURCES)
    for doc in documents:
        for line in doc.text.splitlines():
            # Stock formulae ("Mit freundlichen kollegialen Grüßen", 35 characters) are
            # shared by all German letters; a longer shared line would be a copy.
            line = line.strip()
            assert len(line) < 40 or line not in generator, f"{doc.id}: {line!r} in generator"
        for s in doc.spans:
            name = doc.text[s.start : s.end]
            if s.type == "PERSON" and re.fullmatch(r"\w+[ -]\w+(?:[ -]\w+)?", name):
                assert name not in generator, f"{doc.id}: name {name!r} in generator sources"


#: Every set but the first, which was written before the pipeline was tuned on any set.
@pytest.mark.parametrize("name", [name for name in SETS if name != "eval"])
def test_no_identifier_of_the_later_sets_is_in_the_pipeline(name):
    """The second to twelfth sets stay as blind as they can: none of their multi-word
    identifiers (names, organisations, streets) and none of their numbers (identifiers,
    phone numbers, e-mail addresses with four digits or more) was written into the
    recognizers, mention rules or keep list, not even as an example in a comment."""
    code = "\n".join(PIPELINE_SOURCES)
    for doc in read_jsonl_folder(SETS[name][0]):
        for s in doc.spans:
            value = doc.text[s.start : s.end]
            if s.type in {"PERSON", "ORGANIZATION", "LOCATION"} and " " in value:
                assert value not in code, f"{doc.id}: {value!r} is written into the pipeline"
            # Numbers too: an example in a comment is invented, never a set's identifier.
            if s.type in {"ID", "PHONE", "EMAIL"} and len(re.findall(r"\d", value)) >= 4:
                assert value not in code, f"{doc.id}: {value!r} is written into the pipeline"


def _twins(docs) -> int:
    """How many must-keep marks are spelled like a word of a person mark of their own
    document (an ordinary word marked K next to the same word as a surname)."""
    twins = 0
    for doc in docs:
        words = {w.lower() for s in doc.spans if s.kind
                 for w in re.findall(r"\w+", doc.text[s.start : s.end])}  # fmt: skip
        twins += sum(doc.text[a:b].lower() in words for a, b in doc.keep)
    return twins


def test_the_fourth_set_has_the_hard_cases_its_guideline_names():
    """eval4/GUIDELINE.md promises these kinds of hard case; a rewrite that loses one
    would make the blind figure easier than it claims to be."""
    docs = read_jsonl_folder(EVAL4_DIR)
    persons = [d.text[s.start : s.end] for d in docs for s in d.spans if s.type == "PERSON"]
    dates = [d.text[s.start : s.end] for d in docs for s in d.spans if s.type == "DATE"]
    assert any("^" in p for p in persons), "no HL7/DICOM NACHNAME^Vorname name"
    assert any(p.islower() for p in persons), "no lower-case name"
    assert any(p.isupper() for p in persons if len(p) > 3), "no name in capitals"
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", x) for x in dates), "no ISO date"
    assert any(re.fullmatch(r"\d{8}(\d{6})?", x) for x in dates), "no HL7/DICOM date"
    assert any(re.search(r"March|Mar |April", x) for x in dates), "no English date"
    assert any(re.fullmatch(r"\d\d?/\d\d?/\d\d(\d\d)?", x) for x in dates), "no m/d/y date"
    # Ordinary words spelled like a surname of the same document, marked K to stay.
    twins = _twins(docs)
    assert twins >= 12, f"only {twins} must-keep words spelled like a surname"


_ADDRESS = re.compile(r"(?:Herr|Frau|Hr|Fr|Sr|Pfl|OA|OÄ|Dipl)\b")
_SLASH = re.compile(r" ?/ ?(?:[A-Z][\w.-]*\. )?")  # "Tegtmeyer/Quast", "Stiel / Dr. Kravchenko"


def test_forms_of_address_and_roles_stay_outside_person_marks(documents, which):
    """The guideline keeps "Herr", "Frau", "Sr.", "OA" and "Dipl.-..." outside the
    mark, like titles (which parse_markup refuses): a mark that swallowed them would
    count a surviving role word as a leaked name word."""
    for doc in documents:
        for s in doc.spans:
            value = doc.text[s.start : s.end]
            assert not (s.type == "PERSON" and _ADDRESS.match(value)), (which, doc.id, value)


def test_the_fifth_set_looks_like_what_hospitals_send():
    """eval5/GUIDELINE.md promises typical letters of 1.4-1.6 KB with surname-first
    and initial-only names, names joined by "/", the date forms German letters use and
    words spelled like a name of the same letter marked to stay; a rewrite that loses
    one would make the blind figure easier than it claims to be."""
    docs = read_jsonl_folder(EVAL5_DIR)
    assert all(1300 <= len(d.text) <= 1700 for d in docs), [len(d.text) for d in docs]
    persons = [d.text[s.start : s.end] for d in docs for s in d.spans if s.kind]
    dates = [d.text[s.start : s.end] for d in docs for s in d.spans if s.type == "DATE"]
    assert sum("," in p for p in persons) >= 8, "few surname-first names"
    assert any(re.fullmatch(r"(?:[A-Z]\.[ -]?)+", p) for p in persons), "no initials-only name"
    joined = sum(bool(a.kind and b.kind and _SLASH.fullmatch(d.text[a.end : b.start]))
                 for d in docs for a, b in zip(d.spans, d.spans[1:], strict=False))  # fmt: skip
    assert joined >= 3, "few names joined by '/'"
    for pattern in (r"\d\d?\.\d\d?\.\d{2}", r"\d\d?\. [A-Z][a-zä]+ \d{4}", r"\d\d/\d{4}",
                    r"KW \d+", r"(?:Anfang|Mitte|Ende) [A-Z]\w+", r"\d\d?\./\d\d?\.\d\d?\.",
                    r"\d{4}", r"\d\d?\.\d\d?\."):  # fmt: skip
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 6, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval6/GUIDELINE.md promises: ISO (CSV export), a two-night range with "/",
#: weekday with date, week number, qualified month, holiday, season, month/year, bare year.
_EVAL6_DATES = (
    r"\d{4}-\d\d-\d\d",
    r"\d\d?\./\d\d?\.\d\d?\.",
    r"(?:Mo|Di|Mi|Do|Fr)\.?,? .*\d\.",
    r"KW \d+(?:/\d{4})?",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+",
    r"Ostern \d{4}",
    r"(?:Frühjahr|Herbst) \d{4}",
    r"\d\d/\d{4}",
    r"\d{4}",
    r"\d\d?\.\d\d?\.",
)


def test_the_sixth_set_has_the_hard_cases_its_guideline_names():
    """eval6/GUIDELINE.md promises letters of 1.4-1.6 KB with these hard cases; a rewrite
    that loses one would make the blind figure (measured first next session) easier than
    it claims to be."""
    docs = read_jsonl_folder(EVAL6_DIR)
    assert all(1300 <= len(d.text) <= 1700 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    dates = [x for _, s, x in spans if s.type == "DATE"]
    ages = [int(x) for _, s, x in spans if s.type == "AGE"]
    assert ("patient", "EP") in persons, "no patient's own hand sign in a table"
    assert {("staff", "pvdh"), ("staff", "nkarakaya")} <= set(persons), "no user names"
    assert sum(x == "Gruber" for k, x in persons if k == "patient") >= 3, "no namesakes"
    assert any(x.isupper() and len(x) > 3 for _, x in persons), "no name in capitals"
    assert sum(age > 89 for age in ages) >= 2 and 89 in ages, "no ages around the cut"
    for pattern in _EVAL6_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 5, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval7/GUIDELINE.md promises: a named holiday with a year, weekday with date,
#: year-qualified week, qualified month, season with and without a year, month/year, a
#: billing quarter, a two-digit-year date, bare years (screening log, history).
_EVAL7_DATES = (
    r"Heiligabend \d{4}",
    r"(?:Mo|Di|Mi|Do|Sa|So)\.?,? \d.*",
    r"(?:Montag|Mittwoch), .*",
    r"KW \d+/\d{4}",
    r"(?:Mitte|Ende) [A-Z]\w+",
    r"(?:Frühjahr|Herbst) \d{4}",
    r"Sommer|Frühsommer",
    r"\d\d/\d{4}",
    r"\d/\d\d",
    r"\d\d?\.\d\d?\.\d\d",
    r"\d{4}",
    r"\d\d?\.",
)


def test_the_seventh_set_has_the_hard_cases_its_guideline_names():
    """eval7/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these hard
    cases; a rewrite that loses one would make the blind figure (measured once, at the end
    of the session that wrote it) easier than it claims to be."""
    docs = read_jsonl_folder(EVAL7_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    dates = [x for _, s, x in spans if s.type == "DATE"]
    initials = [x for k, x in persons if k == "patient" and re.fullmatch(r"(?:\w\.){2}", x)]
    assert len(initials) >= 5, "no screening log of patients' initials"
    assert {("staff", "jk"), ("staff", "AMP")} <= set(persons), "no hand signs of staff"
    assert sum(k == "staff" for k, _ in persons) >= 120, "few staff names"
    speakers = sum(bool(re.search(r"\] $", d.text[max(0, s.start - 2) : s.start]))
                   for d, s, _ in spans if s.kind == "staff")  # fmt: skip
    assert speakers >= 6, "no transcript with speakers' surnames as labels"
    assert any(x.isupper() and len(x) > 3 for _, x in persons), "no name in capitals"
    assert sum("," in x for _, x in persons) >= 2, "few surname-first names"
    assert any(int(x) > 89 for _, s, x in spans if s.type == "AGE"), "no age over 89"
    assert any(x.startswith("+31") for _, s, x in spans if s.type == "PHONE"), "no foreign phone"
    for pattern in _EVAL7_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 15, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval8/GUIDELINE.md promises: ISO dates of a registry export, a billing
#: quarter with "Q", a winter across two years, holidays without a year, weekday with
#: date, year-qualified week, a two-day range with "/", qualified months, month/year.
_EVAL8_DATES = (
    r"\d{4}-\d\d-\d\d",
    r"Q\d/\d{4}",
    r"Winter \d{4}/\d\d",
    r"Pfingsten|Ostern",
    r"(?:Mo|Di|Do|Fr|Sa)\.?,? \d.*",
    r"(?:Samstag|Mittwoch), .*",
    r"KW \d+/\d{4}",
    r"\d\d?\./\d\d?\.\d\d\.\d{4}",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+",
    r"\d\d/\d{4}",
    r"\d\d?\. [A-Z][a-z]+ \d{4}",
    r"\d{4}",
)


def test_the_eighth_set_has_the_hard_cases_its_guideline_names():
    """eval8/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these hard
    cases; a rewrite that loses one would make the blind figure (measured once, late in
    the session after the one that wrote it) easier than it claims to be."""
    docs = read_jsonl_folder(EVAL8_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    assert {("staff", "m.lindemann"), ("staff", "jmüller"), ("staff", "tk")} <= set(persons)
    assert ("staff", "Pieter") in persons, "no first name in a salutation"
    assert any("„" in x for _, x in persons), "no nickname inside a name"
    assert sum(bool(re.match(r"[A-ZÄÖÜ]{4,}\b", x)) for _, x in persons) >= 2, "few capitals"
    assert sum("," in x for _, x in persons) >= 8, "few surname-first names"
    maiden = sum(d.text[max(0, s.start - 5) : s.start] == "geb. " for d, s, _ in spans
                 if s.kind == "patient")  # fmt: skip
    assert maiden >= 2, "no maiden names after 'geb.'"
    patients_by_doc = [{d.text[s.start : s.end] for s in d.spans if s.kind == "patient"}
                       for d in docs]  # fmt: skip
    assert any({"Hering", "Jonte Matzen"} <= p for p in patients_by_doc), "no two patients"
    assert any(int(x) > 89 for _, s, x in spans if s.type == "AGE"), "no age over 89"
    assert any(x.startswith("+48") for _, s, x in spans if s.type == "PHONE"), "no foreign phone"
    assert ("LOCATION", "Stein") in {(s.type, x) for _, s, x in spans}, "no town that is a word"
    dates = [x for _, s, x in spans if s.type == "DATE"]
    for pattern in _EVAL8_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 20, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval9/GUIDELINE.md promises: an ISO date of a dispatch printout, a date in
#: form boxes with "|", a New Year's Eve and an Easter with a year, "Weihnachten" alone,
#: weekday with date, year-qualified week, a month abbreviated with a dot, qualified
#: months, month/year, two-digit years, a season with a year, a bare year.
_EVAL9_DATES = (
    r"\d{4}-\d\d-\d\d",
    r"\d\d\|\d\d\|\d{4}",
    r"Silvester \d{4}",
    r"Ostern \d{4}",
    r"Weihnachten",
    r"(?:Mo|Di|Do|Fr|Sa)\.?,? \d.*",
    r"(?:Sonntag|Montag|Dienstag|Mittwoch), .*",
    r"KW \d+/\d{4}",
    r"\d\d?\. Nov\. \d{4}",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+",
    r"\d\d/\d{4}",
    r"\d\d?\.\d\d?\.\d\d",
    r"(?:Frühjahr|Herbst) \d{4}",
    r"\d{4}",
)


def test_the_ninth_set_has_the_hard_cases_its_guideline_names():
    """eval9/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these hard
    cases; a rewrite that loses one would make the blind figure (measured first, before
    any change, in the session after the one that wrote it) easier than it claims to be."""
    docs = read_jsonl_folder(EVAL9_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    assert {("staff", "jrenz"), ("staff", "epietrz"), ("staff", "ANB")} <= set(persons)
    assert ("patient", "W.R.") in persons, "no patient's initials engraved on a ring"
    assert sum(k == "patient" and "," in x for k, x in persons) >= 8, "few surname-first patients"
    assert sum(bool(re.match(r"[A-ZÄÖÜ]{4,}\b", x)) for _, x in persons) >= 4, "few capitals"
    maiden = sum(d.text[max(0, s.start - 5) : s.start] == "geb. " for d, s, _ in spans
                 if s.kind == "patient")  # fmt: skip
    assert maiden >= 2, "no maiden names after 'geb.'"
    patients_by_doc = [sum(s.kind == "patient" for s in d.spans) for d in docs]
    assert max(patients_by_doc) >= 9, "no day list with many patients"
    ages = [x for _, s, x in spans if s.type == "AGE"]
    assert any(int(x) > 89 for x in ages), "no age over 89"
    assert any(x.startswith("+43") for _, s, x in spans if s.type == "PHONE"), "no foreign phone"
    places = {(s.type, x) for _, s, x in spans}
    assert {("LOCATION", "Essen"), ("LOCATION", "Hof")} <= places, "no town that is a word"
    keep = {d.text[a:b] for d in docs for a, b in d.keep}
    assert {"Essen", "Hof"} <= keep, "no town's name also kept as a word"
    dates = [x for _, s, x in spans if s.type == "DATE"]
    for pattern in _EVAL9_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 25, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval10/GUIDELINE.md promises: named days that fix a date without a number
#: (church and public holidays), a spoken date of a speech-recognition draft, an ISO date
#: of an export, a two-night range with "/", weekday with date, a weekday written out
#: with a day and month but no year, a year-qualified week, an abbreviated month, a
#: qualified month, a season with a year, month/year, two-digit years, a bare year.
_EVAL10_DATES = (
    r"Buß- und Bettag",
    r"Tag der Deutschen Einheit",
    r"Totensonntag",
    r"1\. Advent",
    r"Allerheiligen",
    r"Karfreitag",
    r"Pfingsten \d{4}",
    r"vierten Dezember",
    r"\d{4}-\d\d-\d\d",
    r"\d\d?\./\d\d?\.\d\d?\.",
    r"(?:Mo|Di|Mi|Do|Fr|Sa|So)\.?,? \d.*",
    r"Freitag, \d\d?\. [A-Z]\w+",
    r"KW \d+/\d{4}",
    r"\d\d?\. ?[A-Z][a-z]+\. \d{4}|[A-Z][a-z]+\. \d{4}",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+",
    r"(?:Frühjahr|Sommer) \d{4}",
    r"\d\d/\d{4}",
    r"\d\d?\.\d\d?\.\d\d",
    r"\d{4}",
)


def test_the_tenth_set_has_the_hard_cases_its_guideline_names():
    """eval10/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these
    hard cases; a rewrite that loses one would make the blind figure (measured once, late
    in the session that wrote it, after that session's rules) easier than it claims."""
    docs = read_jsonl_folder(EVAL10_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    users = {("staff", "ewübbenhorst"), ("staff", "aufn_wbrandes"), ("staff", "s.kuebler")}
    assert users <= set(persons), "user names missing"
    assert {("staff", "LÜD"), ("staff", "AMK"), ("staff", "dsb")} <= set(persons), "hand signs"
    assert {("patient", "G. F."), ("patient", "Mats H.")} <= set(persons), "patient initials"
    assert {("patient", "Messer"), ("patient", "Yasmina")} <= set(persons), "name fields"
    assert sum(k == "patient" and "," in x for k, x in persons) >= 8, "few surname-first patients"
    assert sum(bool(re.match(r"[A-ZÄÖÜ]{4,}\b", x)) for _, x in persons) >= 3, "few capitals"
    patients_by_doc = [{d.text[s.start : s.end] for s in d.spans if s.kind == "patient"}
                       for d in docs]  # fmt: skip
    assert any({"Henrike Post", "Hannelore Post"} <= p for p in patients_by_doc), "namesakes"
    assert any(int(x) > 89 for _, s, x in spans if s.type == "AGE"), "no age over 89"
    assert any(x.startswith("+31") for _, s, x in spans if s.type == "PHONE"), "no foreign phone"
    assert any(s.type == "EMAIL" for _, s, _ in spans), "no e-mail address"
    dates = [x for _, s, x in spans if s.type == "DATE"]
    for pattern in _EVAL10_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 30, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval11/GUIDELINE.md promises: named days that fix a date without a number
#: (a church holiday's Monday, a saint's day), an e-mail header's English date, calendar
#: timestamps written as one token, ISO, a two-day range with "/", weekday with date, a
#: weekday written out with a day and month in words, a year-qualified week, an
#: abbreviated month, qualified months, seasons with a year, month/year, a bare year.
_EVAL11_DATES = (
    r"Pfingstmontag",
    r"Nikolaus",
    r"(?:Mon|Tue|Wed|Thu|Fri), \d\d? [A-Z][a-z]{2} \d{4}",
    r"\d{8}T\d{6}",
    r"\d{4}-\d\d-\d\d",
    r"\d\d?\./\d\d?\.\d\d?\.",
    r"(?:Mo|Di|Mi|Do|Fr)\.?,? \d.*",
    r"Samstag, \d\d?\. [A-Z]\w+ \d{4}",
    r"KW \d+/\d{4}",
    r"[A-Z][a-z]+\. \d{4}",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+",
    r"(?:Frühjahr|Sommer|Herbst) \d{4}",
    r"\d\d/\d{4}",
    r"\d\d?\.\d\d?\.\d\d",
    r"\d{4}",
)


def test_the_eleventh_set_has_the_hard_cases_its_guideline_names():
    """eval11/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these
    hard cases; a rewrite that loses one would make the blind figure (measured once, late
    in the session that wrote it, after that session's rules) easier than it claims."""
    docs = read_jsonl_folder(EVAL11_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    users = {("staff", "ijuric"), ("staff", "lufu_kristiina"), ("staff", "nacht_ukoch")}
    assert users <= set(persons), "user names missing"
    assert {("staff", "MTU"), ("staff", "BF"), ("staff", "JSz")} <= set(persons), "hand signs"
    assert {("patient", "Decke"), ("patient", "Walburga")} <= set(persons), "name fields"
    assert ("staff", "Mattheus van der Merwe") in persons, "no particle name"
    assert sum(k == "patient" and "," in x for k, x in persons) >= 8, "few surname-first patients"
    assert sum(bool(re.match(r"[A-ZÄÖÜ]{4,}\b", x)) for _, x in persons) >= 3, "few capitals"
    # A doctor and a patient of the same surname in one calendar (both marked, by kind).
    assert {("staff", "Kalender"), ("patient", "Kalender, Wendelin")} <= set(persons)
    assert sum(int(x) > 89 for _, s, x in spans if s.type == "AGE") >= 2, "no age over 89"
    assert any(x.startswith("+41") for _, s, x in spans if s.type == "PHONE"), "no foreign phone"
    assert any("@" in x for _, s, x in spans if s.type == "ID"), "no calendar UID"
    dates = [x for _, s, x in spans if s.type == "DATE"]
    for pattern in _EVAL11_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 25, f"only {twins} must-keep words spelled like a name of their letter"


#: Date forms eval12/GUIDELINE.md promises: named days that fix a date (a carnival day,
#: Easter with a year), a date spoken into an answering machine, a night written with
#: "/", weekday with date, a weekday written out with a date, a year-qualified week,
#: abbreviated months, qualified months, seasons with a year, month/year, a bare year.
_EVAL12_DATES = (
    r"Rosenmontag",
    r"Ostern \d{4}",
    r"dritte elfte \w+",
    r"\d\d?\./\d\d?\.\d\d?\.(?:\d{4})?",
    r"(?:Mo|Di|Mi|Do|Fr|Sa|So)\.?,? \d.*",
    r"(?:Dienstag|Freitag|Donnerstag), \d.*",
    r"KW \d+/\d{4}",
    r"(?:Okt|Sept)\. \d{4}",
    r"(?:Anfang|Mitte|Ende) [A-Z]\w+(?: \d{4})?",
    r"(?:Frühjahr|Sommer|Herbst) \d{4}",
    r"\d\d/\d{4}",
    r"\d\d?\.\d\d?\.\d\d",
    r"\d{4}",
)


def test_the_twelfth_set_has_the_hard_cases_its_guideline_names():
    """eval12/GUIDELINE.md promises letters of 1.4-1.6 thousand characters with these
    hard cases; a rewrite that loses one would make the blind figure (measured first, in
    the session after the one that wrote it, before any change) easier than it claims."""
    docs = read_jsonl_folder(EVAL12_DIR)
    assert all(1350 <= len(d.text) <= 1650 for d in docs), [len(d.text) for d in docs]
    spans = [(d, s, d.text[s.start : s.end]) for d in docs for s in d.spans]
    persons = [(s.kind, x) for _, s, x in spans if s.type == "PERSON"]
    users = {("staff", "mfa_lkoenig"), ("staff", "pforte_sgerlach"), ("staff", "tbuerkle")}
    assert users <= set(persons), "user names missing"
    assert {("staff", "NDB"), ("staff", "SMo"), ("staff", "SAh")} <= set(persons), "hand signs"
    assert {("patient", "Schnell"), ("patient", "Jannik")} <= set(persons), "name fields"
    assert {("patient", "G. N."), ("patient", "Nessel, Gotthold")} <= set(persons), "initials"
    # Genitive first names ("Emmas Bruder") are marked as names of their person.
    assert {("patient", "Emmas"), ("patient", "Mira-Sophies")} <= set(persons)
    assert ("relative", "GERD FENSKE") in persons, "no relative's name in block capitals"
    assert sum(k == "patient" and "," in x for k, x in persons) >= 8, "few surname-first patients"
    assert sum(bool(re.match(r"[A-ZÄÖÜ]{4,}\b", x)) for _, x in persons) >= 3, "few capitals"
    assert any(int(x) > 89 for _, s, x in spans if s.type == "AGE"), "no age over 89"
    phones = [x for _, s, x in spans if s.type == "PHONE"]
    assert any(x.startswith("+48") for x in phones), "no foreign phone"
    assert any(x.startswith("null fünf") for x in phones), "no spoken phone number"
    dates = [x for _, s, x in spans if s.type == "DATE"]
    for pattern in _EVAL12_DATES:
        assert any(re.fullmatch(pattern, x) for x in dates), f"no date like {pattern}"
    twins = _twins(docs)
    assert twins >= 24, f"only {twins} must-keep words spelled like a name of their letter"
