"""The web form of a record (logic/form_errors.py, the citizendata form snippets): errors in plain words next to the
field while the API keeps the validator's wording; every value kept after an error; optional blocks that may stay
empty; no pre-filled required choice; a yes/no that shows, keeps and serializes false."""
import re

import pytest
import rdflib
from ckan.tests import factories, helpers

from ckanext.citizendata.logic import form_errors
from ckanext.citizendata.namespaces import CDT
from ckanext.citizendata.record.validate import Words
from ..record.test_through_ckan import publisher, record  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("clean_db")


def form_of(data: dict) -> dict:
    """A record as the web form sends it: lists of values, blocks as <field>-<i>-<sub>, ethics-<name>, text."""
    form = {"save": ""}
    for key, value in data.items():
        if key == "ethics":
            form.update({f"ethics-{k}": str(v).lower() for k, v in value.items()})
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                form.update({f"{key}-{index}-{sub}": (v if isinstance(v, list) else str(v).lower()
                             if isinstance(v, bool) else str(v)) for sub, v in entry.items()})
        elif isinstance(value, bool):
            form[key] = str(value).lower()
        else:
            form[key] = value if isinstance(value, list) else str(value)
    return form


def selected(page: str, name: str) -> list[str]:
    """The values chosen in the select ``name`` of a page."""
    found = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), page, re.S)
    assert found, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"\s*selected', found.group(1))


def bad_record(**changes):
    return record(**{"engagement": [{"stage": "design", "level": 4, "actors": ["cso"]},
                                    {"stage": "design", "level": 5, "actors": ["community"]}],
                     "ethics": {"personal_data": True, "informed_consent": False},
                     "contact": [{"name": "Ama", "email": "not-an-email"}],
                     "sdg_indicators": ["16.6.2", "16.6.1"], **changes})


def test_the_form_speaks_plain_words_next_to_the_field_and_once(app, publisher):
    page = app.post("/dataset/new", data=form_of(bad_record()), headers=publisher["headers"], status=200).body
    assert "The stage Design is given twice: keep one entry per stage." in page
    assert "not-an-email is not an e-mail address: write it as name@example.org." in page
    # once beside the four ethics answers (not four times), and once in the form's summary of errors
    assert page.count('id="field-ethics-error"') == 1
    assert page.count("Personal or sensitive data need informed consent or an ethics review") == 2
    assert "appears twice" not in page and "informed_consent or ethics_review" not in page


def test_the_api_keeps_the_validators_precise_wording(app, publisher):
    res = app.post("/api/3/action/package_create", json=bad_record(), headers=publisher["headers"], status=409)
    error = res.json["error"]
    assert 'engagement[1].stage: "design" appears twice; one entry per stage' in str(error)
    assert 'contact[0].email: "not-an-email" is not an e-mail address' in str(error)
    assert "The stage Design is given twice" not in str(error)


def test_every_value_is_kept_after_an_error(app, publisher):
    page = app.post("/dataset/new", data=form_of(bad_record()), headers=publisher["headers"], status=200).body
    assert selected(page, "sdg_indicators") == ["16.6.1", "16.6.2"] or \
        sorted(selected(page, "sdg_indicators")) == ["16.6.1", "16.6.2"]
    assert selected(page, "ethics-personal_data") == ["true"] and selected(page, "ethics-informed_consent") == ["false"]
    assert selected(page, "ethics-ethics_review") == [""]
    assert selected(page, "probability_sample") == ["false"]
    assert selected(page, "engagement-1-level") == ["5"] and selected(page, "initiative_type") == ["public-service-feedback"]


def test_one_chosen_value_is_not_read_as_a_substring(app, publisher):
    page = app.post("/dataset/new", data=form_of(bad_record(sdg_indicators="16.6.2")), headers=publisher["headers"],
                    status=200).body
    assert selected(page, "sdg_indicators") == ["16.6.2"]


def test_an_initiative_type_skipped_is_required_not_the_first_choice(app, publisher):
    page = app.get("/dataset/new", headers=publisher["headers"]).body
    assert selected(page, "initiative_type") == [""] and "Choose…" in page
    page = app.post("/dataset/new", data=form_of(record(initiative_type="")), headers=publisher["headers"],
                    status=200).body
    assert "Required: please give a value." in page
    assert helpers.call_action("package_search", q="name:ghana-pss-round-3")["count"] == 0


def test_untouched_optional_blocks_are_ignored(app, publisher):
    form = form_of(record())
    form.update({"partners-1-name": "", "partners-1-role": "", "partners-1-actor_type": "", "partners-1-uri": "",
                 "contact-0-name": "", "contact-0-email": "", "temporal_coverage-0-start": ""})
    app.post("/dataset/new", data=form, headers=publisher["headers"], follow_redirects=False, status=302)
    shown = helpers.call_action("package_show", id="ghana-pss-round-3")
    assert [p["name"] for p in shown["partners"]] == ["UNDP"]
    assert not shown.get("contact") and not shown.get("temporal_coverage")


def test_optional_blocks_start_empty_and_engagement_with_one(app, publisher):
    page = app.get("/dataset/new", headers=publisher["headers"]).body
    assert 'name="engagement-0-stage"' in page
    for name in ("partners", "contact", "publisher", "temporal_coverage"):
        assert f'name="{name}-0-' not in page and f'name="{name}-REPEATING-INDEX0-' in page   # only the template


def test_long_vocabularies_are_searchable_and_short_ones_plain(app, publisher):
    page = app.get("/dataset/new", headers=publisher["headers"]).body
    for name in ("sdg_indicators", "sdg_series", "countries"):
        assert re.search(r'<select multiple id="field-%s" name="%s"[^>]*data-module="autocomplete citizendata-label"' % (name, name), page)
    assert not re.search(r'name="engagement-0-actors"[^>]*data-module', page)
    assert len(re.findall(r'<option value="', re.search(r'name="engagement-0-stage".*?</select>', page, re.S).group())) > 5


def test_false_round_trips_through_api_form_and_dcat(app, publisher):
    app.post("/api/3/action/package_create", json=record(probability_sample=False), headers=publisher["headers"])
    assert helpers.call_action("package_show", id="ghana-pss-round-3")["probability_sample"] is False
    page = app.get("/dataset/edit/ghana-pss-round-3", headers=publisher["headers"]).body
    assert selected(page, "probability_sample") == ["false"]
    form = form_of(record(probability_sample=False, title="Renamed"))
    app.post("/dataset/edit/ghana-pss-round-3", data=form, headers=publisher["headers"], follow_redirects=False,
             status=302)
    shown = helpers.call_action("package_show", id="ghana-pss-round-3")
    assert shown["title"] == "Renamed" and shown["probability_sample"] is False
    graph = rdflib.Graph().parse(data=app.get("/dataset/ghana-pss-round-3.ttl", status=200).body, format="turtle")
    assert [o.toPython() for o in graph.objects(None, CDT.probabilitySample)] == [False]
    assert "No" in app.get("/dataset/ghana-pss-round-3", status=200).body


def test_not_stated_sends_nothing(app, publisher):
    app.post("/dataset/new", data=form_of(record(probability_sample="")), headers=publisher["headers"],
             follow_redirects=False, status=302)
    assert helpers.call_action("package_show", id="ghana-pss-round-3").get("probability_sample") in (None, [])


def test_a_write_is_from_the_form_only_when_ckans_views_say_so():
    assert form_errors.from_form({"user": "a", "save": False}) and not form_errors.from_form({"user": "a"})


def test_a_rule_without_plain_words_keeps_its_words_without_the_path():
    assert form_errors.plain(["sample_size"], Words("sample_size: odd", "no-such-rule")) == "odd"


def test_an_initiatives_form_also_keeps_ethics_and_starts_empty(app, publisher):
    page = app.get("/dataset_series/new", headers=publisher["headers"]).body
    assert selected(page, "initiative_type") == [""]
    assert 'name="partners-0-' not in page


def test_another_organizations_editor_gets_no_form(app, publisher):
    other = factories.UserWithToken()
    factories.Organization(users=[{"name": other["name"], "capacity": "editor"}])
    helpers.call_action("package_create", context={"user": publisher["user"]["name"]}, **record())
    app.get("/dataset/edit/ghana-pss-round-3", headers={"Authorization": other["token"]}, status=403)
