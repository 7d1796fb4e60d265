"""ingest/harvest/jobs.py: a synchronous run holds its source's advisory lock (a second run is refused, a killed
run's lock goes with its connection, its orphaned job is ended by the next run), idle jobs end Failed, old
objects are pruned, incremental runs start where the last complete listing started, the summary counts what
happened; and the queue mode: ckanext-harvest's own stages (what its Redis consumers call) with our harvester end
the job by themselves, with no ``harvester run`` cron."""
from __future__ import annotations

import datetime
import json
import pathlib
import time

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import jobs as ckan_jobs
from ckan.plugins import toolkit
from ckan.tests import factories
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError, \
    HarvestObjectExtra, HarvestSource

from ckanext.citizendata.ingest.harvest import engine, jobs, provenance, sources
from ckanext.citizendata.ingest.harvest.listing import Page, Sighting, SourceSpec
from ckanext.citizendata.ingest.harvest.replay import Replay

FIXTURES = pathlib.Path(__file__).resolve().parents[3] / "harvesters" / "fixtures" / "ckan"
API = "/ckan/api/3/action/package_search"
HOUR = datetime.timedelta(hours=1)

pytestmark = pytest.mark.usefixtures("clean_db")


# ---------------------------------------------------------------- a source type made of plain lists
def sightings(numbers, **more) -> list[Sighting]:
    return [Sighting(guid=f"https://portal.example/dataset/{n}",
                     record={"title": f"Water points survey {n}", "notes": f"Survey round {n}.", **more},
                     original_uri=f"https://portal.example/dataset/{n}") for n in numbers]


def page(items, failed=None, errors=()) -> Page:
    return Page(url="https://portal.example/page", sightings=list(items), failed=failed, errors=list(errors))


class Listing:
    """A source type whose pages are given by the test; it remembers the ``since`` it was asked for."""

    def __init__(self, *pages):
        self.pages, self.since, self.calls = list(pages), "never asked", 0

    def __call__(self, spec, fetcher, since=None):
        self.since, self.calls = since, self.calls + 1
        yield from self.pages


@pytest.fixture
def org():
    return factories.Organization(name="cso-harvested")


def make_source(name: str = "alpha") -> HarvestSource:
    source = HarvestSource(url=f"https://{name}.example/", title=name.upper(), type="citizendata_ckan", config="{}")
    source.save()
    return source


def spec_of(source, org, **more) -> SourceSpec:
    return SourceSpec(name=source.title.lower(), type="ckan", url=source.url, organization=org["name"], **more)


def run(source, spec, *pages, **options) -> jobs.Summary:
    return jobs.run(source, spec, Listing(*pages), fetcher=object(), **options)


def make_job(source, status="Running", **times) -> HarvestJob:
    job = HarvestJob(source=source, status=status, **times)
    job.save()
    return job


def fresh(row):
    model.Session.refresh(row)
    return row


def gather_messages(job) -> list[str]:
    return [e.message for e in model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job.id)]


def lock_free(source_id: str) -> bool:
    """Whether another database session can take the source's lock now (it gives it back at once)."""
    other = sa.create_engine(model.meta.engine.url, poolclass=sa.pool.NullPool)
    try:
        with other.connect() as connection:
            key = {"k": jobs._lock_key(source_id)}
            got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), key).scalar()
            if got:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), key)
            return bool(got)
    finally:
        other.dispose()


def wait_until_gone(pid: int) -> None:
    """Wait (polling, at most ~20 s) until the server process of a closed database session has ended: its locks
    go only then."""
    for _ in range(400):
        with model.meta.engine.connect() as connection:
            if not connection.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                      {"pid": pid}).scalar():
                return
        time.sleep(0.05)
    raise AssertionError(f"the database session {pid} did not end")


# ---------------------------------------------------------------- the lock of a source
def test_a_second_run_of_a_source_is_refused_while_the_first_holds_its_lock(org):
    source = make_source()
    spec = spec_of(source, org)
    with jobs.source_lock(source.id):
        assert not lock_free(source.id)
        with pytest.raises(jobs.Busy, match=source.id):
            run(source, spec, page(sightings([1])))
        assert model.Session.query(HarvestJob).count() == 0      # the refused run started no job
    assert run(source, spec, page(sightings([1]))).status == "Finished"


def test_the_lock_is_given_back_after_a_run_and_after_a_run_that_raised(org):
    source, other = make_source("alpha"), make_source("beta")
    spec = spec_of(source, org)
    run(source, spec, page(sightings([1])))
    assert lock_free(source.id)

    def broken(spec, fetcher, since=None):
        raise RuntimeError("the source type broke")
        yield  # pragma: no cover

    with pytest.raises(RuntimeError):
        jobs.run(source, spec, broken, fetcher=object())
    model.Session.rollback()
    assert lock_free(source.id)
    with jobs.source_lock(other.id):          # another source's lock does not stop this one
        assert run(source, spec, page(sightings([1]))).status == "Finished"


def test_a_killed_runs_lock_goes_with_its_connection():
    source = make_source()
    killed = sa.create_engine(model.meta.engine.url, poolclass=sa.pool.NullPool)
    connection = killed.connect()
    pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": jobs._lock_key(source.id)})
    with pytest.raises(jobs.Busy):
        with jobs.source_lock(source.id):
            pass
    connection.close()                       # the process died: its database session ends
    killed.dispose()
    wait_until_gone(pid)
    with jobs.source_lock(source.id):
        assert not lock_free(source.id)


def test_an_orphaned_job_is_ended_failed_by_the_next_run_which_completes(org):
    source, other = make_source("alpha"), make_source("beta")
    orphan = make_job(source, "Running", gather_started=jobs.utcnow() - HOUR)
    waiting = make_job(source, "New")
    elsewhere = make_job(other, "Running", gather_started=jobs.utcnow())
    summary = run(source, spec_of(source, org), page(sightings([1, 2])))
    assert (summary.status, summary.added) == ("Finished", 2)
    for ended in (fresh(orphan), fresh(waiting)):
        assert ended.status == "Failed" and ended.finished is not None
        assert any("interrupted" in m for m in gather_messages(ended)), gather_messages(ended)
    assert fresh(elsewhere).status == "Running" and gather_messages(elsewhere) == []
    assert HarvestJob.get(summary.job_id).status == "Finished"


# ---------------------------------------------------------------- jobs that stopped making progress
@pytest.fixture
def idle_jobs():
    source, other = make_source("alpha"), make_source("beta")
    long_ago = jobs.utcnow() - 2 * HOUR
    made = {
        "new, never started": make_job(source, "New", created=long_ago),
        "gathered long ago": make_job(source, "Running", created=long_ago, gather_started=long_ago,
                                      gather_finished=long_ago),
        "importing now": make_job(source, "Running", created=long_ago, gather_started=long_ago,
                                  gather_finished=long_ago),
        "just started": make_job(source, "Running"),
        "finished long ago": make_job(source, "Finished", created=long_ago, gather_finished=long_ago),
        "other source, idle": make_job(other, "Running", created=long_ago),
    }
    HarvestObject(guid="g", job=made["importing now"], source=source, state="COMPLETE",
                  import_finished=jobs.utcnow() - datetime.timedelta(minutes=1)).save()
    return source, made


def test_jobs_idle_longer_than_the_limit_end_failed_and_busy_ones_are_left(idle_jobs):
    source, made = idle_jobs
    ended = jobs.end_stale(source.id, idle_minutes=60)
    assert sorted(ended) == sorted([made["new, never started"].id, made["gathered long ago"].id])
    for name, job in made.items():
        expected = {"new, never started": "Failed", "gathered long ago": "Failed", "importing now": "Running",
                    "just started": "Running", "finished long ago": "Finished", "other source, idle": "Running"}
        assert (name, fresh(job).status) == (name, expected[name])
    reason = gather_messages(made["gathered long ago"])
    assert len(reason) == 1 and "60 minutes without progress" in reason[0]
    assert fresh(made["gathered long ago"]).finished is not None


def test_every_sources_idle_jobs_are_ended_when_no_source_is_named(idle_jobs):
    _source, made = idle_jobs
    assert made["other source, idle"].id in jobs.end_stale(idle_minutes=60)
    assert fresh(made["other source, idle"]).status == "Failed"


@pytest.mark.ckan_config("ckanext.citizendata.harvest.idle_job_minutes", "180")
def test_the_idle_limit_is_configured(idle_jobs):
    source, made = idle_jobs
    assert jobs.end_stale(source.id) == []
    assert fresh(made["new, never started"]).status == "New"


# ---------------------------------------------------------------- pruning old objects
def make_object(job, guid, current=False, with_notes=True) -> HarvestObject:
    obj = HarvestObject(guid=guid, job=job, source=job.source, current=current, state="COMPLETE")
    obj.save()
    if with_notes:
        HarvestObjectError(message=f"error of {guid}", object=obj, stage="Import").save()
        HarvestObjectExtra(key="status", value="note", object=obj).save()
    return obj


@pytest.fixture
def history():
    """Five jobs of a source, oldest first, each with an object that is no longer current; the first job also
    holds a current one. Another source has an old object too."""
    source, other = make_source("alpha"), make_source("beta")
    start = jobs.utcnow() - 10 * HOUR
    made = [make_job(source, "Finished", created=start + n * HOUR) for n in range(5)]
    old = [make_object(job, f"g{n}") for n, job in enumerate(made)]
    current = make_object(made[0], "kept", current=True)
    foreign = make_object(make_job(other, "Finished", created=start - HOUR), "foreign")
    return source, old, current, foreign


def object_ids() -> set[str]:
    return {oid for (oid,) in model.Session.query(HarvestObject.id)}


def test_prune_keeps_current_objects_and_the_last_jobs_and_deletes_the_rest_with_their_notes(history):
    source, old, current, foreign = history
    ids = [o.id for o in old]
    assert jobs.prune(source.id, keep=2) == 3
    assert object_ids() == {ids[3], ids[4], current.id, foreign.id}
    for table in (HarvestObjectError, HarvestObjectExtra):
        left = {oid for (oid,) in model.Session.query(table.harvest_object_id)}
        assert left == {ids[3], ids[4], current.id, foreign.id}
    assert jobs.prune(source.id, keep=2) == 0
    assert model.Session.query(HarvestJob).count() == 6             # jobs (and their reports) stay


@pytest.mark.ckan_config("ckanext.citizendata.harvest.keep_jobs", "4")
def test_prune_keeps_the_configured_number_of_jobs(history):
    source, old, _current, _foreign = history
    assert jobs.prune(source.id) == 1
    assert old[0].id not in object_ids() and old[1].id in object_ids()


@pytest.mark.ckan_config("ckanext.citizendata.harvest.keep_jobs", "1")
def test_a_finished_run_prunes_what_earlier_jobs_wrote_and_is_no_longer_current(org):
    source = make_source()
    spec = spec_of(source, org)
    first = run(source, spec, page(sightings([1, 2])))
    changed = sightings([1, 2])
    changed[0].record["title"] = "Water points survey 1, revised"
    run(source, spec, page(changed))
    left = model.Session.query(HarvestObject.harvest_job_id, HarvestObject.guid).all()
    # job 1's object of record 1 was replaced (pruned); its object of record 2 is still the current one
    assert sorted(left) == sorted([(first.job_id, "https://portal.example/dataset/2"),
                                   (model.Session.query(HarvestJob.id).filter(HarvestJob.id != first.job_id)
                                    .scalar(), "https://portal.example/dataset/1")])


# ---------------------------------------------------------------- incremental runs
def test_the_last_complete_start_ignores_failed_jobs_stopped_listings_and_other_sources():
    source, other = make_source("alpha"), make_source("beta")
    assert jobs.last_complete_start(source.id) is None
    now = jobs.utcnow()
    complete = make_job(source, "Finished", gather_started=now - 4 * HOUR)
    stopped = make_job(source, "Finished", gather_started=now - 3 * HOUR)   # as `harvester run` marks jobs
    HarvestGatherError(message=f"{engine.INCOMPLETE} https://x.example/?page=2: HTTP 500; nothing is withdrawn",
                       job=stopped).save()
    make_job(source, "Failed", gather_started=now - 2 * HOUR)
    make_job(source, "Running", gather_started=now - HOUR)
    make_job(other, "Finished", gather_started=now)
    assert jobs.last_complete_start(source.id) == complete.gather_started
    HarvestGatherError(message="record 7 at https://x.example/ could not be read: no title", job=stopped).save()
    assert jobs.last_complete_start(source.id) == complete.gather_started


def test_a_job_with_a_record_that_failed_is_no_start_for_an_incremental_run(org):
    """A record that failed is read again by the next run: the job it failed in is not a complete one."""
    source = make_source()
    spec = spec_of(source, org)
    clean = run(source, spec, page(sightings([1])))
    items = sightings([1, 2])
    items[1].record["sdg_indicators"] = ["16.6.9"]          # refused by the record's validation
    failed = run(source, spec, page(items), full=True)
    assert failed.errors == 1
    started = model.Session.query(HarvestJob.gather_started).filter(HarvestJob.id == clean.job_id).scalar()
    assert jobs.last_complete_start(source.id) == started


def test_an_incremental_run_asks_for_changes_since_the_last_complete_listing_and_a_full_run_for_all(org):
    source = make_source()
    spec = spec_of(source, org)
    first_listing = Listing(page(sightings([1, 2])))
    first = jobs.run(source, spec, first_listing, fetcher=object())
    assert first_listing.since is None                     # no complete job yet: a full listing
    run(source, spec, page(sightings([1])), page([], failed="HTTP 500"))   # a stopped listing moves nothing
    started = HarvestJob.get(first.job_id).gather_started
    assert jobs.last_complete_start(source.id) == started

    incremental = Listing(page(sightings([2])))
    summary = jobs.run(source, spec, incremental, fetcher=object())
    assert incremental.since == started and summary.withdrawn == 0
    full = Listing(page(sightings([2])))
    jobs.run(source, spec, full, full=True, fetcher=object())
    assert full.since is None
    every_time = Listing(page(sightings([2])))
    jobs.run(source, spec, every_time, incremental=False, fetcher=object())
    assert every_time.since is None


# ---------------------------------------------------------------- what a run reports
def test_the_summary_counts_added_updated_unchanged_withdrawn_and_errors(org):
    source = make_source()
    spec = spec_of(source, org)
    first = run(source, spec, page(sightings(range(1, 6))))
    assert (first.status, first.added, first.updated, first.unchanged, first.withdrawn, first.errors) == \
        ("Finished", 5, 0, 0, 0, 0)
    assert first.line() == "Finished: 5 added, 0 updated, 0 unchanged, 0 withdrawn, 0 errors"
    second = sightings([1, 2, 3, 4, 6])
    second[0].record["title"] = "Water points survey 1, revised"          # updated
    second[3].record["sdg_indicators"] = ["16.6.9"]                       # no such indicator: an error
    summary = run(source, spec, page(second, errors=[("7", "no title")]), full=True)   # 5 gone; 6 new
    assert (summary.added, summary.updated, summary.unchanged, summary.withdrawn, summary.errors) == \
        (1, 1, 2, 1, 2)
    assert summary.status == "Finished" and summary.reasons == []
    assert HarvestJob.get(summary.job_id).status == "Finished"


def test_a_stopped_listing_fails_the_run_with_its_reason_which_is_not_counted_as_an_error(org):
    source = make_source()
    summary = run(source, spec_of(source, org), page(sightings([1])), page([], failed="HTTP 500"))
    assert (summary.status, summary.added, summary.errors) == ("Failed", 1, 0)
    assert len(summary.reasons) == 1 and "HTTP 500" in summary.reasons[0]
    assert HarvestJob.get(summary.job_id).status == "Failed"


def test_after_is_given_the_packages_a_job_wrote_and_is_not_called_when_nothing_changed(org):
    source = make_source()
    spec = spec_of(source, org)
    told = []
    run(source, spec, page(sightings([1, 2])), after=told.append)
    written = {provenance.get(source.id, s.guid).package_id for s in sightings([1, 2])}
    assert [set(ids) for ids in told] == [written]
    run(source, spec, page(sightings([1, 2])), after=told.append)
    assert len(told) == 1


def test_finish_if_done_waits_for_every_object_and_for_the_end_of_gather():
    source = make_source()
    job = make_job(source, "Running", gather_started=jobs.utcnow())
    first, second = make_object(job, "a", with_notes=False), make_object(job, "b", with_notes=False)
    first.state = second.state = "IMPORT"
    first.save()
    assert not jobs.finish_if_done(job, importing=second.id)          # gather is still going
    job.gather_finished = jobs.utcnow()
    job.save()
    assert not jobs.finish_if_done(job, importing=second.id)          # the first is not done yet
    first.state = "COMPLETE"
    first.save()
    assert jobs.finish_if_done(job, importing=second.id)
    assert fresh(job).status == "Finished" and job.finished is not None
    assert not jobs.finish_if_done(job)                               # once


# ---------------------------------------------------------------- the queue mode (ckanext-harvest's stages)
def site_context() -> dict:
    return {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}


def serve_city(server, fail_start=None):
    for start in (0, 2, 4):
        if start == fail_start:
            server.add(API, status=500, body=b"Internal Server Error", content_type="text/html",
                       query={"start": str(start)})
        else:
            server.add(API, body=(FIXTURES / f"city-package_search-start-{start}.json").read_bytes(),
                       content_type="application/json", query={"start": str(start)})


@pytest.fixture
def portal():
    with Replay() as server:
        yield server


@pytest.fixture
def city_source(portal, org):
    """A citizendata_ckan source made as the source files make them (its config from harvest_config)."""
    spec = SourceSpec(name="city-portal", title="City portal", type="ckan", url=portal.url("/ckan"),
                      organization=org["name"], options={"page_size": 2}, file="city-portal.yaml")
    created = toolkit.get_action("harvest_source_create")(site_context(), {
        "name": spec.name, "title": spec.title, "url": spec.url, "source_type": sources.source_type(spec),
        "frequency": "MANUAL", "owner_org": org["id"], "config": json.dumps(sources.harvest_config(spec))})
    return HarvestSource.get(created["id"])


def queued_job(source) -> HarvestJob:
    """A job as ckanext-harvest makes it for its gather consumer (Running, on the gather queue)."""
    created = toolkit.get_action("harvest_job_create")(site_context(), {"source_id": source.id, "run": True})
    job = HarvestJob.get(created["id"])
    assert job.status == "Running"
    return job


def consume(job) -> tuple[list[str], list[str]]:
    """What the gather and fetch consumers do with a job: the object ids, and the job's status after each
    object."""
    harvester = queue.get_harvester(job.source.type)
    ids = queue.gather_stage(harvester, job)
    statuses = []
    for object_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        statuses.append(fresh(HarvestJob.get(job.id)).status)
    return ids, statuses


def queue_mode(test):
    """No retries and no request rate (a 500 fails at once), the queues of this test's Redis database empty."""
    marks = [pytest.mark.ckan_config("ckanext.citizendata.harvest.retries", "0"),
             pytest.mark.ckan_config("ckanext.citizendata.harvest.requests_per_second", "0"),
             pytest.mark.usefixtures("clean_redis")]
    for mark in marks:
        test = mark(test)
    return test


@queue_mode
def test_a_queued_job_ends_by_itself_after_its_last_object_and_a_rerun_ends_from_gather(portal, city_source):
    serve_city(portal)
    job = queued_job(city_source)
    ids, statuses = consume(job)
    assert len(ids) == 5
    assert statuses == ["Running"] * 4 + ["Finished"]                # no `harvester run` needed
    assert fresh(job).finished is not None and gather_messages(job) == []
    reports = [HarvestObject.get(i).report_status for i in ids]
    assert reports == ["added"] * 5
    assert provenance.count(city_source.id) == 5
    row = provenance.get(city_source.id, "0e4c6a8b-1d3f-4b5a-9c7e-2f4a6c8e0b1d")
    shown = toolkit.get_action("package_show")({"ignore_auth": True}, {"id": row.package_id})
    assert shown["title"] == "Resident satisfaction survey 2023"
    assert [(p["source_title"], p["owner"]) for p in shown["harvest_provenance"]] == [("City portal", True)]
    warm = [j for j in ckan_jobs.get_queue().jobs if "harvested records" in j.meta.get("title", "")]
    assert len(warm) == 1 and set(warm[0].args[0]) == {HarvestObject.get(i).package_id for i in ids}

    again = queued_job(city_source)                                  # nothing changed upstream
    assert consume(again) == ([], [])
    assert fresh(again).status == "Finished" and fresh(again).finished is not None
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=again.id).count() == 0


@queue_mode
def test_a_queued_job_whose_listing_fails_ends_failed_with_the_reason(portal, city_source):
    serve_city(portal, fail_start=2)
    job = queued_job(city_source)
    ids, statuses = consume(job)
    assert len(ids) == 2 and statuses == ["Running", "Failed"]
    stopped = [m for m in gather_messages(job) if m.startswith(engine.INCOMPLETE)]
    assert len(stopped) == 1 and "start=2" in stopped[0] and "500" in stopped[0], gather_messages(job)
    assert provenance.count(city_source.id) == 2
    assert jobs.last_complete_start(city_source.id) is None           # the next run lists everything


@queue_mode
def test_a_queued_job_whose_first_page_fails_ends_failed_from_gather(portal, city_source):
    portal.add(API, status=500, body=b"down", content_type="text/plain")
    job = queued_job(city_source)
    assert consume(job) == ([], [])
    assert fresh(job).status == "Failed"
    assert any(m.startswith(engine.INCOMPLETE) for m in gather_messages(job))


@queue_mode
def test_a_queued_job_whose_secret_is_not_set_ends_failed_naming_it(portal, org, monkeypatch):
    monkeypatch.delenv("CITY_PORTAL_TOKEN", raising=False)
    spec = SourceSpec(name="city-portal", title="City portal", type="ckan", url=portal.url("/ckan"),
                      organization=org["name"], secret_names={"api_token": "CITY_PORTAL_TOKEN"}, file="city.yaml")
    created = toolkit.get_action("harvest_source_create")(site_context(), {
        "name": spec.name, "title": spec.title, "url": spec.url, "source_type": sources.source_type(spec),
        "frequency": "MANUAL", "owner_org": org["id"], "config": json.dumps(sources.harvest_config(spec))})
    job = queued_job(HarvestSource.get(created["id"]))
    assert consume(job) == ([], [])                       # the consumer goes on; the job ends with the reason
    assert fresh(job).status == "Failed"
    assert any("CITY_PORTAL_TOKEN" in m for m in gather_messages(job)), gather_messages(job)
    assert portal.log == []


@queue_mode
def test_a_queued_gather_that_breaks_ends_its_job_failed_not_the_consumer(portal, city_source, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug of ours")
    monkeypatch.setattr(engine, "gather", broken)
    job = queued_job(city_source)
    assert consume(job) == ([], [])
    assert fresh(job).status == "Failed"
    assert "the gather stage stopped (RuntimeError); see the log" in gather_messages(job)
