"""Egress rules inside a user container's own network namespace (podman + slirp4netns).

With slirp4netns and ``allow_host_loopback``, the address 10.0.2.2 inside the container
lands on the host's 127.0.0.1: every loopback port of the host (the proxy's API, a
database, other services) would be reachable. The spawner therefore writes iptables rules
into the container's network namespace from the host, after the namespace exists and
before any process of the image runs (podman's ``init``). The container has no
CAP_NET_ADMIN, so it cannot undo them. Allowed: the container's own loopback, replies to
connections made to it (the proxy reaching the server), and the named host ports.
Everything else is rejected at once, DNS (10.0.2.3) and the internet included, and IPv6
is closed completely. Which host ports are allowed follows the policy's
``network.allowed_peers`` (``peer_ports``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable

# Where slirp4netns maps the host's loopback inside the container.
SLIRP_HOST_GATEWAY = "10.0.2.2"


class FirewallError(RuntimeError):
    """The rules could not be applied or read back; the spawn must not go on."""


def peer_ports(allowed_peers: Iterable[str], ports: dict[str, int]) -> list[int]:
    """The host ports of the policy's allowed peers (``hub_api``, ``proxy``), given where
    each peer listens on this host; a peer the policy names without a port is an error."""
    missing = [peer for peer in allowed_peers if peer not in ports]
    if missing:
        raise FirewallError(f"no host port known for the policy's allowed peers {missing}")
    return sorted({ports[peer] for peer in allowed_peers})


# Both address families: default-deny egress, but the container's own loopback and replies
# to connections made to it (the proxy reaching the server).
_BASE = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD DROP [0:0]",
    ":OUTPUT DROP [0:0]",
    "-A OUTPUT -o lo -j ACCEPT",
    "-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
]


def _document(rules: list[str]) -> str:
    """An ``*-restore`` document: the base rules, then ``rules``, then COMMIT."""
    return "\n".join([*_BASE, *rules, "COMMIT"]) + "\n"


def ipv4_rules(allowed_host_ports: Iterable[int]) -> str:
    """An ``iptables-restore`` document allowing only the given host loopback ports."""
    accepts = [
        f"-A OUTPUT -d {SLIRP_HOST_GATEWAY}/32 -p tcp -m tcp --dport {port} -j ACCEPT"
        for port in sorted(set(allowed_host_ports))
    ]
    # REJECT rather than DROP: code inside fails fast with "connection refused"
    # instead of hanging until a timeout.
    rejects = [
        "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
        "-A OUTPUT -j REJECT --reject-with icmp-port-unreachable",
    ]
    return _document(accepts + rejects)


def ipv6_rules() -> str:
    """An ``ip6tables-restore`` document closing IPv6 egress (slirp4netns offers fd00::/64)."""
    return _document(["-A OUTPUT -j REJECT --reject-with icmp6-port-unreachable"])


def _in_netns(pid: int, command: list[str], stdin: str | None = None) -> str:
    result = subprocess.run(
        ["nsenter", "-t", str(pid), "-n", *command],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise FirewallError(
            f"{' '.join(command)} in the network namespace of pid {pid} failed: "
            f"{result.stderr.strip() or result.stdout.strip()}. The hub must run as root "
            "with nsenter and iptables installed (kimed setup installs them)."
        )
    return result.stdout


def apply_egress_rules(pid: int, allowed_host_ports: Iterable[int]) -> None:
    """Write the rules into the namespace of ``pid`` and read them back.

    Raises :class:`FirewallError` if anything fails or the read-back differs, so the
    caller refuses the spawn rather than starting an open container.
    """
    ports = sorted(set(allowed_host_ports))
    _in_netns(pid, ["iptables-restore"], ipv4_rules(ports))
    _in_netns(pid, ["ip6tables-restore"], ipv6_rules())
    v4 = _in_netns(pid, ["iptables", "-S", "OUTPUT"])
    v6 = _in_netns(pid, ["ip6tables", "-S", "OUTPUT"])
    if "-P OUTPUT DROP" not in v4 or "-P OUTPUT DROP" not in v6:
        raise FirewallError(f"egress rules did not take effect in pid {pid}'s namespace")
    for port in ports:
        if f"--dport {port} -j ACCEPT" not in v4:
            raise FirewallError(f"the rule allowing host port {port} is missing after apply")
