#!/usr/bin/env python
"""Recomputing the metadata-quality score of every record, without URL checks, against the 200 records/s target.

    .venv/bin/python benchmarks/quality.py --config bench-quality.ini [--n 2000]

Builds N generated records with the bulk path (seed 1414; the bulk path runs no write hooks, so they start
unscored) in the configured database (use a database of its own), then recomputes every record's score as
``ckan citizendata quality recompute`` does (read from the index in batches, scored, stored in one upsert per
batch): first with every band new (so every record is reindexed), then again with nothing changed (no band
changes, no reindexing), and the pure scoring alone. Prints one line per figure, each rate with its ratio to the
target.

Then the dataset page (``GET /dataset/<name>``, anonymous, warm) of ``--pages`` records: its p95 before and after
each of them receives three published NSO assessments (rows of our tables, by an NSO organization whose
jurisdiction covers the records' countries, so the derived recognition status reads them), against the target of
at most 1.2x.
"""
import argparse
import time

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

SEED = 1414
TARGET = 200   # records/s (issue 14)
PAGE_RATIO_TARGET = 1.2
CRITERIA = [{"criterion": f"Criterion {n}", "dimension": d, "mandatory": True, "answer": "yes", "rating": 3,
             "evidence_url": "https://example.org/evidence", "comment": ""}
            for n, d in enumerate(("relevance", "accuracy-reliability", "timeliness", "coherence-comparability",
                                   "accessibility-clarity", "participation"))]


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


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def page_p95(flask_app, names):
    """p95 (ms) of the dataset pages, each asked twice (the first fills caches, the second is timed)."""
    client = flask_app.test_client()
    timings = []
    for attempt in range(2):
        for name in names:
            started = time.perf_counter()
            response = client.get(f"/dataset/{name}")
            if attempt:
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
    return percentile(timings, 95)


def assess_three_times(flask_app, records):
    """Three published assessments of each record by a made-up NSO whose jurisdiction covers them."""
    import datetime
    import uuid
    from ckan import model
    from ckan.plugins import toolkit
    from ckanext.citizendata.model.assessment import assessment_table
    now = datetime.datetime.now(datetime.timezone.utc)
    with flask_app.test_request_context("/"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
        countries = sorted({c for r in records for c in r.get("countries") or []})
        org = toolkit.get_action("organization_create")(
            {"user": site_user["name"], "ignore_auth": True},
            {"name": "bench-nso", "title": "Benchmark NSO (made up)", "actor_type": "nso",
             "jurisdiction": countries})
        for record in records:
            for n, verdict in enumerate(("not-endorsed", "endorse-experimental", "endorse-complementary")):
                model.Session.execute(assessment_table.insert().values(
                    id=str(uuid.uuid4()), package_id=record["id"], organization_id=org["id"],
                    framework="un-nqaf-2019", intended_use="benchmark", intended_indicators=["16.6.2"],
                    criteria=CRITERIA, verdict=verdict, rationale={"en": "Made up for the benchmark."},
                    development_plan_url="https://example.org/plan", state="published",
                    assessor_id=site_user["id"], approver_id=site_user["id"],
                    judged_version=record["metadata_modified"], created=now, modified=now,
                    published_at=now + datetime.timedelta(seconds=n), example=True))
        model.Session.commit()
    model.Session.remove()


def line(name, done, seconds):
    rate = done / seconds
    print(f"{name}_records_per_s: {rate:.0f} ({done} records in {seconds:.1f} s; "
          f"ratio to the {TARGET}/s target: {rate / TARGET:.2f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=100, help="dataset pages timed with and without assessments")
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
    from ckan.plugins import toolkit
    with flask_app.test_request_context("/"):
        records = toolkit.get_action("package_search")(
            {"ignore_auth": True}, {"rows": args.pages, "fq": "+dataset_type:dataset", "sort": "name asc",
                                    "fl": "id,name,metadata_modified,countries"})["results"]
    names = [r["name"] for r in records]
    before = page_p95(flask_app, names)
    assess_three_times(flask_app, records)
    after = page_p95(flask_app, names)
    print(f"dataset_page_p95_ms_without_assessments: {before:.1f} ({len(names)} pages)")
    print(f"dataset_page_p95_ms_with_three_assessments: {after:.1f} (ratio {after / before:.2f}x; "
          f"target at most {PAGE_RATIO_TARGET}x)")


if __name__ == "__main__":
    main()
