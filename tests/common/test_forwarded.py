"""The client behind reverse proxies: forwarding headers read only from trusted proxies, walked from the right."""

from __future__ import annotations

import ipaddress

import pytest

from window_staff.common.forwarded import Origin, forwarded_elements, parse_address, parse_networks, resolve

PROXIES = parse_networks(["10.0.0.0/8", "fd00::/8"])


def origin(peer: str, *headers: tuple[str, str], scheme: str = "http", trusted=PROXIES) -> Origin:
    """Resolve a request from ``peer`` carrying ``headers`` (lower-case names)."""
    return resolve(peer, scheme=scheme, headers=headers, trusted=trusted)


def xff(value: str) -> tuple[str, str]:
    return ("x-forwarded-for", value)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say():
    assert origin("198.51.100.9", xff("192.0.2.1"), ("x-forwarded-proto", "https"), trusted=()) == Origin("198.51.100.9", "http")


def test_an_untrusted_peer_cannot_name_another_client():
    assert origin("198.51.100.9", xff("192.0.2.1"), ("forwarded", "for=192.0.2.2")).address == "198.51.100.9"


def test_a_trusted_proxy_names_the_client_in_x_forwarded_for():
    assert origin("10.0.0.2", xff("192.0.2.1")).address == "192.0.2.1"


def test_trusted_hops_in_a_cidr_network_are_skipped_from_the_right():
    assert origin("10.0.0.2", xff("192.0.2.1, 10.1.0.5, 10.2.0.7")).address == "192.0.2.1"


def test_a_client_prefixing_x_forwarded_for_gets_its_own_address_not_the_spoofed_one():
    # nginx's $proxy_add_x_forwarded_for appends the peer it saw to what the client sent: the walk stops there.
    assert origin("10.0.0.2", xff("203.0.113.66, 10.0.0.1, 192.0.2.1")).address == "192.0.2.1"


def test_several_x_forwarded_for_lines_read_as_one_list_in_order():
    assert origin("10.0.0.2", xff("192.0.2.1"), xff("10.0.0.9")).address == "192.0.2.1"


def test_a_malformed_entry_stops_the_walk_at_the_last_trusted_hop():
    assert origin("10.0.0.2", xff("192.0.2.1, not-an-address, 10.0.0.9")).address == "10.0.0.9"


def test_a_malformed_entry_next_to_the_peer_leaves_the_peer():
    assert origin("10.0.0.2", xff("192.0.2.1, 999.1.1.1")).address == "10.0.0.2"


def test_an_empty_entry_counts_as_malformed():
    assert origin("10.0.0.2", xff("192.0.2.1, ")).address == "10.0.0.2"


def test_a_trusted_peer_without_forwarding_headers_is_the_client():
    assert origin("10.0.0.2", ("user-agent", "curl")).address == "10.0.0.2"


def test_when_every_hop_is_trusted_the_leftmost_is_the_client():
    assert origin("10.0.0.2", xff("10.9.9.9, 10.0.0.1")).address == "10.9.9.9"


def test_ipv6_clients_and_proxies_are_walked_like_ipv4():
    assert origin("fd00::2", xff("2001:db8::7, fd00::1")).address == "2001:db8::7"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("192.0.2.1", "192.0.2.1"),
        (" 192.0.2.1:4711 ", "192.0.2.1"),
        ("2001:DB8::7", "2001:db8::7"),
        ("[2001:db8::7]", "2001:db8::7"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("192.0.2.1:_hidden", "192.0.2.1"),
    ],
)
def test_addresses_are_read_as_proxies_write_them(text, address):
    assert str(parse_address(text)) == address


@pytest.mark.parametrize("text", ["", "unknown", "_hidden", "192.0.2", "[192.0.2.1]", "2001:db8::7]:80", "192.0.2.1:80:80", "fe80::1%eth0"])
def test_what_is_not_an_address_is_malformed(text):
    assert parse_address(text) is None


def test_an_ipv4_peer_on_a_dual_stack_socket_is_matched_against_ipv4_networks():
    assert origin("::ffff:10.0.0.2", xff("192.0.2.1")).address == "192.0.2.1"


def test_forwarded_names_the_client_when_there_is_no_x_forwarded_for():
    header = ("forwarded", 'for=192.0.2.60;proto=https;by=10.0.0.1, for="[2001:db8:cafe::17]:4711", for=10.0.0.3')
    assert origin("10.0.0.2", header).address == "2001:db8:cafe::17"


def test_forwarded_unknown_or_obfuscated_stops_the_walk():
    assert origin("10.0.0.2", ("forwarded", "for=192.0.2.60, for=unknown, for=10.0.0.3")).address == "10.0.0.3"
    assert origin("10.0.0.2", ("forwarded", "for=_gateway")).address == "10.0.0.2"


def test_a_forwarded_element_without_for_stops_the_walk():
    assert origin("10.0.0.2", ("forwarded", "for=192.0.2.60, proto=https")).address == "10.0.0.2"


def test_x_forwarded_for_wins_over_a_forwarded_header_the_proxy_passed_through():
    spoofed = ("forwarded", "for=203.0.113.66")
    assert origin("10.0.0.2", spoofed, xff("192.0.2.1")).address == "192.0.2.1"


def test_forwarded_values_may_be_quoted_with_separators_inside():
    assert forwarded_elements(['for="192.0.2.1";ext="a,b;c", For=10.0.0.1']) == [{"for": "192.0.2.1", "ext": "a,b;c"}, {"for": "10.0.0.1"}]


@pytest.mark.parametrize("header", ["for", "for=192.0.2.1;for=192.0.2.2", 'for="192.0.2.1', "=x", 'for=a"b'])
def test_an_unreadable_forwarded_element_is_none(header):
    assert forwarded_elements([header]) == [None]


def test_a_trusted_proxy_reports_https_in_x_forwarded_proto():
    assert origin("10.0.0.2", xff("192.0.2.1"), ("x-forwarded-proto", "HTTPS")).scheme == "https"


def test_the_nearest_proxys_x_forwarded_proto_is_the_one_read():
    assert origin("10.0.0.2", ("x-forwarded-proto", "https, http")).scheme == "http"


def test_an_untrusted_peer_cannot_claim_https():
    assert origin("198.51.100.9", ("x-forwarded-proto", "https")).scheme == "http"


def test_an_unknown_proto_keeps_the_connection_scheme():
    assert origin("10.0.0.2", ("x-forwarded-proto", "gopher"), scheme="https").scheme == "https"


def test_forwarded_proto_comes_from_the_nearest_element():
    assert origin("10.0.0.2", ("forwarded", "for=192.0.2.1;proto=http, for=10.0.0.3;proto=https")).scheme == "https"


def test_a_peer_that_is_no_address_is_kept_as_it_is():
    assert origin("testclient", xff("192.0.2.1")).address == "testclient"


def test_networks_are_addresses_or_cidr_networks_of_either_family():
    assert parse_networks([" 127.0.0.1", "172.16.0.0/12", "::1", "fd00::/8"]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("172.16.0.0/12"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("fd00::/8"),
    )


@pytest.mark.parametrize(
    ("entry", "says"), [("nginx", "names are not resolved"), ("10.0.0.1/8", "10.0.0.0/8"), ("10.0.0.0/33", "not an IP")]
)
def test_an_entry_that_is_no_network_is_refused_with_the_reason(entry, says):
    with pytest.raises(ValueError, match=says):
        parse_networks(["127.0.0.1", entry])
