#!/usr/bin/env python
"""The site under concurrent load, served as `make run` serves it (scripts/serve.py: gunicorn with workers, the job
worker and the harvest consumers) and, in the same run, by CKAN's development server (`ckan run --threaded`).

    .venv/bin/python benchmarks/load.py [--config bench-load.ini] [--seconds 60] [--clients 20 50] [--writers 5]

Seeds synthetic records when the site has fewer than --records, starts both servers, warms each with --warmup
seconds of load, then runs the probe's mix (40% package_search with random facet filters, 20% /dataset/, 20%
package_show, 10% /catalog.ttl?page=1, 10% /dataset/<id>.ttl) with each number of clients for --seconds per server,
in --rounds alternating slices (the machine's other load falls on both servers alike), then against gunicorn again
with --writers concurrent writers (package_patch of ``notes`` with an API token, each writer on records of its
own). Everything is on 127.0.0.1 and bounded: --seconds per phase, --max-requests per phase, a timeout per request.
Afterwards every written record's final state must equal its last write, and package_search must find that last
value. Prints one line per figure (requests/s, errors, p50 / p95 / p99 ms per endpoint, the throughput ratio).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

import ckan_site  # benchmarks/ckan_site.py (the script's own folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIX = (("package_search", 40), ("dataset_page", 20), ("package_show", 20), ("catalog_ttl", 10), ("dataset_ttl", 10))
TIMEOUT = 60


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0-100) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def quoted(value: str) -> str:
    """A facet value inside a Lucene phrase."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def pick(rng: random.Random, mix=MIX) -> str:
    """An endpoint name drawn with the mix's weights."""
    names, weights = zip(*mix)
    return rng.choices(names, weights=weights)[0]


@dataclass
class Site:
    """What the requests are made of: record names and facet values to filter on."""
    names: list[str]
    facets: dict[str, list[str]]

    def request(self, endpoint: str, rng: random.Random) -> tuple[str, dict]:
        """(path, query parameters) of one request to ``endpoint``."""
        if endpoint == "package_search":
            chosen = rng.sample(sorted(self.facets), k=min(len(self.facets), rng.randint(0, 2)))
            fq = " ".join(f'{f}:"{quoted(rng.choice(self.facets[f]))}"' for f in chosen)
            return "/api/3/action/package_search", {"fq": fq, "rows": 20, "facet.field": json.dumps(sorted(self.facets))}
        name = rng.choice(self.names)
        return {"dataset_page": ("/dataset/", {}), "package_show": ("/api/3/action/package_show", {"id": name}),
                "catalog_ttl": ("/catalog.ttl", {"page": 1}), "dataset_ttl": (f"/dataset/{name}.ttl", {})}[endpoint]


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.timings[endpoint].append(seconds)
            if error:
                self.errors[endpoint] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{endpoint}: {error}")

    def merge(self, other: "Results") -> None:
        for endpoint, values in other.timings.items():
            self.timings[endpoint].extend(values)
        for endpoint, errors in other.errors.items():
            self.errors[endpoint] += errors
        self.samples.extend(other.samples[:max(0, 5 - len(self.samples))])

    def count(self) -> int:
        return sum(len(v) for v in self.timings.values())


def reader(base: str, site: Site, seed: int, stop: threading.Event, results: Results, budget: int) -> None:
    rng, session = random.Random(seed), requests.Session()
    while not stop.is_set() and results.count() < budget:
        endpoint = pick(rng)
        path, params = site.request(endpoint, rng)
        started = time.perf_counter()
        try:
            response = session.get(base + path, params=params, timeout=TIMEOUT)
            error = None if response.status_code == 200 else \
                f"{response.status_code} {path} {params} {response.text[:300]!r}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        results.add(endpoint, time.perf_counter() - started, error)


def writer(base: str, token: str, names: list[str], number: int, stop: threading.Event, results: Results,
           last: dict[str, str]) -> None:
    """package_patch of ``notes`` on the writer's own records; ``last`` keeps each record's last accepted value."""
    rng, session, sequence = random.Random(1000 + number), requests.Session(), 0
    while not stop.is_set() and names:
        name, sequence = rng.choice(names), sequence + 1
        value = f"loadw{number}s{sequence}x"
        started = time.perf_counter()
        try:
            response = session.post(f"{base}/api/3/action/package_patch", json={"id": name, "notes": value},
                                    headers={"Authorization": token}, timeout=TIMEOUT)
            error = None if response.status_code == 200 else f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        if error is None:
            last[name] = value
        results.add("package_patch", time.perf_counter() - started, error)


def run_phase(base: str, site: Site, clients: int, seconds: float, budget: int, writers: int = 0,
              token: str = "") -> tuple[Results, float, dict[str, str]]:
    stop, results, last = threading.Event(), Results(), {}
    threads = [threading.Thread(target=reader, args=(base, site, i, stop, results, budget)) for i in range(clients)]
    for number in range(writers):  # each writer its own records: "the last write" of a record is well defined
        own = site.names[number::writers][:20]
        threads.append(threading.Thread(target=writer, args=(base, token, own, number, stop, results, last)))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT + 5)
    return results, time.perf_counter() - started, last


def report(label: str, results: Results, elapsed: float) -> float:
    """Print the phase's figures; returns its read requests per second."""
    reads = sum(len(v) for k, v in results.timings.items() if k != "package_patch")
    rate = reads / elapsed
    print(f"{label}_requests_per_s: {rate:.1f}")
    print(f"{label}_errors: {sum(results.errors.values())} of {results.count()}")
    for endpoint, values in sorted(results.timings.items()):
        ms = [v * 1000 for v in values]
        print(f"{label}_{endpoint}_ms: p50 {percentile(ms, 50):.0f} p95 {percentile(ms, 95):.0f} "
              f"p99 {percentile(ms, 99):.0f} (n={len(ms)}, errors {results.errors.get(endpoint, 0)})")
    for sample in results.samples:
        print(f"  error sample: {sample}", file=sys.stderr)
    sys.stdout.flush()
    return rate


def check_writes(base: str, last: dict[str, str]) -> tuple[int, int]:
    """(records whose final state is their last write, records package_search finds by that value)."""
    stored = found = 0
    for name, value in sorted(last.items()):
        shown = requests.get(f"{base}/api/3/action/package_show", params={"id": name}, timeout=TIMEOUT).json()
        stored += shown["result"]["notes"] == value
        hits = requests.get(f"{base}/api/3/action/package_search", params={"q": value, "rows": 5},
                            timeout=TIMEOUT).json()["result"]["results"]
        agrees = [h["name"] for h in hits] == [name] and hits[0]["notes"] == value
        found += agrees
        if not agrees:
            print(f"  index disagrees: {name} last write {value!r}, search for it finds "
                  f"{[(h['name'], h['notes']) for h in hits]}", file=sys.stderr)
    return stored, found


# ---------------------------------------------------------------- the site: seeding, token, servers
def prepare(config: str, records: int) -> tuple[str, int]:
    """Seed synthetic records up to ``records`` and return (a sysadmin API token, records in the site)."""
    flask_app = ckan_site.flask_app(config)
    with flask_app.test_request_context():
        from ckan import model
        from ckan.plugins import toolkit
        from ckanext.citizendata.ingest import bulkload
        have = model.Session.query(model.Package).filter_by(state="active", type="dataset").count()
        if have < records:
            bulkload.generate(records - have, seed=int(time.time()))
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
        token = toolkit.get_action("api_token_create")({"user": site_user["name"], "ignore_auth": True},
                                                       {"user": site_user["name"], "name": "load-benchmark"})
        count = model.Session.query(model.Package).filter_by(state="active", type="dataset").count()
    return token["token"], count


def site_of(base: str) -> Site:
    names = requests.get(f"{base}/api/3/action/package_list", params={"limit": 1000}, timeout=TIMEOUT).json()
    fields = ["initiative_type", "sdg_goals", "countries", "population_groups", "organization", "res_format"]
    result = requests.get(f"{base}/api/3/action/package_search",
                          params={"rows": 0, "facet.field": json.dumps(fields), "facet.limit": 30},
                          timeout=TIMEOUT).json()["result"]["search_facets"]
    facets = {f: [item["name"] for item in result[f]["items"]] for f in fields if result.get(f, {}).get("items")}
    return Site(names=[n for n in names["result"] if not n.startswith("bench-")], facets=facets)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, config: str, port: int, workers: int | None) -> subprocess.Popen:
    if kind == "gunicorn":
        command = [sys.executable, str(ROOT / "scripts" / "serve.py"), "--config", config, "--port", str(port)]
        command += ["--workers", str(workers)] if workers else []
    else:
        command = [str(BIN / "ckan"), "-c", config, "run", "--host", "127.0.0.1", "--port", str(port),
                   "--disable-debugger", "--disable-reloader", "--threaded"]
    log = Path(tempfile.gettempdir()) / f"citizendata-load-{kind}-{port}.log"
    print(f"{kind} output in {log}", file=sys.stderr)
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, process_group=0)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=10).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"{kind} did not answer on port {port} within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT if "serve.py" in " ".join(proc.args) else signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def alternated(bases: dict[str, str], site: Site, clients: int, args: argparse.Namespace) -> dict[str, float]:
    """The read mix with ``clients`` clients against each server, in --rounds alternating slices of --seconds (so
    the other load of a shared machine falls on both alike); prints each server's figures, returns its reads/s."""
    totals = {kind: (Results(), 0.0) for kind in bases}
    for round_ in range(args.rounds):
        for kind in (list(bases) if round_ % 2 == 0 else list(bases)[::-1]):
            results, elapsed, _ = run_phase(bases[kind], site, clients, args.seconds / args.rounds,
                                            args.max_requests)
            merged, seconds = totals[kind]
            merged.merge(results)
            totals[kind] = (merged, seconds + elapsed)
    return {kind: report(f"{kind}_{clients}_clients", results, seconds) for kind, (results, seconds) in
            totals.items()}


def with_writers(base: str, site: Site, clients: int, args: argparse.Namespace, token: str) -> None:
    results, elapsed, last = run_phase(base, site, clients, args.seconds, args.max_requests, args.writers, token)
    report(f"gunicorn_{clients}_clients_{args.writers}_writers", results, elapsed)
    stored, found = check_writes(base, last)
    print(f"writes_final_state_is_last_write_{clients}: {stored}/{len(last)}")
    print(f"writes_index_finds_last_value_{clients}: {found}/{len(last)}")


def measure(args: argparse.Namespace, token: str) -> None:
    kinds = ["gunicorn"] + ([] if args.skip_dev_server else ["dev_server"])
    servers = {kind: (start(kind, args.config, port, args.workers), port) for kind, port in
               ((kind, free_port()) for kind in kinds)}
    try:
        bases = {kind: f"http://127.0.0.1:{port}" for kind, (_, port) in servers.items()}
        site = site_of(bases["gunicorn"])
        for base in bases.values():  # every worker warm, not measured
            run_phase(base, site, max(args.clients), args.warmup, args.max_requests)
        for clients in args.clients:
            rates = alternated(bases, site, clients, args)
            if "dev_server" in rates:
                print(f"throughput_ratio_vs_dev_server_{clients}: "
                      f"{rates['gunicorn'] / max(rates['dev_server'], 1e-9):.1f}x")
        for clients in (args.clients if args.writers else []):
            with_writers(bases["gunicorn"], site, clients, args, token)
    finally:
        for proc, _ in servers.values():
            stop_server(proc)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="bench-load.ini")
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4, help="alternating slices of each phase per server")
    parser.add_argument("--warmup", type=float, default=20, help="seconds of unmeasured load before the phases")
    parser.add_argument("--records", type=int, default=500, help="seed synthetic records up to this many")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: as make run)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="bound on the requests of a phase")
    parser.add_argument("--skip-dev-server", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    args.config = str(Path(args.config).resolve())
    token, count = prepare(args.config, args.records)
    print(f"load_records_in_site: {count}")
    measure(args, token)


if __name__ == "__main__":
    main()
