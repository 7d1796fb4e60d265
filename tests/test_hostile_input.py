"""No 5xx from hostile read input: random and hostile strings (any text, NUL, lone surrogates where the transport
carries them, Lucene syntax, deep nesting, huge numbers, date math) sent through the HTTP test client to
package_search (q / fq / sort / facet.field, by GET and by JSON POST), citizendata_suggest, concept search, the DCAT
catalog's query parameters and the SDMX REST paths. A target fails on any 5xx, on an exception out of the app, and
on a body carrying database or Python error text the input did not carry itself.

Reproducible: hypothesis runs derandomized (the same examples on every run) with no example database, a bounded
number of examples per target and no deadline (a shared machine's speed is not a property of the code).
"""
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")

EXAMPLES = 100
LEAKS = ("psycopg2", "traceback", "sqlalchemy", "stack depth", "internal server error", "recursionerror")
SDMX = "/sdmx/rest/v2/structure"

hostile = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# ---------------------------------------------------------------- strategies
SYNTAX = st.sampled_from(["(", ")", "[", "]", "{", "}", ":", '"', "*", "?", "~", "^", "+", "-", "!", "&&", "||",
                          "\\", "/", " ", " AND ", " OR ", " NOT ", " TO ", "NOW", "*:*", "\x00", "tags:",
                          "metadata_modified:", "num_resources:", "name:", "text:", "_ngram:", "2", "1.5"])
WORDS = st.sampled_from(["water", "eau", "agua", "16.6", "survey", "é", "ﷺ", "𝔸", "\u200b", "\ufeff"])
UNITS = st.sampled_from(["DAYS", "DAY", "YEARS", "MONTHS", "HOURS", "MINUTES", "SECONDS", "MILLIS", "WEEKS", ""])


@st.composite
def date_math(draw):
    amount = draw(st.integers(min_value=-(10 ** 20), max_value=10 ** 20))
    rounding = draw(st.sampled_from(["", "/DAY", "/YEAR", "/MILLI", "/FOO"]))
    field = draw(st.sampled_from(["metadata_modified", "metadata_created", "temporal_start_date"]))
    return f"{field}:[NOW{amount:+d}{draw(UNITS)}{rounding} TO NOW]"


@st.composite
def nested(draw):
    depth = draw(st.integers(min_value=1, max_value=700))
    kind = draw(st.sampled_from(["parens", "not", "minus", "field"]))
    return {"parens": "(" * depth + "a" + ")" * depth, "not": "NOT " * depth + "a",
            "minus": "-" * depth + "a", "field": "tags:(" * depth + "a" + ")" * depth}[kind]


NUMBERS = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)).map(str) | st.sampled_from(
    ["1e999", "-1e999", "NaN", "99999999999999999999999", "-0", "0x10", "1_000", "١٢"])
RANGES = st.tuples(NUMBERS, NUMBERS).map(lambda pair: f"num_resources:[{pair[0]} TO {pair[1]}]")
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(SYNTAX | WORDS, max_size=25).map("".join),
    nested(), date_math(), RANGES, NUMBERS,
    st.text(st.characters(categories=["Cs", "Cc", "Co", "Zs"]), max_size=20),  # surrogates, controls, private use
)


# ---------------------------------------------------------------- the check
def _url_text(value: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate goes as the bytes it would be (not UTF-8: the server reads U+FFFD)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query_string(params: dict) -> str:
    return "&".join(f"{_url_text(k)}={_url_text(str(v))}" for k, v in params.items())


def assert_clean(response, sent: str):
    body = response.get_data(as_text=True).lower()
    assert response.status_code < 500, (response.status_code, body[:500])
    sent = sent.lower()
    leaked = [word for word in LEAKS if word in body and word not in sent]
    assert not leaked, (leaked, body[:500])


def get(app, path: str, params: dict):
    url = f"{path}?{query_string(params)}" if params else path
    assert_clean(app.get(url, expect_errors=True), repr(params) + path)


@pytest.fixture
def one_dataset():
    return CitizenDataset(title="Water wells of the river basin", notes="Survey of wells")


# ---------------------------------------------------------------- targets
@hostile
@given(name=st.sampled_from(["q", "fq", "sort", "facet.field"]), value=QUERIES)
def test_package_search_by_get(app, one_dataset, name, value):
    get(app, "/api/3/action/package_search", {name: value})


@hostile
@given(q=QUERIES, fq=QUERIES, sort=QUERIES | st.sampled_from(["name asc", "score desc, name asc"]),
       facet=st.lists(QUERIES, max_size=3), flag=st.sampled_from([True, "maybe", "1", None, 5, [1]]),
       rows=st.one_of(NUMBERS, st.integers()))
def test_package_search_by_json_post_with_surrogates(app, one_dataset, q, fq, sort, facet, flag, rows):
    body = {"q": q, "fq": fq, "sort": sort, "facet.field": json.dumps(facet), "include_private": flag, "rows": rows}
    sent = json.dumps(body)  # lone surrogates travel escaped (\udc80), as JSON allows
    response = app.post("/api/3/action/package_search", data=sent, content_type="application/json",
                        expect_errors=True)
    assert_clean(response, sent)


@hostile
@given(q=QUERIES, limit=NUMBERS | st.sampled_from(["abc", "", "5"]), lang=st.text(max_size=5))
def test_citizendata_suggest(app, one_dataset, q, limit, lang):
    get(app, "/api/3/action/citizendata_suggest", {"q": q, "limit": limit, "lang": lang})


@hostile
@given(q=QUERIES, scheme=st.text(max_size=20) | st.sampled_from(["sdg", "initiative-types,sdg", ","]),
       limit=NUMBERS)
def test_concept_search(app, q, scheme, limit):
    get(app, "/api/3/action/citizendata_concept_search", {"q": q, "scheme": scheme, "limit": limit})
    sent = json.dumps({"q": q, "scheme": scheme})
    assert_clean(app.post("/api/3/action/citizendata_concept_search", data=sent, content_type="application/json",
                          expect_errors=True), sent)


@hostile
@given(q=QUERIES, fq=QUERIES, page=NUMBERS | st.text(max_size=5),
       modified_since=st.text(max_size=30) | st.sampled_from(["99999-01-01", "2024-13-45", "NOW", "0000-00-00"]))
def test_dcat_catalog_query_parameters(app, one_dataset, q, fq, page, modified_since):
    get(app, "/catalog.ttl", {"q": q, "fq": fq, "page": page, "modified_since": modified_since})


PATH_PART = st.one_of(
    st.text(max_size=20).filter(lambda s: "/" not in s and s not in ("", ".", "..")),
    st.sampled_from(["*", "~", "+", "latest", "1.*", "1+.0.0", "1.0", "CITIZENDATA", "IAEG-SDGs", "CL_SEX",
                     "codelist", "conceptscheme", "*,codelist", "A,,B", "1.0,latest", "%00"]),
)


@hostile
@given(parts=st.lists(PATH_PART, min_size=1, max_size=4), fmt=st.sampled_from([None, "json", "xml", "x\x00"]))
def test_sdmx_rest_paths(app, parts, fmt):
    path = SDMX + "/" + "/".join(_url_text(p) for p in parts)
    get(app, path, {"format": fmt} if fmt else {})


@hostile
@given(scheme=st.text(max_size=30).filter(lambda s: "/" not in s and s not in ("", ".", "..")),
       fmt=st.sampled_from(["", ".ttl", ".jsonld", ".exe", ".\x00"]))
def test_vocabulary_and_dataset_paths(app, one_dataset, scheme, fmt):
    get(app, f"/vocabulary/{_url_text(scheme)}{_url_text(fmt)}", {})
    get(app, f"/dataset/{_url_text(scheme)}{_url_text(fmt)}", {})
