"""spaCy's NER decisions for a batch of letters, decoded without spaCy's per-token overhead.

spaCy's transition-based NER spends most of its time in the greedy decoding loop, not
in the network: in spaCy 3.8 each state query (``StateC.B_``) re-acquires the GIL for
an exception check, which on a 1.45 KB letter cost about 1.9 of the model's 3.3 CPU ms
(perf, issue 11). :class:`GreedyNer` takes the same decisions with the same weights:

1. the network (tok2vec, then the precomputed lower layer) runs as spaCy runs it;
2. a state outside any entity has the features ``(token, -, -)``, so its scores and its
   best valid move (Begin, Unit or Out) are computed for every token at once;
3. a letter is walked from one Begin/Unit to the next; only the few tokens inside an
   entity need a state-dependent step (features ``(token, entity start, token - 1)``),
   choosing In or Last as spaCy does (first index wins ties).

The validity rules are spaCy's ``BiluoPushDown`` rules for documents without preset
entities (which is what the tokenizer makes); documents with preset entities, models
of another shape or with unseen classes go through spaCy's own ``pipe``. A test
(tests/demonstrators/test_deid_fastner.py) holds the entities equal to spaCy's on
held-out letters and all evaluation sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Model, NumpyOps


def _numpy_gemm(model: Model) -> Model:
    """A copy of ``model`` whose matrix products go through numpy (OpenBLAS).

    thinc multiplies through its bundled BLIS, which on this project's CPUs (AMD family
    25) selects its generic reference kernels: numpy's OpenBLAS made the network 25%
    faster, with the same entities on every letter the tests compare. A copy, so the
    spaCy pipeline itself (presidio's reference path) keeps thinc's defaults.
    """
    copy = model.copy()
    ops = NumpyOps(use_blis=False)
    for node in copy.walk():
        node.ops = ops
    return copy


def _maxout(x: numpy.ndarray) -> numpy.ndarray:
    """The maximum over the last axis (the pieces): ``x.max(-1)``, but as an element-wise
    maximum of the few pieces, which numpy does several times faster than a reduction."""
    out = x[..., 0]
    for i in range(1, x.shape[-1]):
        out = numpy.maximum(out, x[..., i])
    return out


class GreedyNer:
    """Greedy BILUO decoding of a trained spaCy ``ner`` component (see module doc).

    The network's layers are copied when the decoder is made (see :func:`_numpy_gemm`):
    make a new decoder after training the pipeline further.
    """

    def __init__(self, ner):
        self.ner = ner
        tok2vec, lower, self.upper = ner.model.layers
        self.tok2vec, self.lower = _numpy_gemm(tok2vec), _numpy_gemm(lower)
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self.labels = [n.partition("-")[2] for n in names]
        self.out = names.index("O")
        #: Class index of each (kind, label) move with a non-empty label.
        self.index = {tuple(n.split("-", 1)): i for i, n in enumerate(names) if "-" in n}
        self.begins = [i for i, n in enumerate(names) if n.startswith("B-") and n != "B-"]
        self.units = [i for i, n in enumerate(names) if n.startswith("U-") and n != "U-"]

    @classmethod
    def for_pipeline(cls, nlp: Language) -> GreedyNer | None:
        """The decoder for ``nlp``'s NER, or None if it has none this decoder can mirror."""
        if "ner" not in nlp.pipe_names or nlp.pipe_names[-1] != "ner":
            return None
        ner = nlp.get_pipe("ner")
        model = ner.model
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        mirrored = (
            ner.cfg.get("beam_width") == 1
            and model.attrs.get("has_upper")
            and not model.attrs.get("unseen_classes")
            and len(model.layers) == 3
            and model.layers[1].get_dim("nF") == 3
            and "O" in names
            and all(n[0] in "BILUO" and (n == "O" or n[1] == "-") for n in names)
        )
        return cls(ner) if mirrored else None

    def __call__(self, docs: Sequence[Doc]) -> Sequence[Doc]:
        """Set the model's entities on ``docs`` (fresh from the tokenizer); return them."""
        work = [d for d in docs if len(d)]
        if not work:
            return docs
        if any(d.has_annotation("ENT_IOB") for d in work):  # preset entities: spaCy's rules
            return list(self.ner.pipe(docs, batch_size=len(docs)))
        table = self.lower.predict(self.tok2vec.predict(work))  # (N + 1, 3, hidden, pieces)
        bias = self.lower.get_param("b")
        weights, out_bias = self.upper.get_param("W"), self.upper.get_param("b")
        # Outside an entity the features are (token, padding, padding): spaCy sums them in
        # this order onto zeros, then adds the bias (same float order, same sums).
        closed = ((table[1:, 0] + table[0, 1]) + table[0, 2]) + bias
        scores = _maxout(closed) @ weights.T + out_bias
        offset = 0
        for doc in work:
            n = len(doc)
            flags = doc.to_array([SENT_START, IS_SPACE])
            acts = self._closed_moves(scores[offset : offset + n], flags)
            ents = self._walk(acts, table[offset:], flags, bias, weights, out_bias)
            doc.set_ents([Span(doc, s, e, label=lab) for s, e, lab in ents], default="outside")
            offset += n
        return docs

    def _closed_moves(self, scores, flags) -> numpy.ndarray:
        """Best valid move (Begin, Unit or Out) of each token's outside-entity state."""
        n = len(scores)
        space = flags[:, 1].astype(bool)
        next_sentence = numpy.zeros(n, dtype=bool)
        next_sentence[:-1] = flags[1:, 0] == 1
        # Begin needs a next token in the same sentence; no entity starts on whitespace.
        can_begin = ~space & ~next_sentence
        can_begin[-1] = False
        valid = numpy.zeros(scores.shape, dtype=bool)
        valid[:, self.begins] = can_begin[:, None]
        valid[:, self.units] = ~space[:, None]
        valid[:, self.out] = True
        return numpy.where(valid, scores, -numpy.inf).argmax(axis=1)

    def _walk(self, acts, table, flags, bias, weights, out_bias) -> list[tuple[int, int, str]]:
        """Entities of one letter: jump between Begin/Unit moves, step inside entities."""
        n, ents = len(acts), []
        events = numpy.flatnonzero(acts != self.out).tolist()
        t, k = 0, 0
        while k < len(events):
            e = events[k]
            k += 1
            if e < t:
                continue
            label = self.labels[acts[e]]
            if self.index[("U", label)] == acts[e]:
                ents.append((e, e + 1, label))
                t = e + 1
                continue
            end = self._entity_end(e, label, n, table, flags, bias, weights, out_bias)
            ents.append((e, end, label))
            t = end
        return ents

    def _entity_end(self, start, label, n, table, flags, bias, weights, out_bias) -> int:
        """Where an entity opened at ``start`` ends: In while it beats Last (spaCy's order)."""
        inside, last = self.index[("I", label)], self.index[("L", label)]
        pair = weights[[inside, last]]
        pair_bias = out_bias[[inside, last]]
        t = start + 1
        while True:
            # In needs a next token in the same sentence; Last is always valid.
            can_continue = t <= n - 2 and flags[t + 1, 0] != 1
            if can_continue:
                hidden = ((table[t + 1, 0] + table[start + 1, 1]) + table[t, 2]) + bias
                s_in, s_last = pair @ _maxout(hidden) + pair_bias
                # spaCy keeps the first best valid class: the lower index wins ties.
                if s_in > s_last or (s_in == s_last and inside < last):
                    t += 1
                    continue
            return t + 1
