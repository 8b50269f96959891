"""The catalogue endpoints: search, dataset and algorithm records, DCAT import and export."""

from __future__ import annotations

from urllib.parse import urlencode

from ..catalogue import SearchQuery
from ..catalogue.harvest import MAX_PAGE_SIZE
from ..errors import BadInput, NotFound
from ..serde import to_data
from . import api_json
from .api_base import API, ID, ApiHandler, UnsupportedMediaType
from .auth import READ_CATALOGUE, WRITE_CATALOGUE

#: RDF formats and their media types (export and import).
RDF_TYPES = {"turtle": "text/turtle", "json-ld": "application/ld+json"}


class SearchHandler(ApiHandler):
    """``GET datasets``: full text, facets, ranges, sorted pages (``SearchQuery``)."""

    async def get(self) -> None:
        self.require(READ_CATALOGUE)
        query = SearchQuery.from_params(self.query_lists())
        self.finish(api_json.search_result(await self.run(self.portal.store.search, query)))


class DatasetHandler(ApiHandler):
    """``GET/PUT/DELETE datasets/{id}``."""

    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        lang = self.choice(self.params("lang"), "lang", ("en", "de"))
        store = self.portal.store

        def load() -> dict:
            record = store.get_dataset(identifier)
            models = [algo.identifier for algo in store.list_algorithms(trained_on=identifier)]
            return api_json.dataset(record, store.synthetic_versions(identifier), models, lang)

        self.finish(await self.run(load))

    async def put(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        record, expected = self.record_put(identifier, "a dataset")
        store = self.portal.store
        existed = await self.run(store.dataset_revision, identifier)
        revision = await self.run(
            store.put_dataset, record, actor=self.caller(), expected_revision=expected
        )
        self.written(identifier, bool(existed), revision)

    async def delete(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        self.params()
        await self.run(self.portal.store.delete_dataset, identifier, actor=self.caller())
        self.finish({"identifier": identifier, "deleted": True})


class ImportHandler(ApiHandler):
    """``POST datasets/import``: a Turtle or JSON-LD document, all its records or none."""

    async def post(self) -> None:
        self.require(WRITE_CATALOGUE)
        self.params()
        media = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        formats = {media_type: fmt for fmt, media_type in RDF_TYPES.items()}
        if media not in formats:
            raise UnsupportedMediaType(
                f"Send the records as text/turtle or application/ld+json, not {media or 'no'} "
                "Content-Type."
            )
        body = self.body_bytes()
        if not body.strip():
            raise BadInput("The request needs a Turtle or JSON-LD body.")
        store = self.portal.store
        result = await self.run(store.import_document, body, formats[media], actor=self.caller())
        self.finish({"imported": result.identifiers, "kept_not_modelled": result.kept_not_modelled})


class RdfHandler(ApiHandler):
    """``GET catalogue`` and ``GET datasets/{id}/rdf``: DCAT as Turtle or JSON-LD."""

    async def get(self, identifier: str | None = None) -> None:
        self.require(READ_CATALOGUE)
        paging = ("page", "page_size", "modified_since") if identifier is None else ()
        params = self.params("format", *paging)
        fmt = self.choice(params, "format", tuple(RDF_TYPES))
        store = self.portal.store

        def export() -> str:
            if identifier is None and set(params) & set(paging):
                return self._harvest_page(fmt, params)
            if identifier is None:
                return store.export_rdf(fmt)
            store.get_dataset(identifier)  # NotFound rather than an empty catalogue
            return store.export_rdf(fmt, [identifier])

        text = await self.run(export)
        self.set_header("Content-Type", f"{RDF_TYPES[fmt]}; charset=utf-8")
        self.finish(text)

    def _harvest_page(self, fmt: str, params: dict[str, str]) -> str:
        """A harvester's page: datasets changed since ``modified_since``, with hydra links
        to the other pages (same filters)."""
        page = self.whole_number(params, "page", 1, 1, 1_000_000)
        size = self.whole_number(params, "page_size", 100, 1, MAX_PAGE_SIZE)
        since = params.get("modified_since", "")
        base = f"{self.request.protocol}://{self.request.host}{self.request.path}"

        def url(number: int) -> str:
            query = {"format": fmt, "page": number, "page_size": size}
            return f"{base}?{urlencode(query | ({'modified_since': since} if since else {}))}"

        return self.portal.store.harvest_page(fmt, page, size, since, url)


class AlgorithmsHandler(ApiHandler):
    """``GET algorithms`` (``trained_on``: those trained on one dataset)."""

    async def get(self) -> None:
        self.require(READ_CATALOGUE)
        trained_on = self.params("trained_on").get("trained_on") or None
        found = await self.run(self.portal.store.list_algorithms, trained_on=trained_on)
        self.finish({"algorithms": [to_data(algo) for algo in found]})


class AlgorithmHandler(ApiHandler):
    """``GET/PUT algorithms/{id}``."""

    async def get(self, identifier: str) -> None:
        self.require(READ_CATALOGUE)
        self.params()
        self.finish(to_data(await self.run(self.portal.store.get_algorithm, identifier)))

    async def put(self, identifier: str) -> None:
        self.require(WRITE_CATALOGUE)
        record, expected = self.record_put(identifier, "an algorithm")
        store = self.portal.store

        def write() -> tuple[bool, int]:
            try:
                store.get_algorithm(identifier)
                existed = True
            except NotFound:
                existed = False
            return existed, store.put_algorithm(
                record, actor=self.caller(), expected_revision=expected
            )

        self.written(identifier, *await self.run(write))


ROUTES = [
    (API + "datasets", SearchHandler),
    (API + "datasets/import", ImportHandler),
    (API + f"datasets/{ID}", DatasetHandler),
    (API + f"datasets/{ID}/rdf", RdfHandler),
    (API + "catalogue", RdfHandler),
    (API + "algorithms", AlgorithmsHandler),
    (API + f"algorithms/{ID}", AlgorithmHandler),
]
