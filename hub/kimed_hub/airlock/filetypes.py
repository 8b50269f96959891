"""Does a file's content match the type its extension claims? (content sniffing)

The policy's allowlist names an extension and a content type per file type; a file is
only what it claims when its first bytes say so. The airlock knows the content types the
policy schema allows; each has one small recogniser here. Nothing is executed or
rendered: only the head of the file is read.
"""

from __future__ import annotations

import json

#: How many bytes of a file the recognisers look at (notebooks are parsed whole).
HEAD_BYTES = 64 * 1024

_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n", "a PNG image starts with the PNG signature"),
    "image/jpeg": (b"\xff\xd8\xff", "a JPEG image starts with FF D8 FF"),
    "application/pdf": (b"%PDF-", "a PDF starts with %PDF-"),
}
_TEXT = {"text/csv", "text/tab-separated-values", "text/plain", "text/markdown"}


def mismatch(content_type: str, head: bytes, whole: bytes | None = None) -> str:
    """Why ``head`` (the file's first bytes) is not ``content_type``; "" when it is.

    ``whole`` is the entire file, needed only for notebooks (JSON is checked whole)."""
    if content_type in _MAGIC:
        signature, rule = _MAGIC[content_type]
        return "" if head.startswith(signature) else f"the content is not {content_type}: {rule}"
    if content_type in _TEXT:
        return _text_problem(content_type, head)
    if content_type == "application/x-ipynb+json":
        return _notebook_problem(whole if whole is not None else head)
    return f"the airlock cannot recognise {content_type}"  # the schema prevents this


def _text_problem(content_type: str, head: bytes) -> str:
    if b"\x00" in head:
        return f"the content is binary (a NUL byte), not {content_type}"
    try:
        # The head may end inside a multi-byte character: ignore an incomplete tail only.
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return f"the content is not UTF-8 text ({content_type} must be UTF-8)"
    if content_type in ("text/csv", "text/tab-separated-values"):
        first = head.split(b"\n", 1)[0]
        separator = b"," if content_type == "text/csv" else b"\t"
        if separator not in first and b";" not in first:
            return f"the first line has no column separator; this is not {content_type}"
    return ""


def _notebook_problem(data: bytes) -> str:
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return "the content is not a Jupyter notebook (not JSON)"
    if not isinstance(notebook, dict) or "cells" not in notebook or "nbformat" not in notebook:
        return "the content is not a Jupyter notebook (no cells or nbformat)"
    return ""
