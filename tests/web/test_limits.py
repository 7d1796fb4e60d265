"""web/limits.py: API bodies over ``limits.body_bytes`` are refused with 413 before (Content-Length) or while
(streamed) they are read; JSON nested deeper than ``limits.json_depth`` with 400; both in CKAN's error shape and
naming the limit. Resource uploads (multipart) keep CKAN's own limit."""
import io
import json

import pytest
from ckanext.citizendata.testing import CitizenDataset

from ckanext.citizendata.web import INSTALLERS, limits

pytestmark = pytest.mark.usefixtures("clean_db")
SEARCH = "/api/3/action/package_search"
SMALL = pytest.mark.ckan_config("ckanext.citizendata.limits.body_bytes", "2000")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_installer_is_listed():
    assert limits.install in INSTALLERS


def test_nesting_is_measured_without_recursion():
    assert not limits.nesting_exceeds({"a": [1, {"b": []}]}, 4)
    assert limits.nesting_exceeds({"a": [1, {"b": []}]}, 3)
    assert limits.nesting_exceeds(json.loads(nested(500)), 32)
    assert not limits.nesting_exceeds("text", 1)


def test_json_deeper_than_the_parser_can_go_is_too_deep():
    assert limits.json_too_deep(nested(100_000), 32)
    assert not limits.json_too_deep(b"not json", 32)


@SMALL
def test_a_body_over_the_limit_is_refused_from_content_length(app):
    response = app.post(SEARCH, data=json.dumps({"q": "x" * 5000}), content_type="application/json", status=413)
    error = response.json["error"]
    assert response.json["success"] is False and error["__type"] == "Request Entity Too Large"
    assert "2000 bytes" in error["message"] and "ckanext.citizendata.limits.body_bytes" in error["message"]
    assert response.json["help"].endswith("help_show?name=package_search")


@SMALL
def test_a_streamed_body_over_the_limit_is_refused_while_read(app):
    body = json.dumps({"q": "x" * 5000}).encode()
    response = app.post(SEARCH, input_stream=io.BytesIO(body), content_type="application/json",
                        environ_overrides={"wsgi.input_terminated": True}, status=413)
    assert "limits.body_bytes" in response.json["error"]["message"]


@SMALL
def test_a_body_under_the_limit_is_answered(app):
    assert app.post(SEARCH, json={"q": "water"}, status=200).json["success"] is True


def test_the_default_limit_refuses_50_megabytes_unread(app):
    response = app.post(SEARCH, data=b" " * (50 * 1024 * 1024), content_type="application/json", status=413)
    assert "10485760 bytes" in response.json["error"]["message"]


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_a_400_naming_the_limit(app, depth):
    response = app.post(SEARCH, data='{"q": %s}' % nested(depth), content_type="application/json", status=400)
    assert response.json["error"] == {
        "__type": "Bad request",
        "message": "the JSON body nests lists and objects more than 32 deep (ckanext.citizendata.limits.json_depth)"}


def test_json_within_the_depth_is_answered(app):
    # 32 deep in all: the body object and 31 lists (CKAN then answers as it does for any q that is not text)
    response = app.post(SEARCH, data='{"q": %s}' % nested(31), content_type="application/json")
    assert response.status_code == 400 and "json_depth" not in response.get_data(as_text=True)


def test_a_form_body_holding_deep_json_is_refused(app):
    # CKAN's API reads a form body whose one key is JSON as the request's data
    response = app.post(SEARCH, data={'{"q": %s}' % nested(1000): ""}, status=400)
    assert "limits.json_depth" in response.json["error"]["message"]


@pytest.mark.ckan_config("ckanext.citizendata.limits.body_bytes", "1000")
@pytest.mark.ckan_config("ckan.max_resource_size", "1")
def test_uploads_keep_ckans_own_limit(app, sysadmin_env):
    _, headers = sysadmin_env
    dataset = CitizenDataset()
    upload = (io.BytesIO(b"a,b\n" + b"1,2\n" * 2000), "data.csv")  # 8 kB: over body_bytes, under 1 MB
    response = app.post("/api/3/action/resource_create", headers=headers, status=200,
                        data={"package_id": dataset["id"], "name": "data", "upload": upload})
    assert response.json["result"]["url"].endswith("data.csv")
