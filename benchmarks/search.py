#!/usr/bin/env python
"""Search at scale: a fixed query mix through package_search at 10k and at N records, side by side with the
backend's own SQL for the same queries (the engine floor).

    .venv/bin/python benchmarks/search.py --config bench.ini [--n 100000] [--small 10000] [--repeat 3]

Builds the catalog with the bulk path (`ckan citizendata generate`, seed 4242) in the configured database:
use a database of its own. Prints one line per figure.
"""
import argparse
import statistics
import time

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
]
SEED = 4242


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_mix(repeat):
    """(action timings ms, captured SQL per query) for the mix, as an anonymous visitor of /dataset."""
    from sqlalchemy import event
    from ckan import model
    from ckan.plugins import toolkit
    action, captured = [], []
    engine = model.meta.engine
    for params in MIX:
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if "citizendata_search_index" in statement and not statement.lstrip().startswith(("SAVEPOINT", "RELEASE")):
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        toolkit.get_action("package_search")({"user": "", "ignore_auth": False}, dict(params, rows=params.get("rows", 20)))
        event.remove(engine, "before_cursor_execute", capture)
        captured.append(statements)
        for _ in range(repeat):
            started = time.perf_counter()
            toolkit.get_action("package_search")({"user": "", "ignore_auth": False},
                                                 dict(params, rows=params.get("rows", 20)))
            action.append((time.perf_counter() - started) * 1000)
            model.Session.remove()
    return action, captured


def engine_floor(captured, repeat):
    from ckan import model
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
        raw.rollback()
    finally:
        raw.close()
    return timings


def explain_selective():
    """EXPLAIN of the filter a facet click sends: no sequential scan of the index table."""
    from sqlalchemy import text
    from ckan import model
    plan = model.Session.execute(text(
        "EXPLAIN SELECT count(*) FROM citizendata_search_index WHERE fields @> :f AND permission_labels && :labels"),
        {"f": '{"countries": ["KEN"], "initiative_type": ["social-audit"]}', "labels": ["public"]}).scalars().all()
    return "\n".join(plan)


def ensure(count):
    from ckanext.citizendata.record import bulkload
    report = bulkload.generate(count, seed=SEED, batch_size=1000)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.config))
    flask_app = app.apps["flask_app"]._wsgi_app if hasattr(app, "apps") else app._wsgi_app
    results = {}
    with flask_app.test_request_context():
        for size in (args.small, args.n):
            report = ensure(size)
            print(f"catalog_{size}_built: {report.created} new records at {report.rate:.0f} records/s")
            run_mix(1)  # warm caches
            action, captured = run_mix(args.repeat)
            floor = engine_floor(captured, args.repeat)
            results[size] = (action, floor)
            print(f"search_p50_ms_at_{size}: {statistics.median(action):.1f}")
            print(f"search_p95_ms_at_{size}: {percentile(action, 95):.1f}")
            print(f"engine_floor_p95_ms_at_{size}: {percentile(floor, 95):.1f}")
        plan = explain_selective()
    small_p95 = percentile(results[args.small][0], 95)
    big_action, big_floor = results[args.n]
    print(f"p95_ratio_{args.n}_vs_{args.small}: {percentile(big_action, 95) / small_p95:.2f}x")
    print(f"action_p95_vs_engine_floor_p95_at_{args.n}: {percentile(big_action, 95) / percentile(big_floor, 95):.2f}x")
    print(f"selective_query_seq_scan_on_index: {'yes' if 'Seq Scan on citizendata_search_index' in plan else 'no'}")


if __name__ == "__main__":
    main()
