"""Search over the demo catalogue: text in both languages, facets, ranges, sort, paging.

The same queries run on SQLite (FTS5) and PostgreSQL (tsvector) and must find the same
records; the demo catalogue is loaded once per backend for the whole module.
"""

from __future__ import annotations

from datetime import date

import pytest

from kimed_hub.catalogue.demo import load_demo_catalogue
from kimed_hub.catalogue.search import SearchQuery
from kimed_hub.catalogue.store import CatalogueStore
from kimed_hub.errors import BadInput

from .conftest import BACKENDS, new_database_url

QUERIES = [
    SearchQuery(text="lunge"),
    SearchQuery(text="röntgen"),
    SearchQuery(text="RONTGEN thorax"),
    SearchQuery(text="heart failure"),
    SearchQuery(text="lvef"),
    SearchQuery(text="mrt", facets={"health_category": ("EHRS",)}),
    SearchQuery(facets={"modality": ("CT", "MR")}, sort="size"),
    SearchQuery(cohort_size=(1000, 20000), sort="title"),
    SearchQuery(age=(0, 10), sort="modified"),
    SearchQuery(time=(date(2024, 6, 1), None)),
]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, tmp_path_factory):
    store = CatalogueStore(
        new_database_url(request, request.param, tmp_path_factory.mktemp("demo"))
    )
    load_demo_catalogue(store)
    yield store
    store.close()


def ids(result) -> list[str]:
    return [hit.identifier for hit in result.hits]


def test_text_search_finds_titles_descriptions_keywords_and_variables_in_both_languages(demo):
    assert "ct-thorax-lungenrundherde-leipzig" in ids(
        demo.search(SearchQuery(text="Lungenrundherde"))
    )
    assert "ct-thorax-lungenrundherde-leipzig" in ids(
        demo.search(SearchQuery(text="pulmonary nodules"))
    )
    # umlauts and case are folded the same way in the index and in the query
    assert ids(demo.search(SearchQuery(text="röntgen"))) == ids(
        demo.search(SearchQuery(text="RONTGEN"))
    )
    # variable names are searchable (CSVW columns)
    assert "mrt-kardio-herzzentrum-leipzig" in ids(demo.search(SearchQuery(text="lvef")))
    # prefix matching: "kardio" finds "Kardiologie" and "kardiale"
    assert demo.search(SearchQuery(text="kardio")).total >= 3
    assert demo.search(SearchQuery(text="zzzz-no-such-word")).total == 0


def test_relevance_puts_title_matches_first(demo):
    hits = ids(demo.search(SearchQuery(text="mammographie")))
    assert hits[0] == "mammographie-screening-sachsen"


def test_query_syntax_cannot_break_the_search(demo):
    for nasty in ['"', "NEAR(a b)", "a AND OR", "*", "'; DROP TABLE x; --", "lung:* & !", "-", "ä"]:
        assert demo.search(SearchQuery(text=nasty)).total >= 0


def test_facets_have_counts_and_are_disjunctive(demo):
    browse = demo.search(SearchQuery())
    counts = {f.value: f.count for f in browse.facets["modality"]}
    assert counts["CT"] >= 3 and counts["MR"] >= 3
    chosen = demo.search(SearchQuery(facets={"modality": ("CT",)}))
    assert chosen.total == counts["CT"]
    # the modality facet still shows the other values with their full counts
    after = {f.value: (f.count, f.selected) for f in chosen.facets["modality"]}
    assert after["MR"] == (counts["MR"], False) and after["CT"] == (counts["CT"], True)
    # other facets are counted within the selection
    within = sum(f.count for f in chosen.facets["access_rights"])
    assert within == chosen.total
    both = demo.search(SearchQuery(facets={"modality": ("CT", "MR")}))
    assert both.total >= counts["CT"] + counts["MR"] - 1  # OR within a facet


def test_facet_labels_follow_the_language(demo):
    german = demo.search(SearchQuery(lang="de")).facets["synthetic_available"]
    english = demo.search(SearchQuery(lang="en")).facets["health_category"]
    assert {f.label for f in german} == {"ja", "nein"}
    assert "Electronic health records" in {f.label for f in english}
    assert all(f.count > 0 for f in english)


def test_synthetic_facet_and_hit_badge(demo):
    result = demo.search(SearchQuery(facets={"dataset_type": ("SYNTHETIC_DATA",)}, page_size=50))
    assert result.total >= 3
    assert all(hit.is_synthetic and hit.not_for_inference for hit in result.hits)
    real = demo.search(
        SearchQuery(facets={"synthetic_available": ("yes",), "dataset_type": ("STATISTICAL",)})
    )
    assert "leipziger-bevoelkerungskohorte" in ids(real)


def test_range_filters(demo):
    big = demo.search(SearchQuery(cohort_size=(100_000, None), page_size=50))
    assert big.total >= 2 and all(h.number_of_individuals >= 100_000 for h in big.hits)
    children = demo.search(SearchQuery(age=(0, 10), page_size=50))
    assert all(h.min_age <= 10 for h in children.hits) and children.total >= 3
    recent = demo.search(SearchQuery(time=(date(2024, 6, 1), None), page_size=50))
    assert all(h.time_end is None or h.time_end >= date(2024, 6, 1) for h in recent.hits)
    assert "leipziger-bevoelkerungskohorte" in ids(recent)  # ongoing collection (open end)


def test_sorting_and_paging(demo):
    by_size = demo.search(SearchQuery(sort="size", page_size=5))
    sizes = [h.number_of_individuals for h in by_size.hits]
    assert sizes == sorted(sizes, reverse=True)
    first = demo.search(SearchQuery(sort="title", page_size=10))
    second = demo.search(SearchQuery(sort="title", page_size=10, page=2))
    assert not set(ids(first)) & set(ids(second))
    assert first.total == second.total and first.pages == -(-first.total // 10)
    assert demo.search(SearchQuery(page=99)).hits == []


def test_hits_carry_what_the_list_view_shows(demo):
    (hit,) = demo.search(SearchQuery(text="Lungenrundherde", lang="de")).hits
    assert hit.title.endswith("(fiktiv)")
    assert hit.summary.startswith("Fiktiver Demodatensatz") and "\n" not in hit.summary
    assert hit.facets["modality"] == ["CT"] and hit.access_rights == "NON_PUBLIC"


def test_active_filters_for_chips_and_removing_one(demo):
    query = SearchQuery(
        text="mrt",
        facets={"modality": ("MR",), "health_category": ("EHRS",)},
        age=(18, None),
        lang="de",
    )
    chips = demo.search(query).active_filters
    assert [(c.kind, c.name, c.value) for c in chips] == [
        ("text", "q", "mrt"),
        ("facet", "modality", "MR"),
        ("facet", "health_category", "EHRS"),
        ("range", "age", "18–"),
    ]
    assert chips[1].label == "Modalität: Magnetresonanztomographie (MRT)"
    fewer = query.without("facet", "modality", "MR")
    assert [c.name for c in fewer.active_filters()] == ["q", "health_category", "age"]
    assert query.without("text", "q").text == "" and query.without("range", "age").age == (
        None,
        None,
    )


def test_query_from_url_parameters():
    query = SearchQuery.from_params(
        {
            "q": ["lunge"],
            "modality": ["CT", "MR"],
            "age_min": ["18"],
            "time_from": ["2020-01-01"],
            "page": ["2"],
        }
    )
    assert query.facets == {"modality": ("CT", "MR")} and query.age == (18, None)
    assert query.time == (date(2020, 1, 1), None) and query.page == 2
    for bad, message in [
        ({"colour": ["red"]}, "unknown search parameter"),
        ({"age_min": ["old"]}, "whole number"),
        ({"time_from": ["yesterday"]}, "a date like"),
        ({"sort": ["random"]}, "unknown sort"),
        ({"page_size": ["1000"]}, "page_size"),
        ({"age_min": ["60"], "age_max": ["20"]}, "above the upper bound"),
        ({"q": ["x" * 501]}, "longer than 500"),
    ]:
        with pytest.raises(BadInput, match=message):
            SearchQuery.from_params(bad)
    with pytest.raises(BadInput, match="unknown facet"):
        SearchQuery(facets={"colour": ("red",)}).validate()


@pytest.fixture(scope="module")
def results_by_backend(demo):
    return {i: (ids(demo.search(q)), demo.search(q).total) for i, q in enumerate(QUERIES)}


_SEEN: dict[str, dict] = {}


def test_both_backends_find_the_same_records(demo, results_by_backend):
    _SEEN[demo.backend] = results_by_backend
    if len(_SEEN) == 2:
        sqlite, postgres = _SEEN["sqlite"], _SEEN["postgresql"]
        for i, query in enumerate(QUERIES):
            assert sqlite[i][1] == postgres[i][1], query
            if query.sort != "relevance" or not query.text:
                assert sqlite[i][0] == postgres[i][0], query
            else:  # BM25 and ts_rank_cd may order ties differently
                assert set(sqlite[i][0]) == set(postgres[i][0]), query


def test_member_counting_gives_the_bitset_counts(demo, monkeypatch):
    """Large catalogues count small results member by member (facet_counts.py); on the
    demo catalogue both ways run and must agree on every facet of every query."""
    from kimed_hub.catalogue import facet_counts

    def facets(result) -> dict:
        return {
            name: [(v.value, v.count) for v in values] for name, values in result.facets.items()
        }

    bitsets = [facets(demo.search(q)) for q in QUERIES]
    monkeypatch.setattr(facet_counts, "MIN_BITS", 0)
    monkeypatch.setattr(facet_counts, "SPARSE_SHARE", 1.0)
    assert [facets(demo.search(q)) for q in QUERIES] == bitsets


def test_value_codes_count_like_bitsets():
    import random

    from kimed_hub.catalogue.facet_counts import ValueCodes, members_array

    rng, size = random.Random(3), 20_000
    values = {f"v{i}": bytearray(size // 8) for i in range(12)}
    for pk in range(size):
        for value in rng.sample(list(values), rng.randint(0, 3)):
            values[value][pk >> 3] |= 1 << (pk & 7)
    table = ValueCodes(values, size)
    for _ in range(5):
        within = rng.getrandbits(size) & rng.getrandbits(size) & rng.getrandbits(size)
        expected = {}
        for name, buf in values.items():
            count = (within & int.from_bytes(buf, "little")).bit_count()
            if count:
                expected[name] = count
        assert table.counts(members_array(within)) == expected
    assert table.counts(members_array(0)) == {}
