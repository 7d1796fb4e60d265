"""ingest/bulk.py: records checked and saved through CKAN's own validation path, all or nothing per record; an
existing name is updated; organizations are created when missing and given the extras they lack."""
import pytest
import sqlalchemy as sa

from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories, helpers

from ckanext.citizendata.ingest import bulk

pytestmark = pytest.mark.usefixtures("clean_db")

NATIONAL_AUTHORITY = "http://purl.org/adms/publishertype/NationalAuthority"
NGO = "http://purl.org/adms/publishertype/NonGovernmentalOrganisation"
GOOD = {"name": "water-access-survey", "title": "Water access survey", "notes": "Households report water access.",
        "initiative_type": "community-survey",
        "engagement": [{"stage": "collect", "level": 4, "actors": ["community"]}],
        "sdg_indicators": ["6.1.1"], "countries": ["GHA"], "tags": ["water", "households"]}
BAD = dict(GOOD, name="bad-survey", sdg_indicators=["6.1.9"],
           engagement=[{"stage": "collect", "level": 8, "actors": ["community"]}])


@pytest.fixture
def org():
    return factories.Organization(name="cso-bulk")


def messages(errors):
    """Every message of a CKAN error dict, repeating subfields included (``[{"level": [...]}]``)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in messages(value)]
    return [errors]


def package_count():
    return model.Session.execute(sa.select(sa.func.count()).select_from(model.package_table)).scalar()


def test_check_a_valid_record_writes_nothing(org):
    before = package_count()
    assert bulk.check(GOOD, org["name"]) == {}
    assert package_count() == before
    assert not bulk.exists(GOOD["name"])


def test_check_names_each_invalid_field(org):
    errors = bulk.check(BAD, org["name"])
    assert set(errors) == {"engagement", "sdg_indicators"}
    assert messages(errors["engagement"]) == ["engagement[0].level: 8 is above the maximum 5"]
    assert messages(errors["sdg_indicators"]) == ['sdg_indicators[0]: "6.1.9" is not an SDG indicator; '
                                                  'close matches: 6.1.1']
    assert not bulk.exists(BAD["name"])


@pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", False)
def test_check_gives_ckans_own_errors_too():
    errors = bulk.check(dict(GOOD, notes=""))
    assert set(errors) == {"owner_org", "notes"}


def test_save_creates_a_valid_record(org):
    assert bulk.save(GOOD, org["name"]) == "created"
    assert bulk.exists(GOOD["name"])
    shown = helpers.call_action("package_show", id=GOOD["name"])
    assert shown["owner_org"] == org["id"] and shown["type"] == "dataset"
    assert shown["engagement"] == GOOD["engagement"] and shown["sdg_indicators"] == ["6.1.1"]
    assert sorted(t["name"] for t in shown["tags"]) == ["households", "water"]  # tags given as plain strings
    assert shown["meets_copenhagen_definition"] is True  # derived like any other record
    assert GOOD["tags"] == ["water", "households"]  # the caller's record is left as it was


def test_save_refuses_an_invalid_record_whole(org):
    before = package_count()
    with pytest.raises(toolkit.ValidationError) as err:
        bulk.save(dict(BAD, resources=[{"url": "http://example.org/bad.csv", "format": "CSV"}]), org["name"])
    assert {"engagement", "sdg_indicators"} <= set(err.value.error_dict)
    assert package_count() == before and not bulk.exists(BAD["name"])
    assert model.Session.execute(sa.select(sa.func.count()).select_from(model.resource_table)).scalar() == 0


def test_save_of_an_existing_name_updates_it(org):
    bulk.save(GOOD, org["name"])
    created = helpers.call_action("package_show", id=GOOD["name"])
    assert bulk.check(dict(GOOD, title="Renamed"), org["name"]) == {}  # an update, not "URL already in use"
    assert bulk.save(dict(GOOD, title="Renamed", countries=["KEN"]), org["name"]) == "updated"
    updated = helpers.call_action("package_show", id=GOOD["name"])
    assert updated["id"] == created["id"] and updated["title"] == "Renamed" and updated["countries"] == ["KEN"]
    assert package_count() == 1


def test_an_invalid_update_leaves_the_record_as_it_was(org):
    bulk.save(GOOD, org["name"])
    with pytest.raises(toolkit.ValidationError) as err:
        bulk.save(dict(GOOD, title="Changed", sdg_indicators=["6.1.9"]), org["name"])
    assert list(err.value.error_dict) == ["sdg_indicators"]
    shown = helpers.call_action("package_show", id=GOOD["name"])
    assert shown["title"] == GOOD["title"] and shown["sdg_indicators"] == ["6.1.1"]


def test_exists():
    assert not bulk.exists(None) and not bulk.exists("") and not bulk.exists("nothing-here")
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], initiative_type="community-survey",
                                engagement=[{"stage": "design", "level": 4, "actors": ["cso"]}])
    assert bulk.exists(dataset["name"]) and bulk.exists(dataset["id"])


def extras_of(name):
    return dict(model.Group.get(name).extras or {})


def test_ensure_organization_creates_keeps_and_completes():
    spec = {"name": "nso-bulk", "title": "NSO", "extras": [{"key": "dcat_type", "value": NATIONAL_AUTHORITY}]}
    assert bulk.ensure_organization(spec) == "created"
    group = model.Group.get("nso-bulk")
    assert group.is_organization and group.title == "NSO" and extras_of("nso-bulk") == {"dcat_type": NATIONAL_AUTHORITY}
    assert bulk.ensure_organization(spec) == "exists"
    # an extra it has keeps its value; one it lacks is added
    other = {"name": "nso-bulk", "extras": [{"key": "dcat_type", "value": NGO}, {"key": "country", "value": "GHA"}]}
    assert bulk.ensure_organization(other) == "updated"
    assert extras_of("nso-bulk") == {"dcat_type": NATIONAL_AUTHORITY, "country": "GHA"}
    assert model.Group.get("nso-bulk").title == "NSO"
    assert bulk.ensure_organization({"name": "nso-bulk", "title": "Another title"}) == "exists"
    # fields of the organization schema it leaves empty are filled; its extras stay
    typed = {"name": "nso-bulk", "actor_type": "nso", "jurisdiction": ["GHA"]}
    assert bulk.ensure_organization(typed) == "updated"
    assert extras_of("nso-bulk") == {"dcat_type": NATIONAL_AUTHORITY, "country": "GHA", "actor_type": "nso",
                                     "jurisdiction": '["GHA"]'}
    assert bulk.ensure_organization(dict(typed, actor_type="cso")) == "exists"
