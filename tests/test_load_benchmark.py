"""The pure parts of benchmarks/load.py: the percentile, the endpoint mix and the requests it makes."""
import collections
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import load  # noqa: E402  (benchmarks/ is not a package)


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile(values, 100) == 100
    assert load.percentile([7.0], 95) == 7.0
    assert load.percentile([], 95) == 0.0
    assert load.percentile([3, 1, 2], 50) == 2


def test_the_mix_follows_the_probes_weights():
    assert sum(weight for _, weight in load.MIX) == 100
    rng = random.Random(1)
    counts = collections.Counter(load.pick(rng) for _ in range(20000))
    for name, weight in load.MIX:
        assert abs(counts[name] / 20000 - weight / 100) < 0.015, name


def test_requests_filter_on_facet_values_of_the_site_and_name_its_records():
    site = load.Site(names=["a", "b"], facets={"countries": ["COL", "GHA"], "sdg_goals": ["16"]})
    rng = random.Random(3)
    searches = [site.request("package_search", rng) for _ in range(200)]
    assert {path for path, _ in searches} == {"/api/3/action/package_search"}
    filters = [params["fq"] for _, params in searches]
    assert "" in filters and any(" " in f for f in filters)  # none, one and two filters
    assert all(part.split(":")[0] in site.facets for f in filters for part in f.split(" ") if part)
    assert site.request("dataset_ttl", rng)[0] in ("/dataset/a.ttl", "/dataset/b.ttl")
    assert site.request("package_show", rng)[1]["id"] in ("a", "b")
    assert site.request("catalog_ttl", rng) == ("/catalog.ttl", {"page": 1})


def test_results_merge_keeps_every_timing_and_error():
    one, two = load.Results(), load.Results()
    one.add("package_show", 0.1, None)
    two.add("package_show", 0.2, "503 /api")
    two.add("dataset_page", 0.3, None)
    one.merge(two)
    assert one.count() == 3 and one.errors == {"package_show": 1} and one.samples == ["package_show: 503 /api"]


def test_a_facet_value_with_quotes_stays_one_phrase():
    assert load.quoted('say "hi" \\ there') == 'say \\"hi\\" \\\\ there'
