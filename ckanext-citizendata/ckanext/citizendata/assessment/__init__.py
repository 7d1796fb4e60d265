"""NSO assessments, the computed metadata-quality score (data.europa.eu MQA method) and their DQV form.

Modules (each with its test module under ``tests/assessment/``):

- ``roles``: who may do what (actor type and jurisdiction of organizations, assessors, approvers, conflicts);
- ``rules``: what an assessment states (schemas/assessment.schema.json), checked in the record's words, and what
  publishing and an official endorsement need;
- ``workflow``: assessments as records of our tables, their states and transitions, staleness, the event log;
- ``index``: the index fields and facets of published assessments (verdict, assessing office, due for review);
- ``demo``: the demonstration's made-up office and its example assessments;
- ``recognition``: a record's ``recognition_status`` derived from published assessments;
- ``mqa``: the score of one record (metrics read from ``metrics.yaml``), bands, storage;
- ``urlcheck``: background URL checks (HEAD then GET) with the harvest's private-address guard;
- ``report``: the publisher's report and the dashboards' figures.

Two dict shapes cross module boundaries (the DCAT profile and the pages read them):

An assessment, as ``citizendata_assessment_show`` returns it::

    {"id": "…", "package_id": "…", "organization": "nso-ghana", "framework": "un-nqaf-2019",
     "intended_use": "…", "intended_indicators": ["16.6.2"],
     "criteria": [{"criterion": "The collection method is documented", "dimension": "methodological-transparency",
                   "mandatory": True, "answer": "yes", "rating": 3, "evidence_url": "https://…", "comment": ""}],
     "verdict": "endorse-complementary", "recognition_status": "complementary-source",
     "rationale": {"en": "…", "fr": "…"}, "conditions": "…", "development_plan_url": None,
     "valid_until": "2027-12-31", "state": "published", "assessor": "ama", "approver": "kofi",
     "judged_version": "2026-11-30T10:00:00.123456", "created": "…", "modified": "…", "published_at": "…",
     "example": True, "stale": False, "stale_reasons": [],
     "history": [{"kind": "transition", "actor": "kofi", "at": "…", "from": "draft", "to": "published",
                  "note": ""}]}

A score, as stored in ``citizendata_quality_score`` and returned by ``citizendata_quality_show``::

    {"package_id": "…", "score": 265, "max_score": 405, "band": "good",
     "dimensions": [{"dimension": "findability", "iri": "https://piveau.eu/ns/voc#findability",
                     "earned": 80, "possible": 100}, …, {"dimension": "citizen-data", …}],
     "measurements": [{"metric": "keywordAvailability", "iri": "https://piveau.eu/ns/voc#keywordAvailability",
                       "dimension": "findability", "earned": 30, "possible": 30, "value": True,
                       "hint": "Add keywords …", "field": "tag_string"}],
     "record_modified": "…", "computed_at": "…"}
"""
