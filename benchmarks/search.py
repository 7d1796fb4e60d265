#!/usr/bin/env python
"""Search at scale: a fixed query mix through package_search at 10k and at N records, side by side with the
backend's own SQL for the same queries (the engine floor).

    .venv/bin/python benchmarks/search.py --config bench.ini [--n 100000] [--small 10000] [--repeat 3]
        [--rebuild-sample 5000] [--ckan-sample 300]

Builds the catalog with the bulk path (`ckan citizendata generate`, seed 4242) in the configured database:
use a database of its own. Prints one line per figure: the mix, the broad text queries on their own, and the
index rebuild (the bulk path against CKAN's one by one, on new rows; and on unchanged rows) at each size.
"""
import argparse
import statistics
import time

import sqlalchemy as sa
from ckan import logic, model
from ckan.lib import search
from ckan.plugins import toolkit

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.ingest import bulkload
from ckanext.citizendata.logic import reindex
from ckanext.citizendata.search import lucene
from ckanext.citizendata.search.postgres.backend import PostgresBackend

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

FACETS = ["initiative_type", "engagement_stage", "engagement_level_max", "meets_copenhagen_definition",
          "sdg_goals", "sdg_targets", "sdg_indicators", "population_groups", "disaggregation", "countries",
          "recognition_status", "organization", "tags", "res_format", "license_id"]
MIX = [
    {"q": "water"},
    {"q": "community survey"},
    {"q": "services", "fq": 'initiative_type:"social-audit"'},
    {"fq": 'sdg_goals:16 +countries:GHA'},
    {"fq": 'initiative_type:"community-survey" +sdg_goals:5 +meets_copenhagen_definition:true'},
    {"q": "housing", "fq": "population_groups:youth"},
    {"facet.field": FACETS},
    {"q": "health", "facet.field": FACETS},
    {"fq": 'recognition_status:"official"', "facet.field": FACETS},
    {"fq": 'countries:KEN +engagement_stage:collect', "facet.field": FACETS},
    {"sort": "metadata_modified desc", "facet.field": FACETS},
    {"q": "air quality", "sort": "title_string asc"},
    {"start": 5000, "rows": 20},
    {"q": "monitoring", "start": 200, "rows": 20, "facet.field": FACETS},
    {"fq": 'sdg_indicators:"16.6.2"', "facet.field": FACETS},
    {"fq": 'initiative_type:"social-audit" +countries:GHA +population_groups:youth', "facet.field": FACETS},
    {"q": "services", "fq": 'population_groups:women +sdg_goals:16', "facet.field": FACETS},
]
# the class the latency target names: the full facet set with 1-3 filters
TARGET_CLASS = [i for i, params in enumerate(MIX) if params.get("fq") and params.get("facet.field")]
# common words an analyst types, each matching a large part of the catalog, timed on their own
BROAD_TEXT = [
    {"q": "survey"},
    {"q": "women"},
    {"q": "monitoring"},
    {"q": "community", "facet.field": FACETS},
    {"q": "data", "facet.field": FACETS},
    {"q": "survey", "start": 200, "rows": 20, "facet.field": FACETS},
]
SEED = 4242


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_mix(repeat, mix=MIX):
    """(action timings ms as (query number, ms), captured SQL per query) for the mix, as an anonymous
    visitor of /dataset."""
    action, captured = [], []
    engine = model.meta.engine
    for number, params in enumerate(mix):
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            # the index's statements and the planner settings the backend makes for them
            if ("citizendata_search_index" in statement or "set_config" in statement) \
                    and not statement.lstrip().startswith(("SAVEPOINT", "RELEASE")):
                statements.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", capture)
        toolkit.get_action("package_search")({"user": "", "ignore_auth": False}, dict(params, rows=params.get("rows", 20)))
        sa.event.remove(engine, "before_cursor_execute", capture)
        captured.append(statements)
        for _ in range(repeat):
            started = time.perf_counter()
            toolkit.get_action("package_search")({"user": "", "ignore_auth": False},
                                                 dict(params, rows=params.get("rows", 20)))
            action.append((number, (time.perf_counter() - started) * 1000))
            model.Session.remove()
    return action, captured


def engine_floor(captured, repeat):
    timings = []
    raw = model.meta.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statements in captured:
            for _ in range(repeat):
                started = time.perf_counter()
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
                raw.rollback()  # the planner settings are per transaction, as in the backend
    finally:
        raw.close()
    return timings


def explain_selective():
    """EXPLAIN of the filter a facet click sends, as the backend compiles it: no sequential scan of the
    index table."""
    backend = PostgresBackend()
    node = lucene.parse('countries:KEN AND initiative_type:"social-audit" AND permission_labels:public')
    where = backend._compiler(model.Session, node).where(node)
    statement = sa.select(sa.func.count()).select_from(backend.table).where(where)
    compiled = statement.compile(model.Session.get_bind())
    cursor = model.Session.connection().connection.cursor()
    cursor.execute("EXPLAIN " + str(compiled), compiled.params)
    return "\n".join(row[0] for row in cursor.fetchall())


def ensure(count):
    report = bulkload.generate(count, seed=SEED, batch_size=1000)
    return report


def measure(size, repeat):
    """Build the catalog to ``size`` records, time the mix on it and print the figures; (action, floor)."""
    report = ensure(size)
    total = toolkit.get_action("package_search")({"ignore_auth": True}, {"rows": 0})["count"]
    print(f"catalog_{size}_built: {report.created} new records at {report.rate:.0f} records/s "
          f"({total} datasets in the catalog{'' if total == size else ': use a database of its own'})")
    run_mix(1)  # warm caches
    action, captured = run_mix(repeat)
    floor = engine_floor(captured, repeat)
    print_figures(size, action, floor)
    run_mix(1, BROAD_TEXT)
    broad = [ms for _, ms in run_mix(repeat, BROAD_TEXT)[0]]
    print(f"broad_text_p95_ms_at_{size}: {percentile(broad, 95):.1f}")
    return action, floor, broad


def measure_rebuild(size, sample, ckan_sample):
    """records/s of the bulk rebuild on ``sample`` records of the catalog whose index rows are new (taken out
    first: every row and index entry is written), in this process and in the configured worker processes; then
    of the same rebuild once more, the rows unchanged (nothing is written); and of CKAN's one by one on
    ``ckan_sample`` new rows."""
    ids = reindex.ids_to_index()[:sample]
    workers = cd_config.rebuild_workers()
    alone = reindex.rebuild(take_out(ids))
    shared = reindex.rebuild(take_out(ids), workers=workers)
    unchanged = reindex.rebuild(ids, workers=workers)
    started = time.perf_counter()
    for package_id in take_out(ids[:ckan_sample]):
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit=True)
    model.Session.commit()
    one_by_one = min(ckan_sample, len(ids)) / (time.perf_counter() - started)
    print(f"rebuild_records_per_s_at_{size}: {shared.rate:.0f} (bulk, new rows, {shared.indexed} records, "
          f"{workers} processes; 1 process: {alone.rate:.0f}; CKAN one by one: {one_by_one:.0f} on "
          f"{min(ckan_sample, len(ids))}; {shared.rate / one_by_one:.2f}x)")
    print(f"rebuild_unchanged_records_per_s_at_{size}: {unchanged.rate:.0f} ({workers} processes, rows as they "
          f"were: nothing written; {unchanged.rate / shared.rate:.2f}x new rows)")


def take_out(ids):
    """``ids`` with their index rows deleted (and the kept facet counts with them), so that indexing them again
    writes new rows."""
    index = search.index_for(model.Package)
    for package_id in ids:
        index.delete_package({"id": package_id})
    model.Session.commit()
    return ids


def print_figures(size, action, floor):
    timings = [ms for _, ms in action]
    target = [ms for number, ms in action if number in TARGET_CLASS]
    print(f"search_p50_ms_at_{size}: {statistics.median(timings):.1f}")
    print(f"search_p95_ms_at_{size}: {percentile(timings, 95):.1f}")
    print(f"filters_and_all_facets_p95_ms_at_{size}: {percentile(target, 95):.1f}")
    print(f"engine_floor_p95_ms_at_{size}: {percentile(floor, 95):.1f}")
    ms, params = slowest(action)
    shown = {k: v for k, v in params.items() if k != "facet.field"}
    print(f"slowest_query_ms_at_{size}: {ms:.1f} {shown}{' +all facets' if 'facet.field' in params else ''}")


def slowest(action):
    """(ms, params) of the query of the mix whose slowest run is the slowest."""
    worst_runs = [max(ms for n, ms in action if n == number) for number in range(len(MIX))]
    worst = worst_runs.index(max(worst_runs))
    return worst_runs[worst], MIX[worst]


def print_comparison(results, small_size, big_size, plan):
    """The figures of the big catalog against the small one and against the engine floor."""
    small = [ms for _, ms in results[small_size][0]]
    big = [ms for _, ms in results[big_size][0]]
    big_floor = results[big_size][1]
    print(f"p95_ratio_{big_size}_vs_{small_size}: {percentile(big, 95) / percentile(small, 95):.2f}x")
    small_target = [ms for n, ms in results[small_size][0] if n in TARGET_CLASS]
    big_target = [ms for n, ms in results[big_size][0] if n in TARGET_CLASS]
    print(f"filters_and_all_facets_p95_ratio_{big_size}_vs_{small_size}: "
          f"{percentile(big_target, 95) / percentile(small_target, 95):.2f}x")
    print(f"action_p95_vs_engine_floor_p95_at_{big_size}: {percentile(big, 95) / percentile(big_floor, 95):.2f}x")
    small_broad, big_broad = results[small_size][2], results[big_size][2]
    print(f"broad_text_p95_ratio_{big_size}_vs_{small_size}: "
          f"{percentile(big_broad, 95) / percentile(small_broad, 95):.2f}x")
    print(f"selective_query_seq_scan_on_index: {'yes' if 'Seq Scan on citizendata_search_index' in plan else 'no'}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild-sample", type=int, default=5000,
                        help="records the bulk rebuild re-indexes (0: none)")
    parser.add_argument("--ckan-sample", type=int, default=300, help="records CKAN's one-by-one rebuild re-indexes")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    flask_app = ckan_site.flask_app(args.config)
    with flask_app.test_request_context():
        results = {}
        for size in (args.small, args.n):
            results[size] = measure(size, args.repeat)
            if args.rebuild_sample:
                measure_rebuild(size, args.rebuild_sample, args.ckan_sample)
        plan = explain_selective()
    print_comparison(results, args.small, args.n, plan)


if __name__ == "__main__":
    main()
