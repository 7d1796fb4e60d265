#!/usr/bin/env python
"""Harvesting a DCAT-AP catalog: ours (citizendata_dcat) vs stock ckanext-dcat (dcat_rdf_harvester), side by side
in one run, both writing through the same CKAN and our search backend.

    .venv/bin/python benchmarks/harvest.py --config bench-harvest.ini [--n 2000] [--page-size 100] [--memory]

Serves a generated DCAT-AP 3 catalog of N records (Turtle, Hydra pages of --page-size) on 127.0.0.1, then, each
into an empty organization of its own: our first harvest, our unchanged re-harvest (and the rows it wrote), the
stock harvester's first harvest and its unchanged re-harvest. Records carry the citizen-data facts our
validation asks of records typed in (initiative type, engagement), so the stock harvester's imports pass it too.
With --memory our first harvest runs again in child processes at N and 5N records, each printing its peak
resident memory. Prints one line per figure.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import uuid

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

OURS_CONFIG = {"languages": ["en"], "priority": 0}
TTL_PREFIXES = """@prefix cdt: <https://w3id.org/citizendata/ns#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
STAGES = ("design", "collect")
KEYWORDS = ("water", "public services", "health", "education", "mobility", "waste", "safety", "housing")


def dataset_ttl(base: str, number: int, run: str) -> str:
    """One DCAT-AP dataset with a distribution and the citizen-data facts of a typed-in record."""
    iri = f"{base}/dataset/{run}-{number}"
    keyword = KEYWORDS[number % len(KEYWORDS)]
    stage = STAGES[number % 2]
    return f"""<{iri}> a dcat:Dataset ;
    dct:title "Community monitoring of {keyword}, district {number}" ;
    dct:description "Generated benchmark record {number}: residents report on {keyword} in their district." ;
    dct:identifier "{run}-{number}" ;
    dct:issued "2024-01-{1 + number % 28:02d}"^^xsd:date ;
    dct:modified "2024-06-{1 + number % 28:02d}T10:00:00"^^xsd:dateTime ;
    dcat:keyword "{keyword}", "citizen data" ;
    dct:publisher <{base}/org/cso-{number % 7}> ;
    dct:subject <https://w3id.org/citizendata/vocab/initiative-types/community-survey> ;
    prov:wasGeneratedBy [ a prov:Activity, cdt:EngagementActivity ;
        dct:type <https://w3id.org/citizendata/vocab/engagement-stages/{stage}> ;
        cdt:engagementLevel <https://w3id.org/citizendata/vocab/engagement-levels/4> ] ;
    dcat:distribution <{iri}/csv> .
<{iri}/csv> a dcat:Distribution ;
    dct:title "Reports (CSV)" ;
    dcat:accessURL <{base}/files/{run}-{number}.csv> ;
    dcat:downloadURL <{base}/files/{run}-{number}.csv> ;
    dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> .
"""


def page_ttl(base: str, total: int, size: int, page: int, run: str) -> bytes:
    """Page ``page`` (from 1) of the catalog, with its Hydra paging node."""
    last = max(1, -(-total // size))
    first_number = (page - 1) * size
    numbers = range(first_number, min(total, first_number + size))
    url = f"{base}/catalog.ttl"
    paging = (f'<{url}?page={page}> a hydra:PagedCollection ; hydra:totalItems {total} ; '
              f'hydra:itemsPerPage {size} ; hydra:firstPage "{url}?page=1" ; hydra:lastPage "{url}?page={last}"')
    if page < last:
        paging += f' ; hydra:nextPage "{url}?page={page + 1}"'
    catalog = f"<{base}/catalog> a dcat:Catalog ; dct:title \"Benchmark catalog\" ; " + " ; ".join(
        f"dcat:dataset <{base}/dataset/{run}-{n}>" for n in numbers) + " .\n" if numbers else ""
    body = "".join(dataset_ttl(base, n, run) for n in numbers)
    return (TTL_PREFIXES + paging + " .\n" + catalog + body).encode("utf-8")


class Catalog:
    """The generated catalog as a route of the replay server."""

    def __init__(self, total: int, size: int, run: str):
        self.total, self.size, self.run, self.base = total, size, run, ""

    def handler(self, request):
        from ckanext.citizendata.ingest.harvest.replay import Reply
        page = int(request.query.get("page", "1") or 1)
        return Reply(body=page_ttl(self.base, self.total, self.size, page, self.run), content_type="text/turtle")


# ---------------------------------------------------------------- the two harvesters
def site_context():
    from ckan.plugins import toolkit
    return {"ignore_auth": True, "user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


def make_source(kind: str, url: str, run: str, config: dict):
    """An empty organization and a harvest source of ``kind`` (ckanext-harvest's type) into it."""
    from ckan.plugins import toolkit
    org = toolkit.get_action("organization_create")(site_context(), {"name": f"bench-{kind}-{run}".replace("_", "-")})
    source = toolkit.get_action("harvest_source_create")(site_context(), {
        "name": f"bench-source-{kind}-{run}".replace("_", "-"), "title": f"Benchmark {kind} {run}", "url": url,
        "source_type": kind, "owner_org": org["id"], "config": json.dumps(config)})
    return source["id"]


def run_stock(source_id: str) -> None:
    """ckanext-harvest's own stages, in this process (what `ckan harvester run-test` does, without the queue)."""
    from ckan import model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    harvester = queue.get_harvester("dcat_rdf")
    job = HarvestJob(source=HarvestSource.get(source_id), status="Running")
    job.save()
    for object_id in queue.gather_stage(harvester, job) or []:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
    job.status = "Finished"
    job.save()
    model.Session.remove()


def run_ours(source_id: str) -> object:
    from ckanext.citizendata.ingest.harvest import fetch
    from ckanext.citizendata.logic import harvest
    # no politeness wait between pages (rate 0): stock sends its requests without one, and the catalog is served on
    # this machine, so the figures compare the harvesters' own work
    return harvest.run_source(source_id, full=True, fetcher=fetch.Client(allow=["127.0.0.1"], rate=0))


ROW_TABLES = ("package", "resource", "activity", "harvest_object", "harvest_object_extra",
              "citizendata_harvest_record", "citizendata_search_index")


def row_counts() -> dict:
    """Rows per table, and the newest write time of packages and index rows."""
    import sqlalchemy as sa
    from ckan import model
    counts = {t: model.Session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ROW_TABLES}
    counts["package.metadata_modified"] = model.Session.execute(
        sa.text("SELECT max(metadata_modified) FROM package")).scalar()
    return counts


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def compare(n: int, size: int, skip_stock: bool) -> None:
    from ckan import model
    from ckanext.citizendata.ingest.harvest.replay import Replay
    run = uuid.uuid4().hex[:6]
    catalog = Catalog(n, size, run)
    with Replay() as server:
        catalog.base = server.base
        server.add("/catalog.ttl", handler=catalog.handler)
        url = server.url("/catalog.ttl")
        ours = make_source("citizendata_dcat", url, run, OURS_CONFIG)
        first = timed(run_ours, ours)
        before = row_counts()
        again = timed(run_ours, ours)
        written = {k: row_counts()[k] != v for k, v in before.items()}
        model.Session.remove()
        print(f"ours_first_harvest_records_per_s: {n / first:.1f} ({n} records)")
        print(f"ours_unchanged_reharvest_records_per_s: {n / again:.1f}")
        changed = [table for table, moved in written.items() if moved]
        print(f"ours_unchanged_rows_written: {sum(row_counts()[t] - before[t] for t in ROW_TABLES)} "
              f"(tables changed: {', '.join(changed) or 'none'}; one harvest_job row per run)")
        if skip_stock:
            return
        stock = make_source("dcat_rdf", url, run, {})
        stock_first = timed(run_stock, stock)
        stock_again = timed(run_stock, stock)
        print(f"stock_first_harvest_records_per_s: {n / stock_first:.1f}")
        print(f"stock_unchanged_reharvest_records_per_s: {n / stock_again:.1f}")
        print(f"first_harvest_speedup_vs_stock: {stock_first / first:.1f}x")
        print(f"unchanged_reharvest_speedup_vs_stock: {stock_again / again:.1f}x")


def child_memory(n: int, size: int) -> None:
    """Our first harvest of N records in this process; prints its peak resident memory."""
    from ckanext.citizendata.ingest.harvest.replay import Replay
    from ckanext.citizendata.logic import harvest
    run = uuid.uuid4().hex[:6]
    catalog = Catalog(n, size, run)
    with Replay() as server:
        catalog.base = server.base
        server.add("/catalog.ttl", handler=catalog.handler)
        source = make_source("citizendata_dcat", server.url("/catalog.ttl"), run, OURS_CONFIG)
        summary = run_ours(source)
    print(f"child_peak_rss_mb: {harvest.peak_memory_mb():.1f} ({summary.added} added)")


def memory(config: str, n: int, size: int) -> None:
    figures = {}
    for count in (n, 5 * n):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--config", config, "--child-memory",
                              "--n", str(count), "--page-size", str(size)], capture_output=True, text=True,
                             check=True).stdout
        line = next(line for line in out.splitlines() if line.startswith("child_peak_rss_mb: "))
        figures[count] = float(line.split()[1])
        print(f"ours_peak_rss_mb_at_{count}: {figures[count]:.1f}")
    print(f"ours_peak_rss_ratio_{5 * n}_vs_{n}: {figures[5 * n] / figures[n]:.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--memory", action="store_true", help="also our peak memory at N and 5N (child processes)")
    parser.add_argument("--skip-stock", action="store_true", help="ours only")
    parser.add_argument("--child-memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    flask_app = ckan_site.flask_app(args.config)
    with flask_app.test_request_context("/"):
        if args.child_memory:
            child_memory(args.n, args.page_size)
            return
        compare(args.n, args.page_size, args.skip_stock)
    if args.memory:
        memory(args.config, args.n, args.page_size)


if __name__ == "__main__":
    main()
