"""Generated benchmark records: deterministic, valid, varied."""

from __future__ import annotations

from collections import Counter

from kimed_hub.catalogue.generated import generate_datasets
from kimed_hub.catalogue.rdf_records import records_to_graph
from kimed_hub.catalogue.validation import violations
from kimed_hub.serde import normalised

from .samples import BASE


def test_generation_is_deterministic():
    assert list(generate_datasets(30, seed=5)) == list(generate_datasets(30, seed=5))
    assert list(generate_datasets(5, seed=5)) != list(generate_datasets(5, seed=6))
    assert [d.identifier for d in generate_datasets(3, start=10)] == [
        "gen-0000010",
        "gen-0000011",
        "gen-0000012",
    ]


def test_generated_records_pass_the_shapes():
    records = [normalised(d) for d in generate_datasets(60, seed=3, synthetic_share=0.2)]
    assert any(d.is_synthetic for d in records)
    assert violations(records_to_graph(records, BASE)) == []


def test_generated_records_vary_like_a_real_catalogue():
    records = list(generate_datasets(2000, seed=1))
    modalities = Counter(d.modalities[0] for d in records)
    assert len(modalities) >= 10 and modalities.most_common(1)[0][1] < 500
    sizes = sorted(d.number_of_individuals for d in records)
    assert sizes[0] < 100 and sizes[-1] > 100_000
    assert len({d.custodian.name for d in records}) >= 30
    assert 20 < sum(d.is_synthetic for d in records) < 120
