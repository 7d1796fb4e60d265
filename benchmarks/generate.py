#!/usr/bin/env python
"""Bulk record generation vs CKAN's package_create, side by side in one run.

    .venv/bin/python benchmarks/generate.py [--config ckan.ini] [--n 2000] [--compare 100]

Writes N + compare records into the configured site (names synthetic-<seed>-* and bench-create-*), so point it
at a development or benchmark database. Prints one line per figure.
"""
import argparse
import time

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--n", type=int, default=2000, help="records through the bulk path")
    parser.add_argument("--compare", type=int, default=100, help="records through package_create")
    args = parser.parse_args()

    flask_app = ckan_site.flask_app(args.config)
    with flask_app.test_request_context():
        from ckanext.citizendata.ingest import bulk, bulkload
        from ckanext.citizendata.ingest.synthetic import RecordMaker
        seed = int(time.time())
        report = bulkload.generate(args.n, seed=seed)
        maker = RecordMaker(bulkload._notations(), seed=seed + 1, prefix="bench-create")
        started = time.perf_counter()
        for i in range(args.compare):
            bulk.save(maker.record(i), "synthetic-publisher-1")
        normal_rate = args.compare / (time.perf_counter() - started)
    print(f"generate_bulk_records_per_s: {report.rate:.0f}")
    print(f"package_create_records_per_s: {normal_rate:.0f}")
    print(f"generate_speedup_vs_package_create: {report.rate / normal_rate:.1f}x")


if __name__ == "__main__":
    main()
