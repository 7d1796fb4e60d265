#!/usr/bin/env python
"""DCAT catalog pages from ready fragments (our chained actions) vs stock ckanext-dcat, side by side in one run.

    .venv/bin/python benchmarks/dcat.py --config bench.ini [--n 5000] [--compare-n] [--samples 200]

Builds N generated records with the bulk path (seed 4242) in the configured database (use a database of its
own), then walks every catalog page (``/catalog.<fmt>?page=<p>``, through the actions the endpoints call) in
Turtle, RDF/XML and JSON-LD: ours with the configured profiles and the fragment cache emptied first (cold) and
again (warm), and stock ``euro_dcat_ap_3`` through ckanext-dcat's original action (no cache). Also the single
dataset endpoint (warm) and the peak memory (tracemalloc) of a full warm walk; with ``--compare-n`` the catalog
is grown to 4x N and the walk measured again. Prints one line per figure.
"""
import argparse
import math
import random
import statistics
import time
import tracemalloc

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

SEED = 4242
FORMATS = ("ttl", "xml", "jsonld")


def percentile(values, pct):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def page_count():
    from ckan.plugins import toolkit
    from ckanext.dcat import logic as dcat_logic
    total = dcat_logic._search_ckan_datasets({}, {"page": 1})["count"]
    per_page = int(toolkit.config.get("ckanext.dcat.datasets_per_page", dcat_logic.DATASETS_PER_PAGE))
    return total, max(1, math.ceil(total / per_page))


def walk(flask_app, fmt, stock):
    """Seconds to serve every catalog page of ``fmt``; ``stock``: ckanext-dcat's own action, stock profile."""
    from ckan import model
    from ckan.plugins import toolkit
    from ckanext.dcat import logic as dcat_logic
    total, pages = page_count()
    started = time.perf_counter()
    for page in range(1, pages + 1):
        with flask_app.test_request_context(f"/catalog.{fmt}?page={page}"):
            data_dict = {"page": page, "format": fmt}
            if stock:
                dcat_logic.dcat_catalog_show({"user": ""}, dict(data_dict, profiles=["euro_dcat_ap_3"]))
            else:
                toolkit.get_action("dcat_catalog_show")({"user": ""}, data_dict)
        model.Session.remove()
    return total, time.perf_counter() - started


def empty_cache():
    import sqlalchemy as sa
    from ckan import model
    from ckanext.citizendata.model.rdf_cache import rdf_cache_table
    model.Session.execute(sa.delete(rdf_cache_table))
    model.Session.commit()


def prefill(flask_app, fmt):
    """Fill every dataset's fragment, paging by id (the catalog's own order, newest first, is not stable where
    records share a modification time, so a walk alone may miss some)."""
    from ckan import model
    from ckan.plugins import toolkit
    from ckanext.citizendata.rdf import assemble, cache
    start = 0
    while True:
        with flask_app.test_request_context("/"):
            batch = toolkit.get_action("package_search")({"user": ""}, {
                "q": "*:*", "fq_list": ["-dataset_type:harvest", "-dataset_type:showcase"], "sort": "id asc",
                "rows": 500, "start": start})["results"]
            cache.fragments(batch, assemble.fragment_format(fmt), cache.configured_profiles())
        model.Session.remove()
        if len(batch) < 500:
            return
        start += 500


def built(fmt):
    from ckanext.citizendata.rdf import assemble, cache
    return cache.STATS[f"built_{assemble.fragment_format(fmt)}"]


def dataset_timings(flask_app, samples):
    """Warm single-dataset endpoint timings (ms) for ``samples`` random datasets, Turtle."""
    from ckan import model
    from ckan.plugins import toolkit
    with flask_app.test_request_context("/"):
        ids = toolkit.get_action("package_search")({}, {"rows": 1000, "fl": "id"})["results"]
    ids = [r["id"] if isinstance(r, dict) else r for r in ids]
    chosen = random.Random(SEED).sample(ids, min(samples, len(ids)))
    timings = []
    for attempt in range(2):  # first pass fills, second is measured
        for dataset_id in chosen:
            with flask_app.test_request_context(f"/dataset/{dataset_id}.ttl"):
                started = time.perf_counter()
                toolkit.get_action("dcat_dataset_show")({"user": ""}, {"id": dataset_id, "format": "ttl"})
                if attempt:
                    timings.append((time.perf_counter() - started) * 1000)
            model.Session.remove()
    return timings


def walk_memory(flask_app):
    """Peak traced memory (MB) of a full warm Turtle walk."""
    prefill(flask_app, "ttl")
    before = built("ttl")
    tracemalloc.start()
    walk(flask_app, "ttl", stock=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6, built("ttl") - before


def compare_formats(flask_app):
    for fmt in FORMATS:
        empty_cache()
        count, cold = walk(flask_app, fmt, stock=False)
        prefill(flask_app, fmt)
        before = built(fmt)
        _, warm = walk(flask_app, fmt, stock=False)
        missed = built(fmt) - before
        _, stock = walk(flask_app, fmt, stock=True)
        print(f"catalog_{fmt}_cold_fill_datasets_per_s: {count / cold:.0f}")
        print(f"catalog_{fmt}_warm_datasets_per_s: {count / warm:.0f} ({missed} fragments rebuilt in the walk)")
        print(f"catalog_{fmt}_stock_euro_dcat_ap_3_datasets_per_s: {count / stock:.0f}")
        print(f"catalog_page_speedup_vs_ckanext_dcat_{fmt}: {stock / warm:.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--compare-n", action="store_true", help="also walk at 4x N for the memory ratio")
    parser.add_argument("--samples", type=int, default=200, help="datasets for the single-dataset timings")
    args = parser.parse_args()

    flask_app = ckan_site.flask_app(args.config)
    from ckanext.citizendata.ingest import bulkload
    with flask_app.test_request_context("/"):
        report = bulkload.generate(args.n, seed=SEED, batch_size=1000)
        total, _ = page_count()
    print(f"catalog_built: {report.created} new records ({total} datasets in the catalog)")
    compare_formats(flask_app)
    timings = dataset_timings(flask_app, args.samples)
    print(f"dataset_endpoint_warm_p50_ms: {statistics.median(timings):.1f}")
    print(f"dataset_endpoint_warm_p95_ms: {percentile(timings, 95):.1f}")
    small, missed = walk_memory(flask_app)
    print(f"walk_peak_memory_mb_at_{total}: {small:.1f} ({missed} fragments rebuilt in the walk)")
    if args.compare_n:
        with flask_app.test_request_context("/"):
            bulkload.generate(4 * args.n, seed=SEED, batch_size=1000)
            big_total, _ = page_count()
        big, missed = walk_memory(flask_app)
        print(f"walk_peak_memory_mb_at_{big_total}: {big:.1f} ({missed} fragments rebuilt in the walk)")
        print(f"walk_memory_ratio_{big_total}_vs_{total}: {big / small:.2f}x")


if __name__ == "__main__":
    main()
