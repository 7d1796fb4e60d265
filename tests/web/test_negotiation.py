"""web/negotiation.py: Vary: Accept on every response whose body depends on the Accept header (vocabulary pages,
/ns, SDMX REST, ckanext-dcat's catalog and dataset endpoints without a format in the path), and not on others."""
import pytest

from ckanext.citizendata import web
from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.web import negotiation

pytestmark = pytest.mark.usefixtures("clean_db")

SDMX = "/sdmx/rest/v2/structure"


def varies_on_accept(response):
    return "accept" in [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]


def test_the_hook_is_installed_by_the_plugin():
    assert negotiation.install in web.INSTALLERS


@pytest.mark.parametrize("path, accept", [
    ("/vocabulary/engagement-levels", "text/html"),
    ("/vocabulary/engagement-levels", "text/turtle"),
    ("/ns", "text/turtle"),
    (f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest", "application/json"),
    (f"{SDMX}/codelist/CITIZENDATA/CL_ENGAGEMENT_LEVEL/latest", ""),
    (f"{SDMX}/codelist/NOBODY/CL_X/latest", ""),          # an SDMX error message is negotiated too
    ("/", "text/turtle"),
])
def test_a_negotiated_answer_varies_on_accept(app, path, accept):
    response = app.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code in (200, 404)
    assert varies_on_accept(response)


def test_a_dataset_under_content_negotiation_varies_on_accept(app):
    name = CitizenDataset()["name"]
    assert varies_on_accept(app.get(f"/dataset/{name}", headers={"Accept": "text/turtle"}))


@pytest.mark.parametrize("path", ["/vocabulary/engagement-levels.ttl", "/ns.ttl", "/catalog.ttl", "/vocabulary/",
                                  "/dataset/"])
def test_an_answer_fixed_by_its_path_does_not(app, path):
    assert not varies_on_accept(app.get(path, status=200))


def test_negotiates_reads_the_format_in_the_path():
    assert negotiation.negotiates("citizendata_vocabulary.scheme", {"scheme_id": "sdg"})
    assert not negotiation.negotiates("citizendata_vocabulary.scheme", {"scheme_id": "sdg", "fmt": "ttl"})
    assert negotiation.negotiates("citizendata_sdmx.structure", {"resource": "codelist"})
    assert negotiation.negotiates("dcat.read_dataset", {"_id": "x"})
    assert not negotiation.negotiates("dcat.read_dataset", {"_id": "x", "_format": "ttl"})
    assert not negotiation.negotiates("dataset.search", {})
    assert not negotiation.negotiates(None, None)
