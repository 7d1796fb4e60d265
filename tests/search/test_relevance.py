"""The relevance test set (relevance.yaml) on the demo records, through package_search as the search box uses it."""
import os

import pytest
import yaml

from ckan.cli.cli import ckan as ckan_cli
from ckan.tests import helpers

CASES = yaml.safe_load(open(os.path.join(os.path.dirname(__file__), "relevance.yaml"), encoding="utf-8"))


@pytest.mark.usefixtures("clean_db")
def test_relevance_set(cli):
    assert cli.invoke(ckan_cli, ["citizendata", "seed-demo"]).exit_code == 0
    misses = []
    for case in CASES:
        ranked = [d["name"] for d in helpers.call_action("package_search", q=case["q"], rows=10)["results"]]
        if case["expect"] not in ranked[:case["top"]]:
            misses.append(f'{case["q"]!r}: {case["expect"]} not in the first {case["top"]}: {ranked[:5]}')
    assert not misses, "\n".join(misses)
