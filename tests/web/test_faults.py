"""Faults of the services the site stands on, on services of the test's own: a private PostgreSQL cluster (initdb into
a temporary folder, its own port) and a private redis-server, never the machine's shared ones. The site is served as
`make run` serves it (scripts/serve.py: gunicorn with two workers) on an ini file pointing to them.

- PostgreSQL restarted under load: every answer is 200 or a clean 503 (JSON on the API, a small page elsewhere,
  no database text), and the same server answers 200 again once PostgreSQL is back.
- Redis down: pages and the API still serve reads; a request that must queue a job answers a clean 503, and once
  Redis is back the job is queued (ckanext-harvest keeps the job it recorded, marked Running: sending it again
  queues it).
- A job worker killed outright mid-job: the job is never lost: RQ's maintenance moves it from the started registry
  to the failed registry (reported), or puts it back on the queue when it has retries left, and it then runs.
"""
import glob
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import flask
import psycopg2
import psycopg2.errors
import pytest
import redis
import requests
import rq
import sqlalchemy.exc
from rq.registry import FailedJobRegistry, StartedJobRegistry

from ckanext.citizendata.testing import free_port
from ckanext.citizendata.web import faults

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
LEAKS = ("psycopg", "sqlalchemy", "OperationalError", "SQLSTATE", "redis.exceptions", "Traceback",
         "Connection refused", "could not connect", "terminating connection")

needs_services = pytest.mark.skipif(not PG_BIN or not shutil.which("redis-server"),
                                    reason="needs PostgreSQL server binaries (/usr/lib/postgresql/*/bin) and "
                                           "redis-server")


# ---------------------------------------------------------------- which failures are "unavailable"
def wrapped(orig: Exception) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError.instance("SELECT 1", {}, orig, psycopg2.Error)


def test_a_refused_connection_or_a_server_shutting_down_is_the_database_unavailable():
    assert faults.kind_of(wrapped(psycopg2.OperationalError("connection refused"))) == "database"
    assert faults.kind_of(wrapped(psycopg2.errors.AdminShutdown("terminating connection"))) == "database"
    assert faults.kind_of(wrapped(psycopg2.errors.CannotConnectNow("starting up"))) == "database"
    assert faults.kind_of(sqlalchemy.exc.DisconnectionError("pool")) == "database"


def test_a_bad_statement_or_a_statement_timeout_is_not():
    assert faults.kind_of(wrapped(psycopg2.errors.QueryCanceled("statement timeout"))) is None
    assert faults.kind_of(wrapped(psycopg2.errors.NumericValueOutOfRange("bigint out of range"))) is None
    assert faults.kind_of(wrapped(psycopg2.errors.UndefinedTable("no such table"))) is None
    assert faults.kind_of(ValueError("x")) is None


def test_redis_refusing_is_the_queue_unavailable_also_when_wrapped():
    assert faults.kind_of(redis.exceptions.ConnectionError("refused")) == "queue"
    try:
        try:
            raise redis.exceptions.TimeoutError("timeout")
        except redis.exceptions.TimeoutError as exc:
            raise RuntimeError("while queueing") from exc
    except RuntimeError as outer:
        assert faults.kind_of(outer) == "queue"


@pytest.mark.parametrize("path, kind", [("/api/3/action/package_list", "database"), ("/dataset/", "queue")])
def test_the_503_names_the_service_and_nothing_else(path, kind):
    with flask.Flask(__name__).test_request_context(path):
        response = faults.unavailable_response(kind)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    body = response.get_data(as_text=True)
    assert faults.MESSAGES[kind] in body
    if path.startswith("/api/"):
        assert json.loads(body) == {"success": False, "error": {"__type": "Service Unavailable",
                                                                "message": faults.MESSAGES[kind]}}




def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, text=True, timeout=120, **kwargs)


class Postgres:
    def __init__(self, folder: pathlib.Path):
        self.folder, self.port, self.bin = folder, free_port(), pathlib.Path(PG_BIN[-1])
        self.data = folder / "data"

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o",
                    f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def sql(self, statement: str) -> None:
        as_postgres(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-qc",
                    statement)


class Redis:
    def __init__(self):
        self.port, self.process = free_port(), None

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                                         "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


def ckan(ini: pathlib.Path, *args: str) -> str:
    return subprocess.run([str(BIN / "ckan"), "-c", str(ini), *args], check=True, capture_output=True, text=True,
                          timeout=300).stdout


@pytest.fixture(scope="module")
def services():
    """A private PostgreSQL cluster with a migrated catalog database, a private redis-server, an ini file for them
    and a sysadmin's API token."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="citizendata-faults-"))
    os.chmod(folder, 0o755)
    pg, cache = Postgres(folder / "pg"), Redis()
    pg.init()
    pg.start()
    cache.start()
    try:
        pg.sql("CREATE ROLE ckan_default LOGIN PASSWORD 'ckan_default'")
        pg.sql("CREATE DATABASE ckan OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0")
        ini = folder / "faults.ini"
        ini.write_text(f"""[app:main]
use = config:{ROOT / 'tests' / 'test.ini'}
sqlalchemy.url = postgresql://ckan_default:ckan_default@127.0.0.1:{pg.port}/ckan
ckan.redis.url = redis://127.0.0.1:{cache.port}/0
ckan.plugins = activity scheming_datasets citizendata dcat harvest ckan_harvester
ckan.storage_path = {folder / 'storage'}
""")
        ckan(ini, "db", "upgrade")
        ckan(ini, "user", "add", "faults-admin", "email=faults@example.org", "password=faults-admin-pass-1")
        ckan(ini, "sysadmin", "add", "faults-admin")
        token = ckan(ini, "user", "token", "add", "faults-admin", "faults").strip().splitlines()[-1].strip()
        yield {"pg": pg, "redis": cache, "ini": ini, "token": token, "folder": folder}
    finally:
        cache.stop()
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def site(services):
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "--config", str(services["ini"]),
                             "--port", str(port), "--workers", "2", "--no-background"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/3/action/status_show", timeout=30).ok:
                break
        except requests.RequestException:
            time.sleep(0.5)
    try:
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


READS = ("/api/3/action/package_list", "/api/3/action/package_search?q=water", "/dataset/",
         "/api/3/action/organization_list")


def assert_clean(response: requests.Response) -> None:
    assert response.status_code in (200, 503), (response.status_code, response.text[:300])
    if response.status_code == 503:
        assert response.headers["Retry-After"] == str(faults.RETRY_AFTER_SECONDS)
        assert [leak for leak in LEAKS if leak.lower() in response.text.lower()] == []
        if "/api/" in response.url:
            assert response.json()["error"]["__type"] == "Service Unavailable"
        else:
            assert "Service unavailable" in response.text


@needs_services
def test_postgres_restarted_under_load_answers_503_then_recovers_without_a_restart(services, site):
    for path in READS:
        assert requests.get(site + path, timeout=30).status_code == 200
    answers, stop = [], threading.Event()

    def load():
        session = requests.Session()
        while not stop.is_set():
            for path in READS:
                try:
                    answers.append(session.get(site + path, timeout=30))
                except requests.RequestException as exc:  # a hung or dropped request is a failure too
                    answers.append(exc)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    services["pg"].stop()
    down_from = len(answers)
    while len(answers) < down_from + 20:  # requests made while PostgreSQL is down
        time.sleep(0.2)
    services["pg"].start()
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join(60)

    assert [a for a in answers if isinstance(a, Exception)] == []
    for answer in answers:
        assert_clean(answer)
    unavailable = [a for a in answers if a.status_code == 503]
    assert unavailable, "no request met the database down"
    assert {a.url.split(site)[1].startswith("/api/") for a in unavailable} == {True, False}  # API and pages
    # the same server (no restart) serves every read again
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(
            requests.get(site + p, timeout=30).status_code == 200 for p in READS):
        time.sleep(0.5)
    for _ in range(3):
        for path in READS:
            assert requests.get(site + path, timeout=30).status_code == 200, path


@needs_services
def test_redis_down_reads_still_served_a_job_refused_cleanly_then_queued_when_it_returns(services, site):
    headers = {"Authorization": services["token"]}
    source = requests.post(f"{site}/api/3/action/harvest_source_create", headers=headers, timeout=60, json={
        "name": "faults-source", "title": "Faults source", "url": "http://127.0.0.1:9/", "source_type": "ckan"})
    assert source.status_code == 200, source.text[:500]
    source_id = source.json()["result"]["id"]
    services["redis"].stop()
    try:
        for path in READS + ("/dataset/faults-source", "/api/3/action/package_show?id=faults-source"):
            assert requests.get(site + path, timeout=30).status_code in (200, 404), path
        for path in READS:
            assert requests.get(site + path, timeout=30).status_code == 200, path
        job = requests.post(f"{site}/api/3/action/harvest_job_create", headers=headers, timeout=60,
                            json={"source_id": source_id})
        assert job.status_code == 503, job.text[:300]
        assert_clean(job)
        assert "job queue" in job.json()["error"]["message"]
    finally:
        services["redis"].start()
    # ckanext-harvest recorded the job (and marked it Running before publishing): it is not in the queue
    [pending] = requests.get(f"{site}/api/3/action/harvest_job_list", headers=headers, timeout=30,
                             params={"source_id": source_id}).json()["result"]
    assert not queued(services["redis"].client(), pending["id"])
    # now Redis is back, the same job is queued (the site was not restarted)
    sent = requests.post(f"{site}/api/3/action/harvest_send_job_to_gather_queue", headers=headers, timeout=60,
                         json={"id": pending["id"]})
    assert sent.status_code == 200, sent.text[:300]
    assert queued(services["redis"].client(), pending["id"])


def queued(client: redis.Redis, job_id: str) -> bool:
    """Whether a list in Redis (ckanext-harvest's gather queue) holds the harvest job."""
    lists = [key for key in client.keys("*") if client.type(key) == b"list"]
    return any(job_id.encode() in item for key in lists for item in client.lrange(key, 0, -1))


def start_worker(ini: pathlib.Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "ckan"), "-c", str(ini), "jobs", "worker", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_until(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.2)


def kill_worker_mid_job(ini: pathlib.Path, job: rq.job.Job) -> None:
    worker = start_worker(ini)
    try:
        wait_until(lambda: job.get_status(refresh=True) == "started")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse, no chance to clean up
        worker.wait()


@needs_services
def test_a_worker_killed_mid_job_never_loses_the_job(services):
    connection = services["redis"].client()
    queue = rq.Queue("ckan:default:default", connection=connection)
    started, failed = StartedJobRegistry(queue=queue), FailedJobRegistry(queue=queue)

    plain = queue.enqueue("time.sleep", 300, job_timeout=600)  # as ckan.lib.jobs.enqueue queues: no retry
    kill_worker_mid_job(services["ini"], plain)
    assert plain.id in started.get_job_ids()  # still known as running: not lost
    # RQ's maintenance (each worker runs it) once the dead worker's heartbeat has lapsed: a timestamp past it
    started.cleanup(timestamp=time.time() + 3600)
    assert plain.id in failed.get_job_ids()
    assert plain.get_status(refresh=True) == "failed"

    retried = queue.enqueue("time.sleep", 2, job_timeout=60, retry=rq.Retry(max=1))
    kill_worker_mid_job(services["ini"], retried)
    started.cleanup(timestamp=time.time() + 3600)
    assert retried.id in queue.get_job_ids()  # back on the queue
    worker = start_worker(services["ini"], "--burst")
    assert worker.wait(timeout=120) == 0
    assert retried.get_status(refresh=True) == "finished"
