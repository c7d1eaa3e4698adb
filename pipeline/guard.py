"""The SSRF guard: which addresses the fetcher may connect to, and a transport that enforces it.

A host is resolved (in a thread) and every address checked before connecting; the connection
then goes to the address that was checked, so DNS rebinding between check and connect cannot
slip through. Loopback, private, link-local, shared, reserved, multicast and unspecified
addresses are refused. IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4 2002::/16,
NAT64 64:ff9b::/96, Teredo 2001::/32) are judged by the IPv4 address they lead to, since that
is where the packets end up: 2002:a9fe:a9fe:: reaches 169.254.169.254.

An operator may trust non-public networks (`--allow-network 10.0.0.0/8`, repeatable). A
trusted network must lie inside a non-public block (`data/non_public_networks.json`): public
addresses need no permission, so a wider network could only ever mean "trust everything",
which is what let a redirect reach the cloud metadata address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import httpcore
import httpx

from pipeline.errors import ConfigError, FetchError

__all__ = ["BlockedAddress", "Network", "guarded_transport", "refusal_reason", "trusted_network"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(FetchError):
    """The SSRF guard refused the URL: its host resolves to a non-public address."""


@cache
def _non_public() -> tuple[Network, ...]:
    try:
        raw = json.loads(
            resources.files("pipeline").joinpath("data/non_public_networks.json").read_text("utf-8")
        )
        return tuple(ipaddress.ip_network(n) for n in [*raw["ipv4"], *raw["ipv6"]])
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"pipeline/data/non_public_networks.json is unusable: {exc}") from exc


def trusted_network(cidr: str) -> Network:
    """`cidr` as a network to trust; `ValueError` says why it cannot be (malformed, or public)."""
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError as exc:
        raise ValueError(f"{cidr!r} is not an address or CIDR network ({exc})") from None
    if not any(net.version == block.version and net.subnet_of(block) for block in _non_public()):  # type: ignore[arg-type]
        raise ValueError(
            f"{net} reaches public addresses, which need no permission; give only the non-public "
            "network to trust (e.g. 10.0.0.0/8, 127.0.0.0/8, fd00::/8)"
        )
    return net


def _trusted(cidrs: Iterable[str]) -> tuple[Network, ...]:
    try:
        return tuple(trusted_network(c) for c in cidrs)
    except ValueError as exc:
        raise ConfigError(f"allowed network: {exc}") from exc


def _embedded(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to (none for a plain IPv6 address)."""
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.teredo:
        return list(ip.teredo)  # the Teredo server and the (de-obfuscated) client
    return []


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allowed: Iterable[Network]) -> str | None:
    """What makes `ip` non-public ("a link-local address"), or None when it may be contacted."""
    if any(ip in net for net in allowed if net.version == ip.version):
        return None
    for kind in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    return None if ip.is_global else "not a public address"


def refusal_reason(address: str, allowed: Iterable[Network] = ()) -> str | None:
    """Why the guard refuses `address` (an IP literal), or None when it may be contacted."""
    allowed = tuple(allowed)
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = _embedded(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    if not inner:
        kind = _kind(ip, allowed)
        return kind and f"{ip} is {kind}"
    for v4 in inner:
        kind = _kind(v4, allowed)
        if kind:
            return f"{ip} leads to {v4}, {kind}"
    return None


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address, then connect to a checked address (no second lookup)."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        self._allowed = allowed
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            reason = refusal_reason(address, self._allowed)
            if reason:
                raise BlockedAddress(f"refused {host}: {reason} (--allow-network CIDR trusts a network)")
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def guarded_transport(max_connections: int, allowed_networks: Iterable[str]) -> httpx.AsyncHTTPTransport:
    """httpx's transport over a connection pool whose only way out is the guarded backend.

    `ConfigError` when an allowed network is malformed or reaches public addresses.
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        network_backend=_GuardedBackend(_trusted(allowed_networks)),
    )
    return transport
