"""record/coerce.py: from what CKAN holds (strings in extras, JSON text, form values) to the record's JSON
types; what cannot be converted is left for the validator to report."""
from ckanext.citizendata.record import coerce


def test_coercion_from_ckan_storage():
    flat = {"sample_size": "120", "probability_sample": "true", "sdg_indicators": '["16.6.2"]',
            "ethics": '{"anonymised": true}', "countries": "GHA, COL",
            "engagement": [{"stage": "design", "level": "4", "actors": '["cso"]', "description": ""}]}
    assert coerce.record_from_flat(flat) == {
        "engagement": [{"stage": "design", "level": 4, "actors": ["cso"]}],
        "sdg_indicators": ["16.6.2"], "countries": ["GHA", "COL"], "sample_size": 120,
        "probability_sample": True, "ethics": {"anonymised": True}}
