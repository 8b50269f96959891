"""Kernel output to the browser, limited: Jupyter's rate limits plus a per-message size.

Friction, not a control. Jupyter already limits the iopub message rate and the byte rate
of *stream* output (``print``); it does not count displays and results, so one
``display(HTML(...))`` of a whole table goes through at any size, and it does not look at
the other channels at all (an ``execute_reply`` carries ``user_expressions``, a widget's
comm message carries its state). This connection class also drops any single message to
the browser, on any channel, larger than the policy's ``max_message_size``, and writes a
notice (naming the airlock) to the cell's stderr instead; a dropped ``execute_reply``
leaves that cell marked busy until the kernel is interrupted. A user can still print
data in pieces below every limit; the limits make that slow and visible, nothing more
(docs/airlock-threat-model.md).
"""

from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import (
    ZMQChannelsWebsocketConnection,
)
from traitlets import Integer, Unicode


class LimitedOutputConnection(ZMQChannelsWebsocketConnection):
    """Jupyter's kernel websocket connection with a largest output message."""

    max_message_size = Integer(
        4 * 1024**2,
        config=True,
        help="Largest single kernel message (bytes, any channel) sent to the browser; larger "
        "ones are dropped and a notice is written to stderr. 0 means no limit.",
    )
    refusal_message = Unicode(
        "Results leave this workspace through the airlock.",
        config=True,
        help="Appended to the notice; kimed_exits sets it to the policy's airlock message.",
    )

    def _limit_rate(self, channel, msg, msg_list):
        """Jupyter's rate limits (iopub) first, then the size of this one message."""
        if super()._limit_rate(channel, msg, msg_list):
            return True
        size = sum(len(part) for part in msg_list)
        if not self.max_message_size or size <= self.max_message_size:
            return False
        header = self.get_part("header", msg["header"], msg_list)
        parent = self.get_part("parent_header", msg["parent_header"], msg_list)
        self.write_stderr(
            f"Output not shown: this {header['msg_type']} message is "
            f"{size / 1024**2:.1f} MiB, over the workspace's limit of "
            f"{self.max_message_size / 1024**2:.1f} MiB per output. "
            f"{self.refusal_message}",
            parent,
        )
        return True
