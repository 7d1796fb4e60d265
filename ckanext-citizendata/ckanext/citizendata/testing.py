"""Pytest fixtures of ckanext-citizendata, shipped as a pytest plugin (``pytest_plugins`` in conftest).

CKAN's first ``clean_db`` of a session drops every table, plugin tables included, and recreates only the
core ones; our ``clean_db`` then re-applies the migrations of the plugins the tests load (activity, harvest,
citizendata), so our tables come from our migrations, never from hand-written DDL.

Example::

    @pytest.mark.usefixtures("clean_db")
    def test_something():
        factories.Dataset()
"""
from __future__ import annotations

import socket

import factory
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories

import ckanext.citizendata.model  # noqa: F401  (our tables join CKAN's metadata before any reset)
from ckanext.citizendata.model import quality_score_table, scheme_table
from ckanext.citizendata.vocab import registry

# plugins whose migrations the tests need, in order
MIGRATED_PLUGINS = ("activity", "harvest", "citizendata")


def ensure_plugin_tables(migrate_db_for) -> None:
    """Apply plugin migrations when their alembic version table is gone (dropped by CKAN's first reset)."""
    inspector = sa.inspect(model.meta.engine)
    for plugin in MIGRATED_PLUGINS:
        if not inspector.has_table(f"{plugin}_alembic_version"):
            migrate_db_for(plugin)


_vocabularies_synced = False


def ensure_vocabularies() -> None:
    """Bring the registry in line with the packaged files: fully (hash-checked) once per test session, then
    only when it is empty. Its tables are not emptied by CKAN's per-test reset, only dropped by the first one."""
    global _vocabularies_synced
    empty = not model.Session.execute(sa.select(sa.func.count()).select_from(scheme_table)).scalar()
    if empty or not _vocabularies_synced:
        registry.load_directory()
        _vocabularies_synced = True


@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, with the plugins loaded, their tables migrated back and the vocabularies loaded."""
    reset_db()
    ensure_plugin_tables(migrate_db_for)
    ensure_vocabularies()


MINIMAL_ENGAGEMENT = [{"stage": "design", "level": 4, "actors": ["community", "cso"]}]


class CitizenDataset(factories.Dataset):
    """A dataset with the least a publisher must give: DCAT-AP mandatory fields, an initiative type and
    one engagement entry."""

    notes = factory.Faker("sentence")
    initiative_type = "community-survey"
    engagement = factory.LazyFunction(lambda: [dict(e) for e in MINIMAL_ENGAGEMENT])


@pytest.fixture
def sysadmin_env():
    """A sysadmin and the environ that makes the test app act as them (API token)."""
    user = factories.SysadminWithToken()
    return user, {"Authorization": user["token"]}


def forget_score(package_id: str) -> None:
    """Drop a record's stored quality score, as for a record the bulk path loaded (it runs no write hook)."""
    model.Session.execute(sa.delete(quality_score_table).where(quality_score_table.c.package_id == package_id))


def put_score(**row) -> None:
    """Store ``row`` as a record's quality score in place of the one the write hook computed (logic/quality.py),
    for tests of what reads scores: ``put_score(package_id=pkg["id"], score=150, max_score=405, band="sufficient",
    dimensions=[...], measurements=[...], computed_at=now)``."""
    forget_score(row["package_id"])
    model.Session.execute(quality_score_table.insert().values(**row))


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now, for a local server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
