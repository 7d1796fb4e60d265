"""ingest/harvest/addresses.py: which addresses a harvest may reach (every address that is not public is
refused, an IPv6 address carrying an IPv4 one judged by that one, unless the allow list names it), how host names
are resolved, and the transport that connects to the checked address while keeping the host name."""
import ipaddress
import urllib.parse

import pytest
import requests

from ckanext.citizendata.ingest.harvest.addresses import PinnedAdapter, address_refused, networks, resolve
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",      # IPv4-mapped
    "64:ff9b::a00:1", "64:ff9b::7f00:1",                                  # NAT64 of private ones
    "2002:7f00:1::", "2002:a00:1::1",                                     # 6to4 of private ones
    "2001:0:4136:e378:8000:63bf:3fff:fdd2"])                              # Teredo
def test_addresses_that_are_not_public_are_refused(address):
    assert address_refused(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_are_not_refused(address):
    assert not address_refused(address)


def test_address_objects_are_judged_as_their_text():
    assert address_refused(ipaddress.ip_address("10.0.0.1"))
    assert not address_refused(ipaddress.ip_address("8.8.8.8"))


def test_the_allow_list_opens_addresses_and_networks():
    allow = networks(["127.0.0.1", "10.20.0.0/16"])
    assert not address_refused("127.0.0.1", allow)
    assert not address_refused("::ffff:127.0.0.1", allow)        # the mapped address reaches the allowed one
    assert not address_refused("10.20.3.4", allow)
    assert address_refused("10.21.0.1", allow)
    assert address_refused("127.0.0.2", allow)
    assert address_refused("::1", allow)
    assert address_refused("169.254.169.254", allow)


def test_the_allow_list_may_be_given_as_text_and_name_ipv6_networks():
    assert not address_refused("10.0.0.1", ["10.0.0.0/8"])
    assert not address_refused("fd00::5", [" fd00::/8 "])
    assert address_refused("fe80::1", ["fd00::/8"])


def test_networks_reads_addresses_and_networks():
    assert networks(["127.0.0.1", " 10.20.0.0/16", "10.1.2.3/8", "::1"]) == [
        ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]
    assert networks([]) == []


def test_a_bad_allow_entry_is_a_clear_error():
    with pytest.raises(ValueError, match="'intranet' .* is not an IP address or network"):
        networks(["intranet"])
    with pytest.raises(ValueError, match="'10.0.0.0/33'"):
        address_refused("10.0.0.1", ["10.0.0.0/33"])


def test_resolve_gives_each_address_once():
    assert resolve("127.0.0.1", 80) == ["127.0.0.1"]
    assert resolve("::1", 80) == ["::1"]
    found = resolve("localhost", 80)
    assert found and len(found) == len(set(found)) and all(address_refused(a) for a in found)


# ------------------------------------------------------------------ the pinned transport
@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


def pinned_session(pin) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", PinnedAdapter(pin))
    return session


def test_the_connection_goes_to_the_pinned_address_and_the_host_name_is_kept(server):
    hosts = []
    server.add("/data", handler=lambda request: hosts.append(request.headers.get("Host")) or Reply(body=b"ok"))
    port = urllib.parse.urlsplit(server.base).port
    asked = []

    def pin(url):
        asked.append(url)
        return "127.0.0.1"

    with pinned_session(pin) as session:
        answer = session.get(f"http://portal.invalid:{port}/data?x=1", timeout=10)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert hosts == [f"portal.invalid:{port}"]                 # never resolved: .invalid has no addresses
    assert asked == [f"http://portal.invalid:{port}/data?x=1"]


def test_a_pin_that_refuses_stops_the_request_before_any_connection(server):
    server.add("/data", body=b"secret")

    def refuse(url):
        raise PermissionError(f"{url} refused")

    with pinned_session(refuse) as session, pytest.raises(PermissionError, match="refused"):
        session.get(server.url("/data"), timeout=10)
    assert server.log == []
