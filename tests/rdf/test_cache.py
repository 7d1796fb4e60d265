"""rdf/cache.py: a dataset's ready fragment is keyed by content, replaced when the content changes, dropped
when the dataset goes."""
import shutil

import pytest
import rdflib
import sqlalchemy as sa
from rdflib.compare import isomorphic

from ckan import model
from ckan.tests import factories, helpers

from ckanext.citizendata.model.rdf_cache import rdf_cache_table
from ckanext.citizendata.rdf import cache
from ckanext.citizendata.testing import CitizenDataset
from ckanext.citizendata.vocab import registry



def rows(package_id):
    t = rdf_cache_table
    return model.Session.execute(sa.select(t.c.format, t.c.digest, t.c.body).where(t.c.package_id == package_id)
                                 .order_by(t.c.format)).all()


def searched(package_id):
    """The dict as a catalog page receives it (package_search, as ckanext-dcat's catalog search)."""
    return helpers.call_action("package_search", fq=f'id:"{package_id}"')["results"][0]


def fill(dataset_dict, fmt="turtle"):
    return cache.fragments([dataset_dict], fmt, cache.configured_profiles())[0]


@pytest.fixture
def admin():
    return {"user": factories.Sysadmin()["name"]}


@pytest.fixture
def dataset(clean_db):
    org = factories.Organization(name="cso-cache")
    return CitizenDataset(name="cache-me", title="Before", owner_org=org["id"],
                          contact=[{"name": "Desk", "email": "desk@example.org"}],
                          temporal_coverage=[{"start": "2020-01-01", "end": "2020-12-31"}],
                          resources=[{"url": "http://example.org/a.csv", "format": "CSV"}])


@pytest.mark.usefixtures("clean_db")
def test_a_filled_fragment_is_read_back_not_rebuilt(dataset, monkeypatch):
    first = fill(searched(dataset["id"]))
    assert [r.format for r in rows(dataset["id"])] == ["turtle"]
    monkeypatch.setattr(cache, "build_fragment", lambda *a: pytest.fail("rebuilt although unchanged"))
    assert fill(searched(dataset["id"])) == first


@pytest.mark.usefixtures("clean_db")
def test_the_fragment_is_the_serializers_graph(dataset):
    from ckanext.dcat.processors import RDFSerializer
    shown = helpers.call_action("package_show", id=dataset["id"])
    document = cache.dataset_document(shown, "ttl", cache.configured_profiles())
    direct = RDFSerializer(profiles=cache.configured_profiles()).serialize_dataset(shown, _format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=document, format="turtle"),
                      rdflib.Graph().parse(data=direct, format="turtle"))


@pytest.mark.usefixtures("clean_db")
def test_package_update_replaces_the_fragment(dataset, admin):
    fill(searched(dataset["id"]))
    before = rows(dataset["id"])
    helpers.call_action("package_patch", context=dict(admin), id=dataset["id"], title="After")
    fragment = fill(searched(dataset["id"]))
    after = rows(dataset["id"])
    assert len(after) == 1 and after[0].digest != before[0].digest
    assert '"After"' in fragment.body and '"Before"' not in after[0].body


@pytest.mark.usefixtures("clean_db")
def test_a_change_of_the_initiative_replaces_its_members_fragments(admin):
    org = factories.Organization(name="gss-cache")
    series = helpers.call_action("package_create", context=dict(admin), type="dataset_series", name="pss-app", title="PSS app",
                                 notes="Initiative", owner_org=org["id"], initiative_type="public-service-feedback",
                                 engagement=[{"stage": "design", "level": 4, "actors": ["nso", "cso"]}],
                                 partners=[{"name": "UNDP", "role": "technical-partner"}])
    member = helpers.call_action("package_create", context=dict(admin), name="round-1", title="Round 1", notes="A round",
                                 owner_org=org["id"], in_series=[series["id"]])
    fill(searched(member["id"]))
    before = rows(member["id"])[0].digest
    helpers.call_action("package_patch", context=dict(admin), id=series["id"], partners=[{"name": "UNDP Ghana",
                                                                     "role": "technical-partner"}])
    inherited = searched(member["id"])
    assert inherited["partners"][0]["name"] == "UNDP Ghana"  # the member's effective record changed
    fill(inherited)
    assert rows(member["id"])[0].digest != before


@pytest.mark.usefixtures("clean_db")
def test_a_vocabulary_reload_replaces_the_fragment(dataset, tmp_path):
    fill(searched(dataset["id"]))
    before = rows(dataset["id"])[0].digest
    shutil.copytree(registry.default_directory(), tmp_path / "v", ignore=shutil.ignore_patterns("*.py", "__*"))
    path = tmp_path / "v" / "initiative-types.ttl"
    text = path.read_text(encoding="utf-8")
    assert '"Community-led survey"@en' in text
    path.write_text(text.replace('"Community-led survey"@en', '"Survey by the community"@en'), encoding="utf-8")
    try:
        registry.load_directory(str(tmp_path / "v"))
        assert registry.labels("initiative-types")["community-survey"] == "Survey by the community"
        fill(searched(dataset["id"]))
        assert rows(dataset["id"])[0].digest != before
    finally:
        registry.load_directory()
    assert registry.labels("initiative-types")["community-survey"] == "Community-led survey"


@pytest.mark.usefixtures("clean_db")
def test_each_format_has_its_own_row(dataset):
    shown = searched(dataset["id"])
    for fmt in ("turtle", "xml", "nt", "jsonld"):
        fill(shown, fmt)
    assert [r.format for r in rows(dataset["id"])] == ["jsonld", "nt", "turtle", "xml"]


@pytest.mark.usefixtures("clean_db")
def test_delete_and_purge_drop_the_fragments(dataset, admin):
    fill(searched(dataset["id"]))
    helpers.call_action("package_delete", context=dict(admin), id=dataset["id"])
    assert rows(dataset["id"]) == []
    fill(helpers.call_action("package_show", id=dataset["id"]))
    helpers.call_action("dataset_purge", context=dict(admin), id=dataset["id"])
    assert rows(dataset["id"]) == []


@pytest.mark.usefixtures("clean_db")
def test_the_digest_depends_on_dict_profiles_and_settings(dataset):
    shown = searched(dataset["id"])
    settings = cache.settings_digest(["euro_dcat_ap_3"])
    assert cache.dataset_digest(settings, shown) == cache.dataset_digest(settings, dict(shown))
    assert cache.dataset_digest(settings, shown) != cache.dataset_digest(settings, dict(shown, title="x"))
    assert settings != cache.settings_digest(["euro_dcat_ap_2"])


@pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "euro_dcat_ap_2")
def test_serves_only_configured_profiles_and_known_formats(ckan_config):
    assert cache.configured_profiles() == ["euro_dcat_ap_2"]
    assert cache.serves({"format": "ttl"}) and cache.serves({"format": "jsonld", "profiles": ["euro_dcat_ap_2"]})
    assert not cache.serves({"format": "ttl", "profiles": ["euro_dcat_ap_3"]})
    assert not cache.serves({"format": "trig"})


@pytest.mark.ckan_config("ckanext.dcat.expose_subcatalogs", "true")
def test_sub_catalogs_are_served_directly(ckan_config):
    assert not cache.serves({"format": "ttl"})


def test_the_catalog_node_is_remembered_by_content_only():
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS

    def catalog(title):
        g = rdflib.Graph()
        g.add((URIRef("http://example.org/"), DCTERMS.title, Literal(title)))
        return g

    first = cache._graph_fragment(catalog("One"), "turtle", "c")
    assert cache._graph_fragment(catalog("One"), "turtle", "c") is first
    changed = cache._graph_fragment(catalog("Two"), "turtle", "c")
    assert '"Two"' in changed.body and '"One"' not in changed.body
    assert cache._graph_fragment(catalog("One"), "nt", "c") is not first


def catalog_spatial(profiles):
    from rdflib.namespace import DCTERMS
    ref, graph, _ = cache._catalog_graph(profiles)
    return set(graph.objects(ref, DCTERMS.spatial))


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.citizendata.dcat.catalog_seconds", "60")
def test_the_catalog_node_is_reused_for_catalog_seconds(ckan_config):
    org = factories.Organization()
    CitizenDataset(owner_org=org["id"], countries=["GHA"])
    profiles = cache.configured_profiles()
    cache._CATALOG.clear()
    before = catalog_spatial(profiles)
    CitizenDataset(owner_org=org["id"], countries=["KEN"])
    assert catalog_spatial(profiles) == before  # reused: the new country shows after catalog_seconds
    cache._CATALOG.clear()
    assert len(catalog_spatial(profiles)) == len(before) + 1


@pytest.mark.usefixtures("clean_db")
def test_with_zero_seconds_the_catalog_node_follows_every_change():
    org = factories.Organization()
    CitizenDataset(owner_org=org["id"], countries=["GHA"])
    profiles = cache.configured_profiles()
    before = catalog_spatial(profiles)
    CitizenDataset(owner_org=org["id"], countries=["KEN"])
    assert len(catalog_spatial(profiles)) == len(before) + 1


# ---------------------------------------------------------------- what a fragment reads from other rows
@pytest.fixture
def initiative(admin):
    org = factories.Organization(name="gss-facts", extras=[{"key": "dcat_type",
                                                          "value": "http://purl.org/adms/publishertype/Company"}])
    series = helpers.call_action("package_create", context=dict(admin), type="dataset_series", name="facts-app",
                                 title="Facts app", notes="Initiative", owner_org=org["id"],
                                 initiative_type="public-service-feedback",
                                 engagement=[{"stage": "design", "level": 4, "actors": ["nso", "cso"]}])
    member = helpers.call_action("package_create", context=dict(admin), name="facts-round-1", title="Round 1",
                                 notes="A round", owner_org=org["id"], in_series=[series["id"]])
    return org, series, member


@pytest.mark.usefixtures("clean_db")
def test_a_new_title_of_the_initiative_reaches_its_members_fragments(initiative, admin):
    org, series, member = initiative
    assert '"Facts app"' in fill(searched(member["id"])).body
    helpers.call_action("package_patch", context=dict(admin), id=series["id"], title="Facts app, second phase")
    body = fill(searched(member["id"])).body
    assert '"Facts app, second phase"' in body and '"Facts app"' not in body


@pytest.mark.usefixtures("clean_db")
def test_the_initiatives_fragment_follows_its_public_members(initiative, admin):
    org, series, member = initiative
    assert member["id"] in fill(searched(series["id"]), "nt").body
    other = helpers.call_action("package_create", context=dict(admin), name="facts-round-2", title="Round 2",
                                notes="Another round", owner_org=org["id"], in_series=[series["id"]])
    assert other["id"] in fill(searched(series["id"]), "nt").body
    helpers.call_action("package_patch", context=dict(admin), id=other["id"], private=True)
    body = fill(searched(series["id"]), "nt").body
    assert other["id"] not in body and member["id"] in body


@pytest.mark.usefixtures("clean_db")
def test_the_organizations_publisher_type_reaches_its_datasets_fragments(initiative, admin):
    org, series, member = initiative
    assert "publishertype/Company" in fill(searched(member["id"]), "nt").body
    helpers.call_action("organization_patch", context=dict(admin), id=org["id"],
                        extras=[{"key": "dcat_type", "value": "http://purl.org/adms/publishertype/NonProfitOrganisation"}])
    body = fill(searched(member["id"]), "nt").body
    assert "publishertype/NonProfitOrganisation" in body and "publishertype/Company" not in body


@pytest.mark.usefixtures("clean_db")
def test_a_new_published_assessment_or_score_rebuilds_the_fragment(dataset):
    """Writing an assessment or a score never changes metadata_modified; the fragment follows all the same."""
    from ckanext.citizendata.namespaces import DQV

    from .test_profile_quality import insert_assessment, insert_score
    from ckanext.citizendata.model.assessment import quality_score_table
    nso, user = factories.Organization(name="nso-cache"), factories.User()
    # unscored, as before the write hook (logic/quality.py) scored it
    model.Session.execute(sa.delete(quality_score_table).where(quality_score_table.c.package_id == dataset["id"]))
    model.Session.commit()
    first = fill(searched(dataset["id"]))
    assert "hasQualityAnnotation" not in first.body
    insert_assessment("draft-cache", dataset["id"], nso["id"], user["id"], state="draft")
    assert fill(searched(dataset["id"])) == first
    modified = searched(dataset["id"])["metadata_modified"]
    insert_assessment("published-cache", dataset["id"], nso["id"], user["id"])
    assert searched(dataset["id"])["metadata_modified"] == modified
    built = cache.STATS["built_turtle"]
    document = cache.dataset_document(helpers.call_action("package_show", id=dataset["id"]), "ttl",
                                      cache.configured_profiles())
    assert cache.STATS["built_turtle"] == built + 1
    graph = rdflib.Graph().parse(data=document, format="turtle")
    assert len(list(graph.objects(None, DQV.hasQualityAnnotation))) == 1
    assert len(list(graph.objects(None, DQV.hasQualityMeasurement))) == 0
    insert_score(dataset["id"])
    document = cache.catalog_document([searched(dataset["id"])], "ttl", None, cache.configured_profiles())
    assert cache.STATS["built_turtle"] == built + 2
    graph = rdflib.Graph().parse(data=document, format="turtle")
    assert len(list(graph.objects(None, DQV.hasQualityMeasurement))) == 4
