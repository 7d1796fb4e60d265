"""Which addresses a harvest may connect to, and a transport that connects to the very address that was checked.

A host is refused when any address it resolves to is private, loopback, link-local, reserved, multicast,
unspecified or otherwise not global (an IPv6 address that carries an IPv4 one, mapped, NAT64 or 6to4, is judged by
that IPv4 address), unless the harvest ``allow_addresses`` option lists it. ``fetch.Client`` resolves each
request's host once, checks every address, and has :class:`PinnedAdapter` connect to the first: no second lookup
that a DNS rebinding could answer differently.

Example::

    address_refused("169.254.169.254")                        # True
    address_refused("10.20.3.4", networks(["10.20.0.0/16"]))  # False
    resolve("localhost", 80)                                  # ['127.0.0.1', '::1'] (the resolver's order)
"""
from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from typing import Any, Callable, Iterable, Sequence, Union

import requests.adapters

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def networks(entries: Iterable[Union[str, Network]]) -> list[Network]:
    """``["127.0.0.1", "10.20.0.0/16"]`` as networks; a ValueError naming an entry that is neither."""
    found = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip() if isinstance(entry, str) else entry, strict=False))
        except ValueError as err:
            raise ValueError(f"{entry!r} (harvest allow_addresses) is not an IP address or network") from err
    return found


def _judged(ip: Address) -> Address:
    """The address a connection to ``ip`` reaches: the IPv4 one of an IPv4-mapped or NAT64 address, else ``ip``."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _not_public(ip: Address) -> bool:
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def address_refused(address: Union[str, Address], allow: Sequence[Union[str, Network]] = ()) -> bool:
    """Whether a harvest may not connect to ``address``: it is private, loopback, link-local, reserved, multicast,
    unspecified or otherwise not global (an IPv6 address carrying an IPv4 one judged by that one, a 6to4 or Teredo
    address by both), and ``allow`` (IPs or networks) does not list it.

    ``address_refused("169.254.169.254") is True``; ``address_refused("127.0.0.1", ["127.0.0.1"]) is False``."""
    ip = _judged(ipaddress.ip_address(address.split("%")[0]) if isinstance(address, str) else address)
    if any(ip in network for network in networks(allow)):
        return False
    carried = []
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ([ip.sixtofour] if ip.sixtofour else []) + (list(ip.teredo) if ip.teredo else [])
    return any(_not_public(each) for each in [ip, *carried])


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to for a TCP connection, in the resolver's order, without repeats."""
    found: list[str] = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in found:
            found.append(sockaddr[0])
    return found


class PinnedAdapter(requests.adapters.HTTPAdapter):
    """A requests transport that connects to the address ``pin(url)`` returns (resolved and checked; it raises to
    refuse) instead of resolving the host again. The Host header, and for https the TLS server name (SNI) and the
    certificate check, stay on the host name; connection pools are per address and server name. Never through a
    proxy (a proxy would resolve the host itself)."""

    def __init__(self, pin: Callable[[str], str], **kwargs: Any):
        super().__init__(**kwargs)
        self._pin = pin

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        request.pinned_address = self._pin(request.url)
        request.headers["Host"] = urllib.parse.urlsplit(request.url).netloc.rpartition("@")[2]
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=None)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
        host_params["host"] = request.pinned_address
        return host_params, pool_kwargs
