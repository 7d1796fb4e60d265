"""SDMX REST v2 path semantics (select / parse_path) and content negotiation."""
import doctest

import pytest

from ckanext.citizendata.sdmx_io import rest
from ckanext.citizendata.sdmx_io.rest import (
    NotAcceptable,
    NotImplementedQuery,
    QueryError,
    negotiate,
    parse_path,
    select,
    version_key,
)
from ckanext.citizendata.sdmx_io.structures import Scheme


def _s(agency, id, version, kind="codelist"):
    return Scheme(agency=agency, id=id, version=version, names={"en": id}, descriptions={},
                  items=[], kind=kind)


SCHEMES = [
    _s("IAEG-SDGs", "CL_SEX", "1.9"),
    _s("IAEG-SDGs", "CL_SEX", "1.10"),
    _s("IAEG-SDGs", "CL_SEX", "1.2"),
    _s("IAEG-SDGs", "CL_AGE", "1.0"),
    _s("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.0"),
    _s("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "2.0.0-draft"),
    _s("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.1.0"),
    _s("CITIZENDATA", "CS_CITIZEN_DATA", "1.0", kind="conceptscheme"),
    _s("CITIZENDATA", "CS_CITIZEN_DATA", "1.1", kind="conceptscheme"),
]


def keys(schemes):
    return [(s.agency, s.id, s.version) for s in schemes]


def test_exact_match():
    assert keys(select(SCHEMES, "IAEG-SDGs", "CL_SEX", "1.9", kind="codelist")) == [
        ("IAEG-SDGs", "CL_SEX", "1.9")]


def test_latest_compares_versions_numerically():
    assert keys(select(SCHEMES, "IAEG-SDGs", "CL_SEX", "latest")) == [
        ("IAEG-SDGs", "CL_SEX", "1.10")]
    assert keys(select(SCHEMES, "IAEG-SDGs", "CL_SEX", "~")) == [
        ("IAEG-SDGs", "CL_SEX", "1.10")]


def test_latest_is_per_agency_and_id():
    found = select(SCHEMES, "*", "*", "latest", kind="codelist")
    assert keys(found) == [
        ("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "2.0.0-draft"),
        ("IAEG-SDGs", "CL_AGE", "1.0"),
        ("IAEG-SDGs", "CL_SEX", "1.10"),
    ]


def test_latest_stable_skips_drafts_and_legacy_versions():
    assert keys(select(SCHEMES, "CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "+")) == [
        ("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.1.0")]
    assert select(SCHEMES, "IAEG-SDGs", "CL_SEX", "+") == []


def test_star_matches_everything_of_the_kind():
    assert len(select(SCHEMES, "*", "*", "*", kind="codelist")) == 7
    assert len(select(SCHEMES, "*", "*", "*", kind="conceptscheme")) == 2
    assert len(select(SCHEMES, "*", "*", "*")) == 9


def test_all_versions_sorted_numerically():
    assert [s.version for s in select(SCHEMES, "IAEG-SDGs", "CL_SEX", "*")] == ["1.2", "1.9", "1.10"]


def test_defaults_are_any_agency_any_id_latest():
    assert keys(select(SCHEMES, None, None, None, kind="conceptscheme")) == [
        ("CITIZENDATA", "CS_CITIZEN_DATA", "1.1")]


def test_comma_lists():
    found = select(SCHEMES, "IAEG-SDGs,CITIZENDATA", "CL_SEX,CL_ENGAGEMENT_LEVEL", "1.9,1.0")
    assert keys(found) == [("CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "1.0"),
                           ("IAEG-SDGs", "CL_SEX", "1.9")]
    assert keys(select(SCHEMES, "IAEG-SDGs", "CL_SEX", "1.2,latest")) == [
        ("IAEG-SDGs", "CL_SEX", "1.2"), ("IAEG-SDGs", "CL_SEX", "1.10")]


def test_kind_filters_resources():
    assert select(SCHEMES, "CITIZENDATA", "CS_CITIZEN_DATA", "*", kind="codelist") == []
    assert len(select(SCHEMES, "CITIZENDATA", "CS_CITIZEN_DATA", "*", kind="conceptscheme")) == 2


@pytest.mark.parametrize("agency, id, version", [
    ("NOBODY", "*", "*"),
    ("IAEG-SDGs", "CL_NONE", "latest"),
    ("IAEG-SDGs", "CL_SEX", "9.9"),
    ("iaeg-sdgs", "CL_SEX", "*"),
])
def test_no_match_is_empty(agency, id, version):
    assert select(SCHEMES, agency, id, version) == []


def test_parse_path():
    query = parse_path("codelist", "IAEG-SDGs", "CL_SEX,CL_AGE", "1.0,latest")
    assert query.kinds == ("codelist",)
    assert query.agencies == ("IAEG-SDGs",)
    assert query.ids == ("CL_SEX", "CL_AGE")
    assert query.versions == ("1.0", "~")
    assert parse_path("*", "*", "*", "*").agencies is None
    assert parse_path("*").kinds == ("codelist", "conceptscheme")


@pytest.mark.parametrize("args", [
    ("dataflow", "*", "*", "*"),
    ("codelist", "BAD AGENCY", "*", "*"),
    ("codelist", "A,", "*", "*"),
    ("codelist", "*", "CL/X", "*"),
    ("codelist", "*", "*", "1.0;x"),
])
def test_parse_path_rejects_bad_syntax(args):
    with pytest.raises(QueryError) as caught:
        parse_path(*args)
    assert caught.value.status == 400


@pytest.mark.parametrize("version", ["1.*", "1+.0.0", "1.0.~"])
def test_other_version_wildcards_are_not_implemented(version):
    with pytest.raises(NotImplementedQuery) as caught:
        parse_path("codelist", "*", "*", version)
    assert caught.value.status == 501


def test_version_key():
    assert version_key("1.10") > version_key("1.9")
    assert version_key("2.0") > version_key("1.99.99")
    assert version_key("1.0.0") > version_key("1.0.0-draft")
    assert sorted(["1.10", "1.2", "1.9"], key=version_key) == ["1.2", "1.9", "1.10"]


# the format each Accept header gets when no format parameter is given
BY_ACCEPT = {
    "xml": [None, "", "*/*", "application/xml", "application/vnd.sdmx.structure+xml;version=3.0.0",
            "application/json;q=0.5, application/xml;q=0.9", "application/json;q=0, */*"],
    "xml21": ["application/vnd.sdmx.structure+xml; version=2.1"],
    "json": ["application/vnd.sdmx.structure+json;version=2.0.0", "application/vnd.sdmx.structure+json",
             "application/json", "application/xml;q=0.5, application/json", "text/html, application/json;q=0.8"],
}


@pytest.mark.parametrize("accept, expected",
                         [(accept, fmt) for fmt, headers in BY_ACCEPT.items() for accept in headers])
def test_negotiate_by_accept_header(accept, expected):
    assert negotiate(accept, None) == expected


@pytest.mark.parametrize("accept, fmt_param, expected", [
    ("application/xml", "sdmx-json", "json"),
    (None, "json", "json"),
    (None, "sdmx-ml", "xml"),
    ("application/json", "xml", "xml"),
    (None, "sdmx-ml-2.1", "xml21"),
])
def test_format_parameter_wins_over_accept_header(accept, fmt_param, expected):
    assert negotiate(accept, fmt_param) == expected


@pytest.mark.parametrize("accept, fmt_param", [
    ("text/html", None),
    ("application/vnd.sdmx.structure+json;version=1.0.0", None),
    ("application/vnd.sdmx.structure+xml;version=3.1.0", None),
    ("application/json;q=0", None),
    (None, "csv"),
])
def test_negotiate_not_acceptable(accept, fmt_param):
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept, fmt_param)
    assert caught.value.status == 406


def test_docstring_examples_run():
    result = doctest.testmod(rest)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------- filename


@pytest.mark.parametrize("found, fmt, resource, name", [
    ([_s("CITIZENDATA", "CL_X", "1.0")], "xml", "codelist", "CITIZENDATA-CL_X-1.0.xml"),
    ([_s("CITIZENDATA", "CL_X", "1.0")], "xml21", "codelist", "CITIZENDATA-CL_X-1.0.xml"),
    ([_s("CITIZENDATA", "CL_X", "1.0")], "json", "codelist", "CITIZENDATA-CL_X-1.0.json"),
    ([_s("IAEG-SDGs", "CL_SEX", "1.9"), _s("IAEG-SDGs", "CL_AGE", "1.0")], "xml", "codelist",
     "IAEG-SDGs-codelist.xml"),
    ([_s("IAEG-SDGs", "CL_SEX", "1.9"), _s("CITIZENDATA", "CL_X", "1.0")], "json", "codelist", "codelist.json"),
    ([_s("IAEG-SDGs", "CL_SEX", "1.9"), _s("IAEG-SDGs", "CS_X", "1.0", kind="conceptscheme")], "xml", "*",
     "IAEG-SDGs-structures.xml"),
    ([_s("A", 'CL_"X', "1.0")], "xml", "codelist", "A-CL__X-1.0.xml"),
])
def test_a_structure_message_is_saved_under_its_artefacts_name(found, fmt, resource, name):
    assert rest.filename(found, fmt, resource) == name
