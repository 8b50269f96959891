"""Pieces every widget shares: the message area and the guard around event handlers.

A widget's handlers run from the browser's events; an exception there would end up in
the frontend's log, invisible to the researcher. :func:`guarded` turns every failure
into a readable message in the widget's :class:`Notice` instead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets

from . import render
from .client import PortalCallFailed

log = logging.getLogger("kimed_widgets")
F = TypeVar("F", bound=Callable[..., Any])


class Notice(widgets.HTML):
    """The widget's message line: errors in red, information in blue, or nothing."""

    def error(self, body: str) -> None:
        self.value = render.message("error", body)

    def info(self, body: str) -> None:
        self.value = render.message("info", body)

    def clear(self) -> None:
        self.value = ""

    @property
    def shown(self) -> str:
        """The message as plain text (what the researcher reads)."""
        return render.plain(self.value)


def guarded(method: F) -> F:
    """Run a widget method; show any failure in ``self.notice`` instead of raising.

    Portal errors already carry a message for people; anything else is a bug in the
    widget, shown with its type so it can be reported (and logged with its traceback)."""

    @functools.wraps(method)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except PortalCallFailed as failure:
            self.notice.error(str(failure))
        except Exception as bug:  # noqa: BLE001 - a handler must never show a traceback
            log.exception("widget handler failed")
            self.notice.error(
                f"The widget failed unexpectedly ({type(bug).__name__}: {bug}). "
                "Please report this to the workbench's administrators."
            )
        return None

    return wrapper  # type: ignore[return-value]


def button(description: str, handler: Callable[[], Any], **kwargs: Any) -> widgets.Button:
    """A button that calls ``handler()`` (without the button argument) when clicked."""
    widget = widgets.Button(description=description, **kwargs)
    widget.on_click(lambda _button: handler())
    return widget


def on_change(widget: widgets.Widget, handler: Callable[[], Any]) -> widgets.Widget:
    """Call ``handler()`` whenever the widget's value changes; returns the widget."""
    widget.observe(lambda _change: handler(), names="value")
    return widget
