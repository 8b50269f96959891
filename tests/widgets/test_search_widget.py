"""The search widget driven as a person would (values set, buttons clicked) against the
stand-in portal: what it asks for and what it shows."""

from __future__ import annotations

from kimed_widgets import render
from kimed_widgets.search import SearchState, search

from . import shapes
from .conftest import Answer


def last_search(portal) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in portal.calls_to("GET", "datasets")[-1].params:
        params.setdefault(name, []).append(value)
    return params


def shown(widget) -> str:
    return render.plain(widget.value)


def test_first_page_with_facets_and_synthetic_mark(portal):
    portal.routes[("GET", "datasets")] = Answer(body=shapes.search_page())
    widget = search(client=portal.client())
    assert last_search(portal) == {
        "sort": ["relevance"], "page": ["1"], "page_size": ["10"], "lang": ["en"]
    }  # fmt: skip
    hits = [shown(row.children[0]) for row in widget.hits.children]
    assert len(hits) == 2
    assert render.SYNTHETIC_BADGE not in hits[0]
    assert render.SYNTHETIC_BADGE in hits[1]
    boxes = widget.facet_boxes
    assert boxes["modality"]["CT"].description == "Computed tomography (2)"
    assert "MR" not in boxes["modality"]  # no datasets: not offered
    assert "2 dataset(s)" in shown(widget.summary)


def test_text_facet_and_sort_go_into_the_query(portal):
    portal.routes[("GET", "datasets")] = Answer(body=shapes.search_page())
    widget = search(client=portal.client(), lang="de")
    widget.text.value = "lunge"
    widget.facet_boxes["modality"]["CT"].value = True
    widget.sort.value = "size"
    params = last_search(portal)
    assert params["q"] == ["lunge"] and params["modality"] == ["CT"]
    assert params["sort"] == ["size"] and params["lang"] == ["de"]
    widget.facet_boxes["modality"]["CT"].value = False
    assert "modality" not in last_search(portal)


def test_sliders_at_their_ends_set_no_bound(portal):
    portal.routes[("GET", "datasets")] = Answer(body=shapes.search_page())
    widget = search(client=portal.client())
    widget.age.value = (18, 100)
    widget.cohort.value = (1_000, widget.cohort.options[-1][1])
    params = last_search(portal)
    assert params["age_min"] == ["18"] and "age_max" not in params
    assert params["cohort_min"] == ["1000"] and "cohort_max" not in params


def test_chips_remove_their_filter_and_reset_the_control(portal):
    chips = [
        {"kind": "text", "name": "q", "value": "lunge", "label": '"lunge"', "remove": ""},
        {"kind": "facet", "name": "modality", "value": "CT", "label": "Modality: CT", "remove": ""},
        {"kind": "range", "name": "age", "value": "18–", "label": "Age: 18–", "remove": ""},
    ]
    portal.routes[("GET", "datasets")] = Answer(body=shapes.search_page(chips=chips))
    widget = search(client=portal.client())
    widget.text.value = "lunge"
    widget.age.value = (18, 100)
    widget.facet_boxes["modality"]["CT"].value = True
    assert [chip.description for chip in widget.chips.children] == [
        '"lunge" ✕', "Modality: CT ✕", "Age: 18– ✕"
    ]  # fmt: skip
    searches = len(portal.calls)
    widget.chips.children[0].click()
    assert len(portal.calls) == searches + 1  # one search, not one per control reset
    assert "q" not in last_search(portal) and widget.text.value == ""
    widget.chips.children[2].click()
    assert "age_min" not in last_search(portal) and widget.age.value == (0, 100)
    widget.chips.children[1].click()
    assert "modality" not in last_search(portal)


def test_paging(portal):
    portal.routes[("GET", "datasets")] = lambda call: Answer(
        body=shapes.search_page(total=25, page=int(dict(call.params)["page"]), pages=3)
    )
    widget = search(client=portal.client())
    assert widget.previous.disabled and not widget.next.disabled
    widget.next.click()
    widget.next.click()
    assert last_search(portal)["page"] == ["3"] and widget.next.disabled
    widget.next.click()  # already on the last page: no call
    assert last_search(portal)["page"] == ["3"]
    widget.text.value = "ct"  # a new query starts again on page 1
    assert last_search(portal)["page"] == ["1"]


def test_portal_refusal_shows_as_a_message(portal):
    portal.routes[("GET", "datasets")] = Answer(
        400, {"error": "bad_input", "message": "query text is longer than 500 characters"}
    )
    widget = search(client=portal.client())
    widget.text.value = "x" * 600
    assert widget.notice.shown == "query text is longer than 500 characters"
    assert widget.hits.children == ()


def test_details_open_the_dataset_card(portal):
    portal.routes[("GET", "datasets")] = Answer(body=shapes.search_page())
    portal.routes[("GET", "datasets/ct-thorax-test")] = Answer(body=shapes.record())
    widget = search(client=portal.client())
    widget.hits.children[0].children[1].click()
    (card,) = widget.detail.children
    assert "Chest CT lung nodules (fictional)" in shown(card.body)


def test_state_parameters():
    state = SearchState(text="  ", facets={"modality": frozenset({"MR", "CT"})}, age=(None, 60))
    assert state.params() == [
        ("modality", "CT"), ("modality", "MR"), ("age_max", "60"),
        ("sort", "relevance"), ("page", "1"), ("page_size", "10"), ("lang", "en"),
    ]  # fmt: skip
