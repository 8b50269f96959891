"""The synthesis methods, by the names the policy allows.

Each method module has ``fit(train, info, settings, seed) -> model`` and the model has
``sample(n, seed) -> DataFrame`` with the columns of ``info`` (numbers as floats,
categories as strings). Modules are imported only when used: the deep model needs torch,
which only the python-imaging kernel has.
"""

from __future__ import annotations

import importlib

from ..spec import SynthesisInputError

# planted_leak: a test control that copies the real rows (leak.py); the reviewed schema
# does not allow it, so only a test's own policy and schema can select it.
MODULES = {"gaussian_copula": "copula", "cart": "cart", "tvae": "tvae", "planted_leak": "leak"}
VERSION = "1"  # bump when a method's output for the same input and seed changes


def method_module(name: str):
    """The module of method ``name``; a clear error if this kernel cannot run it."""
    if name not in MODULES:
        raise SynthesisInputError(
            f"method {name!r} is allowed by the policy but not implemented here; "
            f"implemented: {', '.join(sorted(MODULES))}"
        )
    try:
        return importlib.import_module(f"{__name__}.{MODULES[name]}")
    except ImportError as exc:
        if (exc.name or "").startswith("kimed_demos"):
            raise  # our own code is broken: a crash, not the user's input
        raise SynthesisInputError(
            f"method {name!r} cannot run with this interpreter ({exc}); run it with the "
            "kernel the policy names for it"
        ) from exc
