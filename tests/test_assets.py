"""The search box's suggestions: the page wires the module and serves its script, and the action it calls
answers for a visitor."""
import re

from ckan.tests import factories

from ckanext.citizendata.testing import CitizenDataset


def test_search_box_loads_the_suggest_module(app, clean_db):
    body = app.get("/dataset/", status=200).body
    box = re.search(r'<div[^>]*data-module="citizendata-suggest"[^>]*>', body)
    assert box, "the search form is not wrapped by the suggest module"
    assert 'data-module-lang="en"' in box.group(0)
    # the box holds the search input the module attaches to
    assert 'name="q"' in body[box.end():body.index("</form>", box.end())]
    scripts = re.findall(r'<script src="([^"]*suggest[^"]*\.js)"', body)
    assert scripts, "the suggest script is not on the page"
    script = app.get(scripts[0], status=200).body
    assert "citizendata-suggest" in script and "citizendata_suggest" in script


def test_search_box_labels_follow_the_page_language(app, clean_db):
    body = app.get("/es/dataset/", status=200).body
    assert re.search(r'data-module="citizendata-suggest"[^>]*data-module-lang="es"', body)


def test_suggest_answers_an_anonymous_visitor(app, clean_db):
    org = factories.Organization()
    CitizenDataset(name="ghana-satisfaction", title="Satisfaction with public services", owner_org=org["id"],
                   population_groups=["youth"])
    result = app.get("/api/3/action/citizendata_suggest", query_string={"q": "satisf"}, status=200).json["result"]
    assert [d["name"] for d in result["datasets"]] == ["ghana-satisfaction"]
    concepts = app.get("/api/3/action/citizendata_suggest", query_string={"q": "youth"}).json["result"]["concepts"]
    assert {"field": "population_groups", "value": "youth"}.items() <= concepts[0].items()
    assert concepts[0]["count"] == 1


def test_the_suggest_script_is_an_aria_combobox_that_keeps_the_filters(app, clean_db):
    """What the browser journeys exercise (tests/browser/), checked in the script the page is served."""
    body = app.get("/dataset/", status=200).body
    served = app.get(re.findall(r'<script src="([^"]*suggest[^"]*\.js)"', body)[0], status=200).body
    script = re.sub(r"\s+", "", served)  # as minified or not
    for needed in ("'role':'combobox'", "aria-expanded", "aria-controls", "aria-activedescendant",
                   "'ArrowDown'", "'ArrowUp'", "'Enter'", "'Escape'", "role=\"option\"", "aria-selected"):
        assert needed in script, needed
    # a concept's filter is added to the current page's parameters, not put in their place
    assert "newURLSearchParams(here.search)" in script and "params.append(field,value)" in script
    # each suggestion shows its kind, from the action
    assert "c.kind" in script and "d.kind" in script
