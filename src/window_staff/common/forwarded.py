"""The client behind reverse proxies: who connected, read from forwarding headers only where a trusted proxy wrote them.

Pure (no request, no I/O). The rules, in one place (docs/DESIGN.md §9 "Behind a reverse proxy"):

- A TCP peer outside ``trusted`` is the client; its forwarding headers are ignored whatever they say.
- From a trusted peer, one header family is read: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` when either is present,
  otherwise RFC 7239 ``Forwarded`` (its ``for=`` and ``proto=``). The other family is never consulted, so a proxy
  that writes one family must overwrite or drop the other (nginx and Caddy write ``X-Forwarded-*`` and pass a
  client's ``Forwarded`` through untouched: that header is then ignored).
- The address list is walked from the right (the entry the nearest proxy added) over trusted addresses; the first
  untrusted address is the client. A malformed, ``unknown`` or obfuscated entry stops the walk: the answer is the
  last trusted address seen (the peer when it is the first entry). When every entry is trusted, the leftmost one.
- The scheme is the nearest proxy's word (the rightmost ``X-Forwarded-Proto`` value, or the rightmost
  ``Forwarded`` element's ``proto``) when it is ``http`` or ``https``; otherwise the connection's own scheme.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A port after an address: digits, or RFC 7239's obfuscated form ("_" then letters, digits, ".", "_", "-").
_PORT = re.compile(r"[0-9]{1,5}|_[A-Za-z0-9._-]+")
_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: the client's address and the scheme it used."""

    address: str
    scheme: str


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks (``10.0.0.0/8``, ``::1``); ValueError naming the first entry that is neither."""
    networks = []
    for entry in entries:
        text = entry.strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=True))
            continue
        except ValueError:
            pass
        try:
            wider = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or a CIDR network such as 10.0.0.0/8 (names are not resolved)") from None
        # "10.0.0.1/8" is more likely a slip than a wish to trust all of 10.0.0.0/8: say so rather than guess.
        raise ValueError(f"{entry!r} has host bits set: write the network, {wider}")
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (``1.2.3.4``, ``1.2.3.4:80``, ``2001:db8::1``, ``[2001:db8::1]:80``), or None."""
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not (rest.startswith(":") and _PORT.fullmatch(rest[1:]))):
            return None
        return _address(host, v6_only=True)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return _address(host, v4_only=True) if _PORT.fullmatch(port) else None
    return _address(text)


def _address(text: str, *, v4_only: bool = False, v6_only: bool = False) -> Address | None:
    if "%" in text:  # a zone id names an interface of the proxy, not a client
        return None
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    if (v4_only and found.version != 4) or (v6_only and found.version != 6):
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d: one client, one throttle key.
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def is_trusted(address: Address, *, trusted: Sequence[Network]) -> bool:
    """True when the address lies in one of the trusted networks."""
    return any(address.version == net.version and address in net for net in trusted)


def walk(peer: Address, *, chain: Sequence[Address | None], trusted: Sequence[Network]) -> Address:
    """The client: an untrusted peer itself, else the first untrusted address of ``chain`` (as written) read from the right."""
    # chain holds None for an entry that could not be read: it stops the walk at the last trusted address seen.
    if not is_trusted(peer, trusted=trusted):
        return peer
    current = peer
    for entry in reversed(chain):
        if entry is None:
            return current
        current = entry
        if not is_trusted(entry, trusted=trusted):
            return entry
    return current


def x_forwarded_for(values: Sequence[str]) -> list[Address | None]:
    """The addresses of ``X-Forwarded-For`` header lines (several lines read as one list, in order)."""
    if not values:
        return []
    return [parse_address(item) for item in ",".join(values).split(",")]


def forwarded_elements(values: Sequence[str]) -> list[dict[str, str] | None]:
    """RFC 7239 ``Forwarded`` elements as {lower-case name: unquoted value}, None for one that cannot be read."""
    elements: list[dict[str, str] | None] = []
    for raw in _split(",".join(values), separator=","):
        pairs: dict[str, str] = {}
        readable = True
        for pair in _split(raw, separator=";"):
            if not pair.strip():
                continue
            name, sep, value = pair.partition("=")
            name, unquoted = name.strip().lower(), _unquote(value.strip())
            if not sep or not name or name in pairs or unquoted is None:
                readable = False
                break
            pairs[name] = unquoted
        elements.append(pairs if readable else None)
    return elements


def _split(text: str, *, separator: str) -> list[str]:
    """Split at ``separator`` outside quoted strings (a backslash escapes the next character inside them)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str | None:
    if not value.startswith('"'):
        return value if value and '"' not in value else None
    if len(value) < 2 or not value.endswith('"'):
        return None
    return re.sub(r"\\(.)", r"\1", value[1:-1])


def forwarded_for(elements: Sequence[dict[str, str] | None]) -> list[Address | None]:
    """The ``for=`` address of each element; None where it is missing, ``unknown``, obfuscated or malformed."""
    return [parse_address(element["for"]) if element and "for" in element else None for element in elements]


def _scheme(value: str | None, *, default: str) -> str:
    word = (value or "").strip().lower()
    return word if word in _SCHEMES else default


def resolve(peer: str, *, scheme: str, headers: Iterable[tuple[str, str]], trusted: Sequence[Network]) -> Origin:
    """The request's origin from its TCP peer, its connection scheme and its headers (lower-case names)."""
    peer_address = _address(peer)
    if peer_address is None:
        return Origin(address=peer, scheme=scheme)
    if not is_trusted(peer_address, trusted=trusted):
        return Origin(address=str(peer_address), scheme=scheme)
    found: dict[str, list[str]] = {"x-forwarded-for": [], "x-forwarded-proto": [], "forwarded": []}
    for name, value in headers:
        if name in found:
            found[name].append(value)
    if found["x-forwarded-for"] or found["x-forwarded-proto"]:
        chain = x_forwarded_for(found["x-forwarded-for"])
        protos = ",".join(found["x-forwarded-proto"]).split(",") if found["x-forwarded-proto"] else [""]
        proto = protos[-1]
    else:
        elements = forwarded_elements(found["forwarded"]) if found["forwarded"] else []
        chain = forwarded_for(elements)
        proto = (elements[-1] or {}).get("proto", "") if elements else ""
    client = walk(peer_address, chain=chain, trusted=trusted)
    return Origin(address=str(client), scheme=_scheme(proto, default=scheme))
