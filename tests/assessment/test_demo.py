"""assessment/demo.py: the demonstration's made-up office, its people and example assessments, loaded once."""
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli

from ckanext.citizendata.assessment import demo, roles, workflow
from ckanext.citizendata.model.assessment import assessment_table

pytestmark = pytest.mark.usefixtures("clean_db")
NOTICE = "Example made for the demonstration; not a statement of any statistical office."


def _texts(item):
    yield item["intended_use"]
    yield from item["rationale"].values()
    yield from (c["comment"] for c in item["criteria"])


def test_the_demo_office_assesses_demo_records_once_and_says_it_is_an_example(cli):
    first = cli.invoke(ckan_cli, ["citizendata", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo assessments by example-nso-demo: 4 created, 0 kept" in first.output
    assert demo.load() == {"organization": "example-nso-demo", "created": 0, "kept": 4}
    model.Session.remove()

    office = model.Group.get("example-nso-demo")
    assert office.title == "Example National Statistical Office (demo)" and NOTICE in office.description
    assert (office.extras["actor_type"], office.extras["jurisdiction"]) == ("nso", '["KEN", "UGA"]')
    assert set(roles.capacities("example-nso-approver").values()) == {"admin"}
    assert list(roles.capacities("example-nso-assessor")) == [office.id]
    rows = model.Session.execute(sa.select(assessment_table.c.id)).all()
    items = [workflow.show(r.id) for r in rows]
    assert len(items) == 4 and all(i["example"] for i in items)
    assert all(NOTICE in text for i in items for text in _texts(i))
    by_state = sorted((i["state"], i["verdict"] or "") for i in items)
    assert by_state == [("draft", ""), ("published", "endorse-complementary"), ("published", "endorse-experimental"),
                        ("superseded", "not-endorsed")]
    kibera = model.Package.get("map-kibera-community-map")
    [published] = workflow.for_package(kibera.id)
    assert (published["assessor"], published["approver"], published["recognition_status"]) == (
        "example-nso-assessor", "example-nso-approver", "complementary-source")
