"""``ckan citizendata shacl-report [DATASET] [--json] [--shapes official|own|all]``.

With a dataset name or id: the SHACL report of that dataset's graph; without: of every catalog page, walked as
the catalog endpoint pages it (``ckanext.dcat.datasets_per_page``). Graphs are built with the configured
profiles through ckanext-dcat's RDFSerializer. Exit status 1 when any result is a sh:Violation.

Example::

    ckan -c ckan.ini citizendata shacl-report appdiversa-discrimination-experiences
    ckan -c ckan.ini citizendata shacl-report --json --shapes official > report.json
"""
from __future__ import annotations

import json
from typing import Iterator, Optional

import click
import rdflib
from ckan.plugins import toolkit
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFSerializer

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.rdf import shacl


def dataset_graph(name_or_id: str) -> rdflib.Graph:
    """The graph of one public dataset as the configured profiles serialize it."""
    dataset = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": name_or_id})
    serializer = RDFSerializer()
    serializer.graph_from_dataset(dataset)
    return serializer.g


def catalog_graphs() -> Iterator[tuple[int, rdflib.Graph]]:
    """``(page number, graph)`` of every catalog page: the catalog and that page's datasets."""
    per_page = cd_config.dcat_datasets_per_page()
    page = 1
    while True:
        query = dcat_logic._search_ckan_datasets({"ignore_auth": True}, {"page": page})
        serializer = RDFSerializer()
        serializer.serialize_catalog({}, dataset_dicts=query["results"], _format="turtle")
        yield page, serializer.g
        if page * per_page >= query["count"]:
            return
        page += 1


def _graphs(dataset: Optional[str]) -> Iterator[tuple[str, rdflib.Graph]]:
    if dataset:
        yield f"dataset {dataset}", dataset_graph(dataset)
        return
    for page, graph in catalog_graphs():
        yield f"catalog page {page}", graph


@click.command("shacl-report", short_help="SHACL report of a dataset or of every catalog page")
@click.argument("dataset", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON")
@click.option("--shapes", "which", type=click.Choice(["official", "own", "all"]), default="all",
              show_default=True, help="Official DCAT-AP 3.0.1 shapes, our own shapes, or both")
def shacl_report(dataset, as_json, which):
    """Validate DATASET (name or id), or every catalog page, against the SHACL shapes. Exit 1 on violations."""
    sets = shacl.available(which)
    if not sets:
        click.secho(f"No shapes files for {which!r}", fg="red", err=True)
        raise click.exceptions.Exit(2)
    reports = []
    try:
        for label, graph in _graphs(dataset):
            reports.append((label, len(graph), shacl.validate(graph, which)))
    except toolkit.ObjectNotFound:
        click.secho(f"Dataset not found: {dataset}", fg="red", err=True)
        raise click.exceptions.Exit(2)
    results = [r for _, _, found in reports for r in found]
    if as_json:
        click.echo(json.dumps({"shapes": sets, "summary": shacl.summary(results), "reports": [
            {"graph": label, "triples": size, "results": [r.as_dict() for r in found]}
            for label, size, found in reports]}, indent=2))
    else:
        _print_text(sets, reports)
    if any(r.severity == "Violation" for r in results):
        raise click.exceptions.Exit(1)


def _print_text(sets: list[str], reports: list) -> None:
    click.echo(f"Shapes: {', '.join(sets)}")
    for label, size, found in reports:
        click.secho(f"== {label} ({size} triples)", bold=True)
        click.echo(shacl.render_text(found))
    results = [r for _, _, found in reports for r in found]
    counts = shacl.summary(results)
    colour = "red" if counts.get("Violation") else ("yellow" if results else "green")
    click.secho(f"{len(reports)} graphs, {len(results)} results"
                + "".join(f", {n} {s}" for s, n in sorted(counts.items())), fg=colour)
