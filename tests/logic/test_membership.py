"""logic/membership.py and the rule of record/inherit.py it serves, end to end: who may put a dataset into an
initiative, and the leak matrix of the probe (issue 11): what an initiative that became private shows through
its members, asked by an anonymous visitor, an editor of another organization, and an editor of its own
organization, on every read path (API, search results, facet counts, suggest, HTML pages, DCAT dataset and
catalog pages)."""
import json

import pytest
import rdflib
from ckan.tests import factories, helpers
from rdflib.namespace import DCAT

from ckanext.citizendata.logic import membership
from ckanext.citizendata.record.inherit import SeriesLookup
from ckanext.citizendata.testing import MINIMAL_ENGAGEMENT

SECRETS = ("Zephyr Hidden Initiative", "Quokkafund")   # the initiative's title and its partner's name
HIDDEN_COUNTRY = "ISL"                                   # the initiative's country


def _create(user, **fields):
    return helpers.call_action("package_create", context={"user": user["name"], "ignore_auth": False}, **fields)


@pytest.fixture
def world(clean_db):
    """Organization alpha has an initiative that was public and open, so a dataset of organization beta joined
    it, as did a public and a private dataset of alpha; then alpha made the initiative private."""
    alpha_editor, beta_editor = factories.UserWithToken(), factories.UserWithToken()
    alpha = factories.Organization(name="alpha", users=[{"name": alpha_editor["name"], "capacity": "editor"}])
    beta = factories.Organization(name="beta", users=[{"name": beta_editor["name"], "capacity": "editor"}])
    initiative = _create(alpha_editor, type="dataset_series", name="zephyr", title=SECRETS[0], notes="An initiative",
                         owner_org=alpha["id"], open_membership=True, initiative_type="social-audit",
                         engagement=[{"stage": "collect", "level": 5, "actors": ["community"]}],
                         countries=[HIDDEN_COUNTRY], partners=[{"name": SECRETS[1], "role": "funder"}])
    members = {
        "beta_public": _create(beta_editor, name="beta-public", title="Beta round", notes="x",
                               owner_org=beta["id"], in_series=["zephyr"]),
        "alpha_public": _create(alpha_editor, name="alpha-public", title="Alpha round", notes="x",
                                owner_org=alpha["id"], in_series=["zephyr"]),
        "alpha_private": _create(alpha_editor, name="alpha-private", title="Alpha private round", notes="x",
                                 owner_org=alpha["id"], private=True, in_series=["zephyr"]),
    }
    assert all(m["countries"] == [HIDDEN_COUNTRY] for m in members.values())   # while the initiative was public
    helpers.call_action("package_patch", context={"user": alpha_editor["name"], "ignore_auth": False},
                        id="zephyr", private=True)
    roles = {"anonymous": {}, "beta_editor": {"Authorization": beta_editor["token"]},
             "alpha_editor": {"Authorization": alpha_editor["token"]},
             "sysadmin": {"Authorization": factories.SysadminWithToken()["token"]}}
    return {"initiative": initiative, "members": members, "roles": roles, "beta": beta, "beta_editor": beta_editor}


def _api(app, action, headers, status=200, **params):
    query = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in params.items()}
    return app.get(f"/api/3/action/{action}", query_string=query, headers=headers, status=status).json


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _read_paths(app, world, headers):
    """What each read path shows of the hidden initiative to the asker: path -> (secrets seen, hidden country
    seen)."""
    seen = {}
    for key in ("beta_public", "alpha_public"):
        name = world["members"][key]["name"]
        shown = _api(app, "package_show", headers, id=name)["result"]
        seen[f"package_show {key}"] = (_leaks(json.dumps(shown)), HIDDEN_COUNTRY in (shown.get("countries") or []))
        page = app.get(f"/dataset/{name}", headers=headers).body
        seen[f"html {key}"] = (_leaks(page), "Iceland" in page)
        turtle = app.get(f"/dataset/{name}.ttl", headers=headers).body
        graph = rdflib.Graph().parse(data=turtle, format="turtle")
        seen[f"dcat {key}"] = (_leaks(turtle) + [str(s) for s in graph.objects(None, DCAT.inSeries)
                                                 if world["initiative"]["id"] in str(s)], "/ISL" in turtle)
    found = _api(app, "package_search", headers, q=SECRETS[1], include_private="true")["result"]
    seen["search"] = (sorted(d["name"] for d in found["results"]), None)
    facets = _api(app, "package_search", headers, **{"facet.field": ["countries"], "include_private": "true",
                                                     "rows": 0})["result"]["facets"]
    seen["facet counts"] = ([], facets.get("countries", {}).get(HIDDEN_COUNTRY, 0))
    suggested = _api(app, "citizendata_suggest", headers, q="Iceland")["result"]
    seen["suggest"] = ([], sum(c["count"] for c in suggested["concepts"] if c["value"] == HIDDEN_COUNTRY))
    listing = app.get("/dataset/", query_string={"q": SECRETS[1]}, headers=headers).body   # q is echoed: links
    seen["html search"] = (sorted(name for name in ("zephyr", "alpha-private", "beta-public", "alpha-public")
                                  if f'/{name}"' in listing), None)
    catalog = app.get("/catalog.ttl", headers=headers).body
    seen["dcat catalog"] = (_leaks(catalog), "/ISL" in catalog)
    return seen


@pytest.mark.parametrize("role", ["anonymous", "beta_editor"])
def test_an_initiative_that_became_private_shows_nowhere_to_those_who_may_not_see_it(app, world, role):
    headers = world["roles"][role]
    seen = _read_paths(app, world, headers)
    leaks = {path: found for path, found in seen.items() if found[0] or found[1]}
    assert leaks == {}
    _api(app, "package_show", headers, status=403, id="alpha-private")
    _api(app, "package_show", headers, status=403, id="zephyr")


@pytest.mark.parametrize("role", ["alpha_editor", "sysadmin"])
def test_its_own_organization_sees_it_and_its_private_member_inherits_but_public_members_never(app, world, role):
    headers = world["roles"][role]
    seen = _read_paths(app, world, headers)
    for key in ("beta_public", "alpha_public"):       # public members show nothing of it, to anyone
        for path in ("package_show", "dcat"):
            assert seen[f"{path} {key}"] == ([], False), (path, key)
        assert seen[f"html {key}"] == ([SECRETS[0]], False)    # the link to it (they may see it), no value
    assert seen["search"][0] == seen["html search"][0] == ["alpha-private", "zephyr"]
    assert seen["facet counts"][1] == 2 and seen["suggest"][1] == 2     # the initiative and its private member
    private = _api(app, "package_show", headers, id="alpha-private")["result"]
    assert private["countries"] == [HIDDEN_COUNTRY] and "countries" in private["inherited_fields"]


def test_the_editors_of_a_member_are_told_why_it_takes_nothing(app, world):
    beta_editor = world["roles"]["beta_editor"]
    page = app.get("/dataset/beta-public", headers=beta_editor).body
    assert "Nothing is taken from 1 of its initiatives" in page
    assert "Nothing is taken from" not in app.get("/dataset/beta-public").body     # readers are not told
    shown = _api(app, "package_show", beta_editor, id="beta-public")["result"]
    assert shown["series_withheld"] == [world["initiative"]["id"]] and shown["inherited_fields"] == []


def _publish(name):
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=name, private=False)


def test_making_the_initiative_public_again_gives_its_values_back(app, world):
    _publish("zephyr")
    shown = _api(app, "package_show", {}, id="beta-public")["result"]
    assert shown["countries"] == [HIDDEN_COUNTRY] and "series_withheld" not in shown
    found = _api(app, "package_search", {}, fq=f"countries:{HIDDEN_COUNTRY}")["result"]
    assert sorted(d["name"] for d in found["results"]) == ["alpha-public", "beta-public", "zephyr"]


# ---------------------------------------------------------------- may_see, may_join, joinable
def test_who_may_see_and_join_an_initiative(world):
    lookup = SeriesLookup()
    hidden = lookup.get("zephyr")
    beta_editor = {"user": world["beta_editor"]["name"]}
    assert not membership.may_see(hidden, beta_editor) and not membership.may_join(hidden, beta_editor)
    assert membership.may_see(hidden, {"ignore_auth": True}) and membership.may_join(hidden, {"ignore_auth": True})
    assert membership.may_see(hidden, {"user": factories.Sysadmin()["name"]})
    _publish("zephyr")
    lookup.forget("zephyr")
    public = lookup.get("zephyr")
    assert membership.may_see(public, beta_editor) and membership.may_join(public, beta_editor)  # open membership
    helpers.call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id="zephyr",
                        open_membership=False)
    lookup.forget("zephyr")
    closed = lookup.get("zephyr")
    assert membership.may_see(closed, beta_editor) and not membership.may_join(closed, beta_editor)


def test_joinable_are_the_active_initiatives_the_asker_may_join_by_title(world):
    beta_editor = {"user": world["beta_editor"]["name"]}
    assert membership.joinable(beta_editor) == []
    opened = _create(world["beta_editor"], type="dataset_series", name="beta-open", title="A beta initiative",
                     notes="x", owner_org=world["beta"]["id"], initiative_type="social-audit",
                     engagement=[dict(e) for e in MINIMAL_ENGAGEMENT])
    assert [s.id for s in membership.joinable(beta_editor)] == [opened["id"]]
    sysadmin = {"user": factories.Sysadmin()["name"]}
    assert [s.name for s in membership.joinable(sysadmin)] == ["beta-open", "zephyr"]
