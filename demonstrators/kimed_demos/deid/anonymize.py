"""Replace found identifiers, per entity type, with presidio-anonymizer operators.

Operators: ``surrogate`` (realistic German fakes, consistent within a document or a
run, dates shifted in their own style), ``mask`` (``*`` for every character),
``hash`` (salted SHA-256, consistent within a run) and ``replace`` (``<PERSON>``).
``AnonymizationConfig`` picks one per entity type and can keep every replacement as
long as the original, so that offsets and layout of the text survive.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
from presidio_anonymizer.operators import Hash

from .analyzer import Finding, check_text
from .entities import ENTITY_TYPES, check_entity_types
from .surrogates import SurrogateGenerator, fit_length

OPERATORS = ("surrogate", "mask", "hash", "replace")
CONSISTENCY = ("document", "run")


def _check_operator(name, where: str) -> None:
    """Raise ValueError naming the setting if ``name`` is not an operator."""
    if name not in OPERATORS:
        raise ValueError(f"unknown operator {name!r} in {where}; use one of {OPERATORS}")


@dataclass(frozen=True)
class AnonymizationConfig:
    """Which operator each entity type gets, and how replacements look.

    ``per_entity`` overrides ``default`` for the types it names. ``consistency`` says
    whether surrogates repeat within each document or across the whole run.
    ``hash_salt`` (16+ characters) makes hashes comparable across runs; left empty, a
    random salt is drawn per configuration, so hashes cannot be linked across runs.
    """

    default: str = "surrogate"
    per_entity: Mapping[str, str] = field(default_factory=dict)
    keep_length: bool = False
    consistency: str = "document"
    seed: int = 0
    mask_char: str = "*"
    hash_salt: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)

    def __post_init__(self):
        _check_operator(self.default, "AnonymizationConfig.default")
        check_entity_types(self.per_entity, "AnonymizationConfig.per_entity")
        for entity, name in self.per_entity.items():
            _check_operator(name, f"AnonymizationConfig.per_entity[{entity!r}]")
        if self.consistency not in CONSISTENCY:
            raise ValueError(f"unknown consistency {self.consistency!r}; use one of {CONSISTENCY}")
        if len(self.mask_char) != 1:
            raise ValueError(f"mask_char must be one character, got {self.mask_char!r}")
        if len(self.hash_salt) < 16:
            raise ValueError("hash_salt must have at least 16 characters (presidio's minimum)")

    def operator_for(self, entity_type: str) -> str:
        """The operator name used for ``entity_type``."""
        return self.per_entity.get(entity_type, self.default)


class Anonymizer:
    """Applies an :class:`AnonymizationConfig` to texts and their findings."""

    def __init__(self, config: AnonymizationConfig | None = None):
        self.config = config or AnonymizationConfig()
        self.engine = AnonymizerEngine()
        self._run_surrogates = SurrogateGenerator(self.config.seed, self.config.keep_length)

    def _surrogates_for(self, text: str) -> SurrogateGenerator:
        """The run's generator, or a fresh one seeded by the document's content."""
        if self.config.consistency == "run":
            return self._run_surrogates
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return SurrogateGenerator(f"{self.config.seed}-{digest}", self.config.keep_length)

    def _operator(self, entity_type: str, surrogates: SurrogateGenerator) -> OperatorConfig:
        """The presidio operator configuration for one entity type."""
        cfg, name = self.config, self.config.operator_for(entity_type)
        fit = (lambda value, original: fit_length(value, len(original))) if cfg.keep_length else (
            lambda value, original: value
        )  # fmt: skip
        if name == "surrogate":
            return OperatorConfig(
                "custom", {"lambda": lambda s: surrogates.surrogate(entity_type, s)}
            )
        if name == "mask":  # keeps the length by itself
            params = {"masking_char": cfg.mask_char, "chars_to_mask": 10**9, "from_end": False}
            return OperatorConfig("mask", params)
        if name == "hash":
            params = {"hash_type": "sha256", "salt": cfg.hash_salt}
            return OperatorConfig("custom", {"lambda": lambda s: fit(Hash().operate(s, params), s)})
        return OperatorConfig("custom", {"lambda": lambda s: fit(f"<{entity_type}>", s)})

    def anonymize(self, text: str, findings: Sequence[Finding]) -> str:
        """``text`` with every finding replaced by its entity type's operator."""
        check_text(text)
        if not findings:
            return text
        surrogates = self._surrogates_for(text)
        operators = {t: self._operator(t, surrogates) for t in ENTITY_TYPES}
        results = [RecognizerResult(f.entity_type, f.start, f.end, f.score) for f in findings]
        return self.engine.anonymize(
            text, results, operators=operators, merge_entities_with_spaces=False
        ).text
