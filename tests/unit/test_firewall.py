"""Egress rule documents (their effect is proven in tests/integration with a canary)."""

from kimed_hub.firewall import SLIRP_HOST_GATEWAY, ipv4_rules, ipv6_rules


def test_ipv4_allows_only_named_ports_and_rejects_the_rest():
    rules = ipv4_rules([8081, 8000, 8081]).splitlines()
    accepts = [r for r in rules if "--dport" in r]
    assert accepts == [
        f"-A OUTPUT -d {SLIRP_HOST_GATEWAY}/32 -p tcp -m tcp --dport {p} -j ACCEPT"
        for p in (8000, 8081)
    ]
    assert ":OUTPUT DROP [0:0]" in rules
    assert rules.index(accepts[-1]) < rules.index(
        "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset"
    )
    assert rules[-1] == "COMMIT"


def test_ipv6_is_closed_but_loopback():
    rules = ipv6_rules()
    assert ":OUTPUT DROP" in rules and "-o lo -j ACCEPT" in rules and "--dport" not in rules


def test_allowed_peers_become_host_ports():
    from kimed_hub.firewall import FirewallError, peer_ports
    from kimed_hub.policies import security_profile

    ports = {"hub_api": 8081, "proxy": 8000}
    assert peer_ports(security_profile().allowed_peers, ports) == [8000, 8081]
    assert peer_ports(["hub_api"], ports) == [8081]  # a peer the policy drops is closed
    try:
        peer_ports(["hub_api", "proxy"], {"hub_api": 8081})
    except FirewallError as error:
        assert "['proxy']" in str(error)
    else:
        raise AssertionError("a policy peer without a port must not be skipped silently")
