"""record/index.py: what the search index holds of a record (before_dataset_index): the made record's fields as
the field table says (x-index), the index fields derived from it, the labels of its concepts in every language."""
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

from ckanext.citizendata.model import search_index_table
from ckanext.citizendata.record.index import before_dataset_index, concept_labels
from ckanext.citizendata.testing import CitizenDataset

pytestmark = pytest.mark.usefixtures("clean_db")

ENGAGEMENT = [{"stage": "collect", "level": 5, "actors": ["community"], "description": "Vecinos y vecinas"},
              {"stage": "design", "level": 2, "actors": ["cso"]}]
PARTNERS = [{"name": "UNDP", "role": "technical-partner"}]
MADE = {  # the made record, as CKAN hands it to the index (validated_data_dict)
    "title": "Audit", "initiative_type": "social-audit", "engagement": ENGAGEMENT, "partners": PARTNERS,
    "ethics": {"anonymised": True}, "sdg_indicators": ["16.6.2"], "sdg_targets": ["16.6"], "sdg_goals": ["16"],
    "countries": ["GHA"], "m49": ["288"], "meets_copenhagen_definition": False, "population_groups": [],
    "sdg_series": [], "sample_size": None, "in_series": ["series-id"], "inherited_fields": ["initiative_type"],
}


def index_document(**made_changes):
    """What CKAN's index_package hands to the hook: the flat dict (stored JSON text, extras_* copies) and the made
    record as JSON text."""
    made = dict(MADE, **made_changes)
    return {
        "id": "pkg-id", "title": "Audit", "validated_data_dict": json.dumps(made),
        "initiative_type": "social-audit", "extras_initiative_type": "social-audit",
        "engagement": json.dumps(ENGAGEMENT[:1]), "extras_engagement": json.dumps(ENGAGEMENT[:1]),
        "sdg_indicators": '["16.6.2"]', "extras_sdg_indicators": '["16.6.2"]',
        "population_groups": "[]", "extras_population_groups": "[]", "sample_size": "",
        "in_series": '["series-id"]', "extras_in_series": '["series-id"]', "extras_unrelated": "kept",
    }


def test_json_fields_are_json_text_of_the_made_record():
    doc = before_dataset_index(index_document(ethics={"anonymised": True, "informed_consent": True}))
    assert json.loads(doc["ethics"]) == {"anonymised": True, "informed_consent": True}


def test_repeating_subfields_are_searchable_text_per_subfield_of_the_made_record():
    """engagement and partners as ckanext-dcat indexes repeating subfields (extras_<field>__<subfield>): the
    words of every item, not the stored copy (which has one entry only), and no Python repr of a list."""
    doc = before_dataset_index(index_document())
    assert "engagement" not in doc and "partners" not in doc
    assert doc["extras_engagement__stage"] == "collect design"
    assert doc["extras_engagement__actors"] == "community cso"
    assert doc["extras_engagement__description"] == "Vecinos y vecinas"
    assert doc["extras_partners__name"] == "UNDP" and doc["extras_partners__role"] == "technical-partner"


def test_value_and_label_fields_are_plain_values():
    doc = before_dataset_index(index_document())
    assert doc["sdg_indicators"] == ["16.6.2"] and doc["sdg_goals"] == ["16"] and doc["m49"] == ["288"]
    assert doc["initiative_type"] == "social-audit"
    assert doc["meets_copenhagen_definition"] is False  # false is a value (the facet's "No"), not an empty one
    assert doc["in_series"] == ["series-id"] and doc["inherited_fields"] == ["initiative_type"]


def test_engagement_index_fields_are_computed():
    doc = before_dataset_index(index_document())
    assert doc["engagement_stage"] == ["collect", "design"] and doc["engagement_level_max"] == 5


def test_extras_copies_of_record_fields_are_removed_others_kept():
    doc = before_dataset_index(index_document())
    assert not {"extras_initiative_type", "extras_engagement", "extras_sdg_indicators", "extras_population_groups",
                "extras_in_series"} & set(doc)
    assert doc["extras_unrelated"] == "kept" and doc["title"] == "Audit" and doc["id"] == "pkg-id"


def test_empty_values_are_removed():
    doc = before_dataset_index(index_document(in_series=[], inherited_fields=[]))
    for name in ("population_groups", "sdg_series", "sample_size", "unit_measure", "in_series", "inherited_fields"):
        assert name not in doc, name


def test_labels_of_labelled_fields_in_every_language():
    labels = before_dataset_index(index_document())["concept_labels"]
    for label in ("Social audit", "Auditoría social", "Audit social", "التدقيق الاجتماعي",   # initiative_type
                  "Collect data", "Recopilar datos", "Collecter les données", "جمع البيانات",  # engagement_stage
                  "Ghana", "غانا", "Peace, justice and strong institutions"):               # countries, sdg_goals
        assert label in labels, label
    # sdg_indicators and engagement_level_max are indexed as values: their labels are not keywords
    assert "Proportion of population satisfied with their last experience of public services" not in labels
    assert "Citizen-led" not in labels and "Liderazgo ciudadano" not in labels


def test_no_labels_without_labelled_values():
    assert concept_labels({"sdg_indicators": ["16.6.2"], "sample_size": 3}) == []
    doc = before_dataset_index({"validated_data_dict": json.dumps({"title": "bare"})})
    assert "concept_labels" not in doc


def test_a_document_without_a_readable_record_is_left_as_it_is():
    doc = {"id": "x", "validated_data_dict": "{not json", "initiative_type": "social-audit"}
    assert before_dataset_index(dict(doc)) == doc


def index_row(name):
    return model.Session.execute(sa.select(search_index_table.c.doc).where(search_index_table.c.name == name)).scalar()


def test_the_index_row_of_a_dataset_holds_the_record():
    CitizenDataset(name="indexed", owner_org=factories.Organization()["id"], ethics={"anonymised": True},
                   population_groups=["youth"], countries=["GHA"])
    doc = index_row("indexed")
    assert json.loads(doc["ethics"]) == {"anonymised": True}
    assert doc["engagement_stage"] == ["design"] and doc["engagement_level_max"] == 4
    assert {"Youth", "Jóvenes", "Jeunes", "الشباب", "Ghana", "غانا"} <= set(doc["concept_labels"])
    assert not any(key.startswith(("extras_population_groups", "extras_ethics", "extras_countries")) for key in doc)


def test_the_index_row_holds_repeating_subfields_as_our_hook_writes_them_whatever_runs_after_it():
    """ckanext-dcat's before_dataset_index runs after ours (ckan.plugins order) and would flatten repeating
    subfields itself, with a Python repr of lists; ours leaves it nothing to flatten."""
    CitizenDataset(name="indexed", owner_org=factories.Organization()["id"],
                   partners=[{"name": "UNDP", "role": "funder"}])
    doc = index_row("indexed")
    assert doc["extras_engagement__actors"] == "community cso"
    assert doc["extras_partners__name"] == "UNDP" and doc["extras_partners__role"] == "funder"
    assert "engagement" not in doc and "partners" not in doc
