"""Wiring into Jupyter Server: configure at link time, verify and route at load time.

Fail closed: a missing or invalid policy, or a server that does not end up as the policy
says (another contents manager, terminals on when the policy says off, a lab plugin not
disabled and locked), stops the server with one ``kimed_exits: refusing to start: ...``
log line. ``SystemExit`` is used because Jupyter's extension manager swallows ordinary
exceptions unless ``reraise_server_extension_failures`` is set (the image sets it too);
a server without its exits closed must not serve anyone.
"""

from __future__ import annotations

import sys

from traitlets import Unicode
from traitlets.config import Config, Configurable

from .contents import ConfinedContentsManager
from .handlers import closed_route_rule, contents_handlers_with_limits, lab_data_limit
from .output import LimitedOutputConnection
from .policy import IMAGE_POLICY, ExitsPolicy, ExitsPolicyError, load_exits_policy

# A body tornado accepts: the largest upload as base64 (4/3) with room to spare, so that
# an upload somewhat over the limit gets the policy's 403 with the airlock message from
# the handler; only a far larger one meets tornado's bare 400 (memory stays bounded).
_REQUEST_OVERHEAD = 1024**2


class KimedExits(Configurable):
    """Where the extension reads its policy (the image's copy; tests point elsewhere)."""

    policy_file = Unicode(
        str(IMAGE_POLICY),
        config=True,
        help="The reviewed exits policy (YAML); its schema is schemas/ beside it.",
    )


def _refuse_to_start(serverapp, reason: str):
    serverapp.log.critical("kimed_exits: refusing to start: %s", reason)
    print(f"kimed_exits: refusing to start: {reason}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def _policy(serverapp) -> ExitsPolicy:
    path = KimedExits(parent=serverapp).policy_file
    try:
        return load_exits_policy(path)
    except ExitsPolicyError as exc:
        _refuse_to_start(serverapp, str(exc))


def _link_jupyter_server_extension(serverapp):
    """Before the server builds its parts: set the classes and limits from the policy."""
    policy = _policy(serverapp)
    serverapp.contents_manager_class = ConfinedContentsManager
    serverapp.kernel_websocket_connection_class = LimitedOutputConnection
    serverapp.terminals_enabled = policy.terminals_enabled
    serverapp.max_body_size = policy.max_upload * 3 // 2 + _REQUEST_OVERHEAD
    serverapp.update_config(
        Config(
            {
                "ConfinedContentsManager": {"refusal_message": policy.airlock_message},
                "LimitedOutputConnection": {
                    "iopub_msg_rate_limit": policy.iopub_msg_rate_limit,
                    "iopub_data_rate_limit": policy.iopub_data_rate_limit,
                    "rate_limit_window": policy.rate_limit_window,
                    "limit_rate": True,
                    "max_message_size": policy.max_message_size,
                    "refusal_message": policy.airlock_message,
                },
            }
        )
    )
    serverapp.log.info("kimed_exits: policy %s applied", KimedExits(parent=serverapp).policy_file)


def _load_jupyter_server_extension(serverapp):
    """After the web application exists: verify the result, then add the routes."""
    policy = _policy(serverapp)
    if problems := _problems(serverapp, policy):
        _refuse_to_start(serverapp, "; ".join(problems))
    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", contents_handlers_with_limits(base_url, policy))
    # First of all rules: the closed routes win over every handler, Jupyter's included.
    web_app.default_router.rules.insert(0, closed_route_rule(base_url, policy))
    web_app.add_transform(lab_data_limit(base_url, policy))
    serverapp.log.info(
        "kimed_exits: /files/, /nbconvert/, /view/ and ?download closed; contents API "
        "limited; terminals %s",
        "on" if policy.terminals_enabled else "off",
    )


def _problems(serverapp, policy: ExitsPolicy) -> list[str]:
    """What differs between the running server and the policy (empty when all is set)."""
    problems = []
    if not isinstance(serverapp.contents_manager, ConfinedContentsManager):
        problems.append(f"contents manager is {type(serverapp.contents_manager).__name__}")
    connection = serverapp.web_app.settings.get("kernel_websocket_connection_class")
    if not (isinstance(connection, type) and issubclass(connection, LimitedOutputConnection)):
        problems.append(f"kernel websocket connection is {connection}")
    if serverapp.terminals_enabled and not policy.terminals_enabled:
        problems.append("terminals are enabled but the policy says off")
    if "jupyterlab" in serverapp.extension_manager.extensions:
        from .lab_config import check_lab_config

        if missing := check_lab_config(policy):
            problems.append("lab plugins not disabled and locked: " + ", ".join(missing))
    return problems
