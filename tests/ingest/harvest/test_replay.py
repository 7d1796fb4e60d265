"""ingest/harvest/replay.py: the local server that answers like a portal: routes by path and query (the most
specific wins, a later one replaces an equal one), functions of the request (which see how often their route
was asked), chunked bodies, 404 for what it does not know, and recorded responses listed in replay.yaml."""
import socket
import urllib.parse

import pytest
import requests

from ckanext.citizendata.ingest.harvest.replay import Replay, Reply


@pytest.fixture
def server():
    with Replay() as replay:
        yield replay


def get(server, path, **params):
    return requests.get(server.url(path), params=params, timeout=10)


def test_it_serves_on_a_free_port_of_127_0_0_1():
    with Replay() as first, Replay() as second:
        assert urllib.parse.urlsplit(first.base).hostname == "127.0.0.1"
        assert first.base != second.base
        assert first.url("/a/b") == first.base + "/a/b"


def test_a_route_without_query_answers_every_query_of_its_path(server):
    server.add("/api", body=b'{"ok": true}', content_type="application/json", headers={"X-Portal": "demo"})
    for params in ({}, {"start": "0"}, {"q": "water", "rows": "5"}):
        answer = get(server, "/api", **params)
        assert (answer.status_code, answer.json(), answer.headers["Content-Type"], answer.headers["X-Portal"]) == \
            (200, {"ok": True}, "application/json", "demo")
    assert get(server, "/api/other").status_code == 404


def test_a_route_with_a_query_answers_only_when_every_named_parameter_is_equal(server):
    server.add("/api", body=b"page 2", query={"start": "2", "rows": "2"})
    assert get(server, "/api", start="2", rows="2", sort="id").text == "page 2"   # others may be added
    assert get(server, "/api", start="2").status_code == 404
    assert get(server, "/api", start="4", rows="2").status_code == 404


def test_the_most_specific_route_wins_whatever_the_order_they_were_added(server):
    server.add("/api", body=b"two", query={"start": "2", "rows": "2"})
    server.add("/api", body=b"any")
    server.add("/api", body=b"start 2", query={"start": "2"})
    assert get(server, "/api", start="2", rows="2").text == "two"
    assert get(server, "/api", start="2", rows="5").text == "start 2"
    assert get(server, "/api", start="0").text == "any"


def test_a_later_route_for_the_same_path_and_query_replaces_the_earlier(server):
    server.add("/api", body=b"old", query={"start": "0"})
    server.add("/api", body=b"new", status=201, query={"start": "0"})
    answer = get(server, "/api", start="0")
    assert (answer.status_code, answer.text) == (201, "new")


def test_a_handler_sees_the_request_and_how_often_its_route_was_asked(server):
    seen = []

    def flaky(request):
        seen.append((request.path, request.query, request.headers.get("X-Test"), request.calls))
        return Reply(status=503) if request.calls == 1 else Reply(body=b"ok", content_type="text/plain")

    server.add("/flaky", handler=flaky)
    server.add("/other", body=b"x")
    get(server, "/other")
    first = requests.get(server.url("/flaky"), params={"a": "1"}, headers={"X-Test": "yes"}, timeout=10)
    second = get(server, "/flaky")
    assert (first.status_code, second.status_code, second.text) == (503, 200, "ok")
    assert seen == [("/flaky", {"a": "1"}, "yes", 1), ("/flaky", {}, None, 2)]
    assert server.log == ["/other", "/flaky?a=1", "/flaky"]


def test_an_iterable_body_is_sent_in_chunks(server):
    parts = [b"first;", b"second;", b"third"]
    server.add("/stream", handler=lambda request: Reply(body=iter(parts), content_type="text/plain"))
    answer = requests.get(server.url("/stream"), stream=True, timeout=10)
    assert answer.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in answer.headers
    assert b"".join(answer.iter_content(chunk_size=None)) == b"".join(parts)


def test_raw_chunk_framing(server):
    server.add("/stream", handler=lambda request: Reply(body=[b"ab", b"cde"]))
    host, port = urllib.parse.urlsplit(server.base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        received = b""
        while not received.endswith(b"0\r\n\r\n"):
            data = connection.recv(4096)
            if not data:
                break
            received += data
    assert received.split(b"\r\n\r\n", 1)[1] == b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"


def test_an_unknown_path_is_404_and_head_has_no_body(server):
    answer = get(server, "/nothing")
    assert (answer.status_code, answer.text) == (404, "not found")
    server.add("/file", body=b"12345")
    head = requests.head(server.url("/file"), timeout=10)
    assert (head.status_code, head.headers["Content-Length"], head.content) == (200, "5", b"")


def test_recorded_responses_are_served_as_replay_yaml_lists_them(tmp_path, server):
    (tmp_path / "page-0.json").write_bytes(b'{"page": 0}')
    (tmp_path / "page-2.json").write_bytes(b'{"page": 2}')
    (tmp_path / "catalog.ttl").write_bytes(b"@prefix dcat: <http://www.w3.org/ns/dcat#> .")
    (tmp_path / "replay.yaml").write_text(
        "- {path: /ckan/api/3/action/package_search, file: page-0.json, content_type: application/json,\n"
        "   query: {start: '0'}}\n"
        "- {path: /ckan/api/3/action/package_search, file: page-2.json, query: {start: '2'}, status: 500}\n"
        "- {path: /dcat/catalog.ttl, file: catalog.ttl, content_type: text/turtle}\n", encoding="utf-8")
    assert server.add_recorded(str(tmp_path)) == 3
    first = get(server, "/ckan/api/3/action/package_search", start="0", rows="2")
    assert (first.json(), first.headers["Content-Type"]) == ({"page": 0}, "application/json")
    failing = get(server, "/ckan/api/3/action/package_search", start="2")
    assert (failing.status_code, failing.headers["Content-Type"]) == (500, "application/octet-stream")
    assert get(server, "/dcat/catalog.ttl").text.startswith("@prefix dcat:")
    assert get(server, "/ckan/api/3/action/package_search", start="4").status_code == 404


def test_an_empty_routes_file_serves_nothing(tmp_path, server):
    (tmp_path / "routes.yaml").write_text("", encoding="utf-8")
    assert server.add_recorded(str(tmp_path), routes_file="routes.yaml") == 0
    assert get(server, "/").status_code == 404


def test_a_forbidden_path_is_answered_403_and_kept_as_a_violation_that_check_names(server):
    server.add("/api/v2/assets/", body=b"{}")
    server.forbid(r"/data/?$")
    assert get(server, "/api/v2/assets/").status_code == 200
    server.check()                                      # nothing forbidden asked yet
    assert get(server, "/api/v2/assets/a1/data/", format="json").status_code == 403
    assert server.violations == ["/api/v2/assets/a1/data/?format=json"]
    with pytest.raises(AssertionError, match="a1/data"):
        server.check()
