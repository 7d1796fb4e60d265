#!/usr/bin/env python
"""Recomputing the metadata-quality score of every record, without URL checks, against the 200 records/s target.

    .venv/bin/python benchmarks/quality.py --config bench-quality.ini [--n 2000]

Builds N generated records with the bulk path (seed 1414; the bulk path runs no write hooks, so they start
unscored) in the configured database (use a database of its own), then recomputes every record's score as
``ckan citizendata quality recompute`` does (read from the index in batches, scored, stored in one upsert per
batch): first with every band new (so every record is reindexed), then again with nothing changed (no band
changes, no reindexing), and the pure scoring alone. Prints one line per figure, each rate with its ratio to the
target.
"""
import argparse
import time

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

SEED = 1414
TARGET = 200   # records/s (issue 14)


def timed_recompute(flask_app, ids):
    from ckan import model
    from ckanext.citizendata.assessment import mqa
    with flask_app.test_request_context("/"):
        started = time.perf_counter()
        done = mqa.recompute(ids)
        seconds = time.perf_counter() - started
    model.Session.remove()
    return done, seconds


def pure_scoring(flask_app, ids):
    """Records/s of ``mqa.score`` alone (records read first, not timed)."""
    from ckanext.citizendata.assessment import mqa
    with flask_app.test_request_context("/"):
        records = [record for record, _ in mqa.read_records(ids)]
        checks = mqa.stored_checks(u for r in records for u in mqa.record_urls(r))
        started = time.perf_counter()
        for record in records:
            mqa.score(record, checks)
        return len(records) / (time.perf_counter() - started)


def line(name, done, seconds):
    rate = done / seconds
    print(f"{name}_records_per_s: {rate:.0f} ({done} records in {seconds:.1f} s; "
          f"ratio to the {TARGET}/s target: {rate / TARGET:.2f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()

    flask_app = ckan_site.flask_app(args.config)
    import sqlalchemy as sa
    from ckan import model
    from ckanext.citizendata.ingest import bulkload
    from ckanext.citizendata.logic import quality
    from ckanext.citizendata.model.assessment import quality_score_table
    with flask_app.test_request_context("/"):
        report = bulkload.generate(args.n, seed=SEED, batch_size=1000)
        ids = quality.record_ids()
        model.Session.execute(sa.delete(quality_score_table))   # every band new: the worst case
        model.Session.commit()
    print(f"records_built: {report.created} new records ({len(ids)} records scored)")
    line("recompute_all_bands_new", *timed_recompute(flask_app, ids))
    line("recompute_unchanged", *timed_recompute(flask_app, ids))
    rate = pure_scoring(flask_app, ids)
    print(f"score_only_records_per_s: {rate:.0f} (ratio to the {TARGET}/s target: {rate / TARGET:.2f}x)")


if __name__ == "__main__":
    main()
