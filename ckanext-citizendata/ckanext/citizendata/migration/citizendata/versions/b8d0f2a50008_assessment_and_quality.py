"""NSO assessments with their event log, computed quality scores and URL checks.

Revision ID: b8d0f2a50008
Revises: a7c9e1f40007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b8d0f2a50008"
down_revision = "a7c9e1f40007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "citizendata_assessment",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("organization_id", sa.Text, nullable=False),
        sa.Column("framework", sa.Text, nullable=False),
        sa.Column("intended_use", sa.Text, nullable=False, server_default=""),
        sa.Column("intended_indicators", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("criteria", postgresql.JSONB, nullable=False, server_default="[]"),
        sa.Column("verdict", sa.Text),
        sa.Column("rationale", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("conditions", sa.Text, nullable=False, server_default=""),
        sa.Column("development_plan_url", sa.Text),
        sa.Column("valid_until", sa.Date),
        sa.Column("state", sa.Text, nullable=False, server_default="draft"),
        sa.Column("assessor_id", sa.Text, nullable=False),
        sa.Column("approver_id", sa.Text),
        sa.Column("judged_version", sa.DateTime),
        sa.Column("created", TZ, nullable=False),
        sa.Column("modified", TZ, nullable=False),
        sa.Column("published_at", TZ),
        sa.Column("example", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("citizendata_assessment_package", "citizendata_assessment", ["package_id"])
    op.create_index("citizendata_assessment_organization", "citizendata_assessment", ["organization_id"])
    op.create_table(
        "citizendata_assessment_event",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("assessment_id", sa.Text, sa.ForeignKey("citizendata_assessment.id")),
        sa.Column("package_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("citizendata_assessment_event_package", "citizendata_assessment_event", ["package_id"])
    op.create_index("citizendata_assessment_event_assessment", "citizendata_assessment_event", ["assessment_id"])
    op.create_table(
        "citizendata_quality_score",
        sa.Column("package_id", sa.Text, primary_key=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("max_score", sa.Integer, nullable=False),
        sa.Column("band", sa.Text, nullable=False),
        sa.Column("dimensions", postgresql.JSONB, nullable=False),
        sa.Column("measurements", postgresql.JSONB, nullable=False),
        sa.Column("record_modified", sa.DateTime),
        sa.Column("computed_at", TZ, nullable=False),
    )
    op.create_table(
        "citizendata_url_check",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("ok", sa.Boolean),
        sa.Column("status", sa.Integer),
        sa.Column("method", sa.Text),
        sa.Column("final_url", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("checked_at", TZ),
    )


def downgrade():
    op.drop_table("citizendata_url_check")
    op.drop_table("citizendata_quality_score")
    op.drop_table("citizendata_assessment_event")
    op.drop_table("citizendata_assessment")
