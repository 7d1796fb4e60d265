"""``ckan citizendata ...`` commands.

Example::

    ckan -c ckan.ini citizendata vocab load
"""
from __future__ import annotations

import json
import os
import time

import click
from ckan.plugins import toolkit

from ckanext.citizendata import config as cd_config
from ckanext.citizendata import demo
from ckanext.citizendata.assessment import demo as assessment_demo
from ckanext.citizendata.assessment import mqa
from ckanext.citizendata.ingest import bulk, bulkload, files
from ckanext.citizendata.ingest.harvest import jobs, source_sync, sources
from ckanext.citizendata.logic import harvest as harvesting
from ckanext.citizendata.logic import quality as scoring
from ckanext.citizendata.logic import reindex
from ckanext.citizendata.rdf.shacl_cli import shacl_report
from ckanext.citizendata.vocab import registry


@click.group(short_help="ckanext-citizendata commands")
def citizendata():
    """Citizen-data catalog: vocabularies, records."""


@citizendata.group()
def vocab():
    """The vocabulary registry."""


@vocab.command("load")
@click.option("--dir", "directory", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of SKOS Turtle files (default: the packaged vocabularies/)")
@click.option("--force", is_flag=True, help="Reload schemes whose files did not change")
def vocab_load(directory, force):
    """Validate and load every scheme file; nothing is loaded if one file is invalid."""
    try:
        reports = registry.load_directory(directory, force=force)
    except registry.VocabularyError as err:
        _refuse(f"Invalid scheme file {err.scheme}:", err.problems)
    for report in reports:
        click.echo(f"{report.scheme:28} {report.concepts:6} concepts  {report.status}")
    loaded = sum(r.status == "loaded" for r in reports)
    click.secho(f"{len(reports)} schemes, {loaded} (re)loaded", fg="green")


@vocab.command("list")
def vocab_list():
    """The schemes in the registry."""
    for scheme in registry.list_schemes():
        click.echo(f"{scheme['id']:28} {scheme['version']:8} {scheme['sdmx_agency']}:{scheme['sdmx_id']:20} "
                   f"{scheme['concept_count']:6}  {scheme['title'].get('en', '')}")


def _refuse(heading: str, problems: list[str]) -> None:
    """Say what is wrong, one problem a line, and exit 1."""
    click.secho(heading, fg="red", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    raise click.exceptions.Exit(1)


def _print_errors(errors: dict, indent: str = "    ") -> None:
    for field, messages in sorted(errors.items()):
        for message in messages if isinstance(messages, list) else [messages]:
            text = message if isinstance(message, str) else repr(message)
            click.echo(f"{indent}{text if text.startswith(field) else f'{field}: {text}'}", err=True)


@citizendata.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", help="Organization the records would belong to (when the file does not say)")
def validate_file(path, org):
    """Check every record of a JSON, JSON Lines or CSV file; write nothing. Exit 1 if any is invalid."""
    invalid = total = 0
    try:
        for number, record in files.read_records(path):
            total += 1
            errors = bulk.check(record, org)
            label = record.get("name") or record.get("title") or ""
            if errors:
                invalid += 1
                click.secho(f"record {number} {label}: INVALID", fg="red", err=True)
                _print_errors(errors)
            else:
                click.echo(f"record {number} {label}: ok")
    except files.FileError as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"{total} records, {total - invalid} valid, {invalid} invalid")
    if invalid:
        raise click.exceptions.Exit(1)


@citizendata.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", required=True, help="Organization (name or id) that publishes the records")
def import_file(path, org):
    """Create (or update, by name) every valid record of a file; each record is all or nothing."""
    try:
        records = list(files.read_records(path))
    except files.FileError as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(2)
    outcomes = {"created": 0, "updated": 0, "failed": 0}
    failures = []
    with click.progressbar(records, label="Importing", file=click.get_text_stream("stderr")) as bar:
        for number, record in bar:
            try:
                outcomes[bulk.save(record, org)] += 1
            except toolkit.ValidationError as err:
                outcomes["failed"] += 1
                failures.append((number, record.get("name", ""), err.error_dict))
    for number, name, errors in failures:
        click.secho(f"record {number} {name}: not imported", fg="red", err=True)
        _print_errors(errors)
    click.echo(f"{len(records)} records: {outcomes['created']} created, {outcomes['updated']} updated, "
               f"{outcomes['failed']} failed")
    if outcomes["failed"]:
        raise click.exceptions.Exit(1)


@citizendata.command("seed-demo")
@click.option("--update", is_flag=True, help="Also overwrite demo records that exist already")
def seed_demo(update):
    """Load the demo organizations and records; existing records are kept unless --update."""

    with open(os.path.join(os.path.dirname(demo.__file__), "records.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    for org in data["organizations"]:
        bulk.ensure_organization(org)
    outcomes = {"created": 0, "updated": 0, "kept": 0}
    for record in data["records"]:
        if not update and bulk.exists(record["name"]):
            outcomes["kept"] += 1
            continue
        try:
            outcomes[bulk.save(record)] += 1
        except toolkit.ValidationError as err:
            click.secho(f"demo record {record['name']} is invalid:", fg="red", err=True)
            _print_errors(err.error_dict)
            raise click.exceptions.Exit(1)
    click.echo(f"demo: {len(data['organizations'])} organizations; records: {outcomes['created']} created, "
               f"{outcomes['updated']} updated, {outcomes['kept']} kept")
    bulk.ensure_organization(assessment_demo.data()["organization"])
    assessments = assessment_demo.load()
    click.echo(f"demo assessments by {assessments['organization']}: {assessments['created']} created, "
               f"{assessments['kept']} kept")
    scored = mqa.recompute(scoring.record_ids(unscored=True))
    click.echo(f"quality scores: {scored} records never scored before were scored")


@citizendata.command("generate")
@click.argument("count", type=click.IntRange(min=1))
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same records")
@click.option("--org", default=None, help="Publish all under this organization (default: 5 synthetic ones)")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
def generate_records(count, seed, org, batch_size):
    """Create COUNT valid, varied synthetic records fast (bulk path), e.g. for benchmarks."""
    try:
        with click.progressbar(length=count, label="Generating", file=click.get_text_stream("stderr")) as bar:
            report = bulkload.generate(count, seed=seed, org=org, batch_size=batch_size, progress=bar.update)
    except bulkload.GenerateError as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{report.created} created, {report.kept} kept, {report.seconds:.1f} s, "
               f"{report.rate:.0f} records/s")


citizendata.add_command(shacl_report)


@citizendata.command("reindex")
@click.option("--org", default=None, help="Only the records of this organization (name or id)")
@click.option("--batch-size", type=click.IntRange(min=1), default=reindex.BATCH_SIZE, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes sharing the batches  [default: ckanext.citizendata.search.rebuild_workers]")
@click.option("--clear", is_flag=True,
              help="Empty the whole index first; its text index is then built once, at the end (not with --org)")
def reindex_records(org, batch_size, workers, clear):
    """Rebuild the search index rows of every record (or one organization's) in batches."""
    if clear and org:
        click.secho("--clear empties the whole index: it cannot be used with --org", fg="red", err=True)
        raise click.exceptions.Exit(2)
    try:
        ids = reindex.ids_to_index(org)
    except toolkit.ObjectNotFound as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(1)
    started = time.perf_counter()   # with the text index built at the end of a --clear
    with reindex.refilled(clear), click.progressbar(length=len(ids), label="Indexing",
                                                    file=click.get_text_stream("stderr")) as bar:
        report = reindex.rebuild(ids, batch_size=batch_size, progress=bar.update,
                                 workers=workers or cd_config.rebuild_workers())
    seconds = time.perf_counter() - started
    click.echo(f"{report.indexed} indexed, {len(report.failed)} failed, {seconds:.1f} s, "
               f"{report.indexed / seconds:.0f} records/s")
    for package_id, reason in report.failed:
        click.secho(f"  {package_id}: {reason}", fg="red", err=True)
    if report.failed:
        raise click.exceptions.Exit(1)


# ---------------------------------------------------------------- harvesting
@citizendata.group()
def harvest():
    """Partner sources: sync their YAML files, run them, see how they went."""


@harvest.group("sources")
def harvest_sources():
    """The source files (one YAML per partner source)."""


@harvest_sources.command("sync")
@click.option("--dir", "directory", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of source files (default: ckanext.citizendata.harvest.sources_dir, else harvesters/)")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing")
def harvest_sources_sync(directory, dry_run):
    """Create, update and deactivate harvest sources to match the source files. Exit 1 if a file is invalid."""
    try:
        report = source_sync.sync(directory, dry_run=dry_run)
    except sources.SourceFileError as err:
        _refuse("Invalid source files:", err.problems)
    for label, names in (("created", report.created), ("updated", report.updated),
                         ("unchanged", report.unchanged), ("deactivated", report.deactivated)):
        click.echo(f"{label:12} {', '.join(names) if names else '-'}")


@harvest.command("run")
@click.argument("source")
@click.option("--full", is_flag=True, help="List everything (records gone upstream are withdrawn), not only changes")
def harvest_run(source, full):
    """Harvest SOURCE (name or id) now, in this process. Exit 1 when the job failed, 2 when SOURCE is no source of
    ours that can run (unknown, a secret not set)."""
    try:
        summary = harvesting.run_source(source, full=full, progress=_progress)
        click.echo("", err=True)
    except jobs.Busy as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(1)
    except (harvesting.UnknownSource, sources.SourceFileError) as err:   # no such source; settings unusable
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(2)
    _print_summary(summary)
    if summary.status != "Finished":
        raise click.exceptions.Exit(1)


def _progress(stage: str, done: int, total) -> None:
    """One line on stderr, redrawn: the records read so far, then a bar of the records imported."""
    if total:
        filled = int(30 * done / total)
        line = f"{stage}: [{'#' * filled}{' ' * (30 - filled)}] {done}/{total}"
    else:
        line = f"{stage}: {done} records read"
    click.echo(f"\r{line:60}", nl=False, err=True)


def _print_summary(summary) -> None:
    colour = "green" if summary.status == "Finished" else "red"
    click.secho(f"{summary.source}: {summary.line()}" if summary.source else summary.line(), fg=colour)
    for reason in summary.reasons:
        click.echo(f"  - {reason}")
    click.echo(f"job {summary.job_id}; peak memory {harvesting.peak_memory_mb():.0f} MB")


@harvest.command("status")
def harvest_status():
    """Every source with its last job: status, counts, when."""
    for line in harvesting.status_lines():
        click.echo(line)


@harvest.command("demo")
@click.option("--port", type=int, default=8765, show_default=True,
              help="Port on 127.0.0.1 where the recorded partner responses are served")
def harvest_demo(port):
    """Harvest the demo sources (harvesters/demo/) from their recorded responses, served on 127.0.0.1: no
    internet needed (their organization comes with seed-demo). Exit 1 when a job failed."""
    try:
        summaries = harvesting.run_demo(port)
    except sources.SourceFileError as err:
        _refuse("The demo sources cannot be synced (run `ckan citizendata seed-demo` first?):", err.problems)
    except OSError as err:   # the port is taken
        click.secho(f"cannot serve the recorded responses on 127.0.0.1:{port}: {err.strerror or err}", fg="red",
                    err=True)
        raise click.exceptions.Exit(1)
    for summary in summaries:
        _print_summary(summary)
    if any(summary.status != "Finished" for summary in summaries):
        raise click.exceptions.Exit(1)


# ---------------------------------------------------------------- the metadata-quality score
@citizendata.group()
def quality():
    """The metadata-quality score (data.europa.eu's MQA method) of every record."""


@quality.command("recompute")
@click.option("--org", default=None, help="Only the records of this organization (name or id)")
@click.option("--check-urls", is_flag=True,
              help="Also check the addresses not checked lately, and each record's DCAT-AP conformance, here")
def quality_recompute(org, check_urls):
    """Recompute and store the score of every record (of ORG) from the stored checks. Exit 2 when ORG is no
    organization."""
    try:
        ids = scoring.record_ids(org)
    except toolkit.ObjectNotFound as err:
        click.secho(str(err), fg="red", err=True)
        raise click.exceptions.Exit(2)
    label = "Checking and scoring" if check_urls else "Scoring"
    with click.progressbar(length=len(ids), label=label, file=click.get_text_stream("stderr")) as bar:
        if check_urls:
            done = scoring.check_records(ids, progress=bar.update)
        else:
            done = scoring.mqa.recompute(ids, progress=bar.update)
    click.echo(f"{done} records scored")


def get_commands():
    return [citizendata]

