"""NSO assessments and computed metadata-quality scores: our own tables, never package extras (writing one does
not change a dataset's ``metadata_modified``; ckanext-qa's extras made datasets look changed and loop).

- ``assessment``: one row per assessment of one record by one NSO organization; ``criteria`` and ``rationale`` are
  JSON (a list of criterion answers; ``{"en": "...", "fr": "..."}``); ``judged_version`` is the record's
  ``metadata_modified`` the assessor judged (a later record change makes the assessment stale); ``state`` is
  draft, published, superseded or withdrawn; ``example`` marks assessments made up for the demonstration.
- ``assessment_event``: the append-only log of every transition and exchange (review request, question, answer):
  who, when, from, to. Rows are never updated or deleted, except by a logged sysadmin purge.
- ``quality_score``: one row per record, the MQA-style score computed from the record and the URL checks.
- ``url_check``: the last background check of one URL (HEAD, then GET), shared by every record naming it.

Example::

    select(assessment_table).where(assessment_table.c.package_id == pkg_id,
                                   assessment_table.c.state == "published")
"""
from ckan import model
from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, Table, Text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

assessment_table = Table(
    "citizendata_assessment",
    model.repo.metadata,
    Column("id", Text, primary_key=True),
    Column("package_id", Text, nullable=False),
    Column("organization_id", Text, nullable=False),      # the assessing NSO
    Column("framework", Text, nullable=False),            # notation in assessment-frameworks
    Column("intended_use", Text, nullable=False, default=""),
    Column("intended_indicators", ARRAY(Text), nullable=False, default=list),
    Column("criteria", JSONB, nullable=False, default=list),
    Column("verdict", Text),                              # notation in assessment-verdicts
    Column("rationale", JSONB, nullable=False, default=dict),
    Column("conditions", Text, nullable=False, default=""),
    Column("development_plan_url", Text),
    Column("valid_until", Date),
    Column("state", Text, nullable=False, default="draft"),
    Column("assessor_id", Text, nullable=False),
    Column("approver_id", Text),
    Column("judged_version", DateTime),                   # the record's metadata_modified that was judged
    Column("created", DateTime(timezone=True), nullable=False),
    Column("modified", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    Column("example", Boolean, nullable=False, default=False),
    Index("citizendata_assessment_package", "package_id"),
    Index("citizendata_assessment_organization", "organization_id"),
)

assessment_event_table = Table(
    "citizendata_assessment_event",
    model.repo.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", Text, ForeignKey("citizendata_assessment.id")),  # null for a review request
    Column("package_id", Text, nullable=False),
    Column("kind", Text, nullable=False),                 # transition, review-request, question, answer, purge
    Column("actor_id", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("from_state", Text),
    Column("to_state", Text),
    Column("note", Text, nullable=False, default=""),
    Index("citizendata_assessment_event_package", "package_id"),
    Index("citizendata_assessment_event_assessment", "assessment_id"),
)

quality_score_table = Table(
    "citizendata_quality_score",
    model.repo.metadata,
    Column("package_id", Text, primary_key=True),
    Column("score", Integer, nullable=False),
    Column("max_score", Integer, nullable=False),
    Column("band", Text, nullable=False),                 # excellent, good, sufficient, bad
    Column("dimensions", JSONB, nullable=False),          # [{"dimension", "iri", "earned", "possible"}]
    Column("measurements", JSONB, nullable=False),        # [{"metric", "iri", "dimension", "earned", "possible",
                                                          #   "value", "hint", "field"}]
    Column("record_modified", DateTime),                  # the record's metadata_modified that was scored
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

url_check_table = Table(
    "citizendata_url_check",
    model.repo.metadata,
    Column("url", Text, primary_key=True),
    Column("ok", Boolean),                                # null: not checked yet
    Column("status", Integer),                            # HTTP status of the last answer, null on no answer
    Column("method", Text),                               # HEAD or GET
    Column("final_url", Text),                            # after redirects
    Column("error", Text),                                # plain words, never a library message
    Column("checked_at", DateTime(timezone=True)),
)
