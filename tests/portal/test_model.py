"""Records as data: conversion with all problems listed, limits, normal form, code checks."""

from __future__ import annotations

import pytest

from kimed_hub.catalogue.model import Dataset, LangText, Variable, check_dataset
from kimed_hub.errors import BadInput, TooLarge
from kimed_hub.serde import (
    MAX_RECORD_BYTES,
    canonical_json,
    check_limits,
    from_data,
    normalised,
    to_data,
)

from .samples import dataset


def test_data_round_trip_is_exact():
    record = normalised(dataset())
    assert from_data(Dataset, to_data(record)) == record


def test_malformed_data_lists_every_problem_with_its_path():
    data = to_data(dataset())
    data["number_of_individuals"] = "many"
    data["temporal"]["start"] = "31.12.2020"
    data["distributions"][0]["byte_size"] = True
    data["colour"] = "blue"
    del data["identifier"]
    with pytest.raises(BadInput) as caught:
        from_data(Dataset, data, "dataset x")
    text = str(caught.value)
    for expected in (
        "number_of_individuals: expected int",
        "temporal.start: expected an ISO date",
        "distributions[0].byte_size: expected int",
        "colour: unknown field",
    ):
        assert expected in text
    assert caught.value.http_status == 400


def test_wrong_container_types_are_reported():
    with pytest.raises(BadInput, match="keywords: expected a list"):
        from_data(Dataset, {"identifier": "x", "keywords": "lung"})
    with pytest.raises(BadInput, match="record: expected an object"):
        from_data(Dataset, ["not", "an", "object"])


def test_field_and_list_limits_raise_too_large():
    long_title = dataset(title=LangText("x" * 20_001, "ok"))
    with pytest.raises(TooLarge, match=r"title.de: 20001 characters; at most 20000"):
        check_limits(long_title)
    many = dataset(keywords=[f"k{i}" for i in range(51)])
    with pytest.raises(TooLarge, match="keywords: 51 items; at most 50") as caught:
        check_limits(many)
    assert caught.value.http_status == 413


def test_record_size_limit_is_one_megabyte():
    huge = dataset(variables=[Variable(f"v{i}", "t" * 290, "d" * 1_900) for i in range(600)])
    with pytest.raises(TooLarge, match=f"at most {MAX_RECORD_BYTES}"):
        check_limits(huge)


def test_normal_form_sorts_sets_trims_and_drops_blanks_but_keeps_order_where_it_matters():
    record = dataset(
        keywords=[" lung", "CT", "lung", ""], coding_systems=["SNOMED-CT", "ICD-10-NAT"]
    )
    clean = normalised(record)
    assert clean.keywords == ["CT", "lung"]
    assert clean.coding_systems == ["ICD-10-NAT", "SNOMED-CT"]
    assert canonical_json(normalised(clean)) == canonical_json(clean)


def test_unknown_codes_and_bad_links_are_named():
    record = dataset(
        identifier="Bad/ID",
        modalities=["CTX"],
        access_rights="SECRET",
        custodian=dataset().custodian.__class__("X", "not-an-email"),
    )
    problems = {p.field: p.message for p in check_dataset(record)}
    assert "lower-case" in problems["identifier"]
    assert "'CTX' is not a modality code" in problems["modalities[0]"]
    assert "SECRET" in problems["access_rights"]
    assert "not an e-mail address" in problems["custodian.email"]


def test_identifier_is_safe_as_a_mount_folder():
    for bad in ("../etc", "a/b", "A", "-a", "a-", "a.b", "", "x" * 81):
        assert check_dataset(dataset(identifier=bad)), bad
    assert not check_dataset(dataset(identifier="ct-thorax-2023"))
