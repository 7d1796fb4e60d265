"""The metadata-quality score of a record by data.europa.eu's MQA method (metrics, points and bands read from
``metrics.yaml``), its storage in ``citizendata_quality_score`` and its band in the search index.

``score`` is pure: the record (as ``package_show`` gives it) and the stored URL checks in, the score dict of
``assessment/__init__.py`` out. ``score``/``max_score``/``band`` are the MQA's alone (405 points); our
citizen-data dimension is reported beside them in ``dimensions`` and ``measurements``, never added.
``recompute`` reads records in batches from the search index (one query per batch), scores them, stores every
row in one upsert and reindexes only the records whose band changed (the only value of the score the index holds).
Storing a score never touches the dataset, so its ``metadata_modified`` stays.

Example::

    score({"tags": [{"name": "water"}], "resources": [{"url": "https://x.org/a.csv", "format": "CSV"}]},
          {"https://x.org/a.csv": {"ok": True, ...}})
    # {"score": 150, "max_score": 405, "band": "sufficient", "dimensions": [...], "measurements": [...]}
    recompute(["<package id>"])      # 1 (records scored and stored)
"""
from __future__ import annotations

import contextlib
import datetime
import importlib.resources
import json
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Optional

import sqlalchemy as sa
import yaml
from ckan import logic, model
from ckan.lib import search
from ckan.plugins import toolkit
from sqlalchemy.dialects.postgresql import insert

from ckanext.citizendata import primed
from ckanext.citizendata.model.assessment import quality_score_table, url_check_table
from ckanext.citizendata.search import seam

from . import store

BATCH = 100          # ids per index read: their fq stays under the search limits (fq_chars)
INDEX_FIELD = "quality_band"
COMPLIANCE = "dcatApCompliance"
URL_KEYS = ("url", "access_url", "download_url")
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
SEARCH_FIELDS = "id,validated_data_dict,data_dict"


# ---------------------------------------------------------------- the table
def _expand(value: str, prefixes: dict[str, str]) -> str:
    prefix, _, local = value.partition(":")
    return prefixes[prefix] + local if prefix in prefixes and not local.startswith("//") else value


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """``metrics.yaml`` with full IRIs: ``table()["metrics"][0]["iri"] == "https://piveau.eu/ns/voc#keyword..."``;
    ``formats`` also keyed by each media type (``"text/csv" -> "CSV"``)."""
    text = (importlib.resources.files(__package__) / "metrics.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    prefixes = {"pv": data["pv"], "cdt": data["cdt"]}
    for item in [*data["dimensions"], *data["metrics"]]:
        item["iri"] = _expand(item["iri"], prefixes)
        item.setdefault("mqa", True)
    for metric in data["metrics"]:
        metric["in_dimension"] = _expand(metric.get("in_dimension") or "", prefixes) or None
    data["media_types"] = {m: name for name, f in data["formats"].items() for m in f["media_types"]}
    return data


def dimensions() -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in table()["dimensions"]}


def band(points: int) -> str:
    """The MQA band of a score: ``band(351) == "excellent"``, ``band(350) == "good"``, ``band(120) == "bad"``."""
    return next(b["band"] for b in table()["bands"] if points >= b["from"])


# ---------------------------------------------------------------- rules (the names metrics.yaml uses)
def _given(value: Any) -> bool:
    return value not in (None, "", [], {})


def _present(record: dict, fields: list[str], **_: Any) -> bool:
    return any(_given(record.get(f)) for f in fields)


def _item_has(record: dict, spec: dict, **_: Any) -> bool:
    items = record.get(spec["field"])
    test = all if spec.get("all") else any
    return any(isinstance(i, dict) and test(_given(i.get(k)) for k in spec["keys"])
               for i in (items if isinstance(items, list) else []))


def _stated(record: dict, spec: dict, **_: Any) -> bool:
    holder = record.get(spec["field"]) if spec.get("field") else record
    if not isinstance(holder, dict):
        return False
    test = all if spec.get("all") else any
    return test(holder.get(k) not in (None, "") for k in spec["keys"])


def _prefix(record: dict, spec: dict, **_: Any) -> bool:
    return str(record.get(spec["field"]) or "").startswith(tuple(spec["prefixes"]))


def _all_of(record: dict, rules: list[dict], **context: Any) -> bool:
    return all(_passes(rule, record, **context) for rule in rules)


def _distribution_present(record: dict, keys: list[str], **_: Any) -> bool:
    return any(_given(r.get(k)) for r in _resources(record) for k in keys)


def _distribution_answers(record: dict, keys: list[str], checks: dict, **_: Any) -> bool:
    return any((checks.get(r.get(k)) or {}).get("ok") is True for r in _resources(record) for k in keys)


def format_of(resource: dict) -> Optional[str]:
    """The notation of the EU file-type list a distribution's format or media type names, else None:
    ``format_of({"format": ".csv"}) == "CSV"``, ``format_of({"mimetype": "application/json"}) == "JSON"``."""
    formats, media = table()["formats"], table()["media_types"]
    raw = str(resource.get("format") or "").strip()
    name = raw.rstrip("/").rsplit("/", 1)[-1] if raw.startswith(EU_FILE_TYPE) else raw
    name = name.lstrip(".").upper().replace("-", "_").replace(" ", "_")
    if name in formats:
        return name
    for value in (raw.lower(), str(resource.get("mimetype") or "").strip().lower()):
        if value.split(";")[0].strip() in media:
            return media[value.split(";")[0].strip()]
    return None


def _format_present(resource: dict, *_: Any, **__: Any) -> bool:
    return _given(resource.get("format"))


def _media_type_present(resource: dict, *_: Any, **__: Any) -> bool:
    return _given(resource.get("mimetype"))


def _format_vocabulary(resource: dict, *_: Any, **__: Any) -> bool:
    return format_of(resource) is not None


def _format_flag(resource: dict, flag: str, **_: Any) -> bool:
    name = format_of(resource)
    return bool(name and table()["formats"][name][flag])


def _compliance(record: dict, _value: Any, conforms: Optional[bool] = None, **_: Any) -> bool:
    return conforms is True


RULES: dict[str, Callable[..., bool]] = {
    "present": _present, "item_has": _item_has, "stated": _stated, "prefix": _prefix, "all_of": _all_of,
    "distribution_present": _distribution_present, "distribution_answers": _distribution_answers,
    "format_present": _format_present, "media_type_present": _media_type_present,
    "format_vocabulary": _format_vocabulary, "format_flag": _format_flag, "dcat_ap_compliance": _compliance,
}


def _passes(rule: dict, subject: dict, **context: Any) -> bool:
    [(name, argument)] = rule.items()
    return RULES[name](subject, argument, **context)


def _resources(record: dict) -> list[dict]:
    return [r for r in record.get("resources") or [] if isinstance(r, dict)]


# ---------------------------------------------------------------- the score
def _best_distribution(record: dict, metrics: list[dict]) -> dict:
    """The distribution earning the most of the best-distribution metrics (data.europa.eu's interoperability)."""
    resources = _resources(record)
    if not resources:
        return {}
    return max(resources, key=lambda r: sum(m["points"] for m in metrics if _passes(m["rule"], r)))


def _measurement(metric: dict, passed: bool) -> dict[str, Any]:
    return {"metric": metric["key"], "iri": metric["iri"], "dimension": metric["dimension"],
            "earned": metric["points"] if passed else 0, "possible": metric["points"], "value": passed,
            "hint": metric["hint"], "field": metric.get("field")}


def _measurements(package_dict: dict[str, Any], checks: dict[str, dict[str, Any]],
                  conforms: Optional[bool]) -> list[dict[str, Any]]:
    metrics = table()["metrics"]
    best = _best_distribution(package_dict, [m for m in metrics if m.get("scope") == "best-distribution"])
    found = []
    for metric in metrics:
        per_distribution = metric.get("scope") == "best-distribution"
        subject = best if per_distribution else package_dict
        passed = (bool(best) or not per_distribution) and _passes(metric["rule"], subject, checks=checks,
                                                                   conforms=conforms)
        found.append(_measurement(metric, passed))
    return found


def _dimensions(measurements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dims = []
    for dim in table()["dimensions"]:
        mine = [m for m in measurements if m["dimension"] == dim["key"]]
        dims.append({"dimension": dim["key"], "iri": dim["iri"], "mqa": dim["mqa"],
                     "earned": sum(m["earned"] for m in mine), "possible": sum(m["possible"] for m in mine)})
    return dims


def score(package_dict: dict[str, Any], checks: dict[str, dict[str, Any]],
          conforms: Optional[bool] = None) -> dict[str, Any]:
    """The score dict of a record: ``checks`` are the stored URL checks by URL, ``conforms`` whether its DCAT
    passed the DCAT-AP shapes (None: not checked yet, no points). Pure: no database."""
    measurements = _measurements(package_dict, checks, conforms)
    dims = _dimensions(measurements)
    points = sum(d["earned"] for d in dims if d["mqa"])
    return {"package_id": package_dict.get("id"), "score": points, "max_score": table()["max_score"],
            "band": band(points), "dimensions": dims, "measurements": measurements,
            "record_modified": package_dict.get("metadata_modified"), "computed_at": None}


def record_urls(package_dict: dict[str, Any]) -> list[str]:
    """The addresses of a record's distributions that the score reads (access and download URLs)."""
    found = [r.get(k) for r in _resources(package_dict) for k in URL_KEYS]
    return list(dict.fromkeys(u for u in found if isinstance(u, str) and u.startswith(("http://", "https://"))))


# ---------------------------------------------------------------- storing and recomputing
def stored_checks(urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored URL checks of these addresses, by URL (never checked: absent)."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return {}
    t = url_check_table
    rows = model.Session.execute(sa.select(t).where(t.c.url.in_(urls))).mappings().all()
    return {row["url"]: dict(row) for row in rows}


def _kept_conformance(stored: Optional[dict], record: dict) -> Optional[bool]:
    """The DCAT-AP result of the stored score, when it judged this very version of the record."""
    if not stored or stored.get("record_modified") != record.get("metadata_modified"):
        return None
    found = [m["value"] for m in stored["measurements"] if m["metric"] == COMPLIANCE]
    return found[0] if found else None


def store_scores(scored: list[dict[str, Any]]) -> None:
    """Upsert score rows (one statement)."""
    if not scored:
        return
    now = datetime.datetime.now(datetime.timezone.utc)
    rows = [{"package_id": s["package_id"], "score": s["score"], "max_score": s["max_score"], "band": s["band"],
             "dimensions": s["dimensions"], "measurements": s["measurements"],
             "record_modified": s["record_modified"] or None, "computed_at": now} for s in scored]
    statement = insert(quality_score_table).values(rows)
    model.Session.execute(statement.on_conflict_do_update(
        index_elements=["package_id"], set_={c: statement.excluded[c] for c in rows[0] if c != "package_id"}))


def read_records(package_ids: list[str]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(record as package_show gives it, the dict CKAN indexes) of each package, BATCH at a time from the
    search index; packages not in the index are skipped."""
    for start in range(0, len(package_ids), BATCH):
        ids = package_ids[start:start + BATCH]
        found = toolkit.get_action("package_search")({"ignore_auth": True}, {
            "fq": "id:(" + " OR ".join(f'"{i}"' for i in ids) + ")", "rows": len(ids), "fl": SEARCH_FIELDS,
            "include_private": True, "include_drafts": True})
        for row in found["results"]:
            if row.get("validated_data_dict"):
                yield json.loads(row["validated_data_dict"]), json.loads(row.get("data_dict") or "{}")


def recompute(package_ids: Iterable[str], conformance: Optional[dict[str, bool]] = None,
              records: Optional[list[dict[str, Any]]] = None, reindex: bool = True, commit: bool = True,
              progress: Optional[Callable[[int], None]] = None) -> int:
    """Score these records from their stored URL checks and store the scores; the number stored.
    ``conformance``: DCAT-AP results just computed, by package id (else a stored one of the same version is
    kept); ``records``: the records already shown (the write hook), else read from the index; ``commit`` and
    ``reindex`` (those whose band changed): both off in the write hook, whose own commit and indexing follow."""
    ids = list(dict.fromkeys(package_ids))
    pairs = ((r, None) for r in records) if records is not None else read_records(ids)
    done = 0
    batch: list[tuple[dict, Optional[dict]]] = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) >= BATCH:
            done += _recompute_batch(batch, conformance or {}, reindex, commit)
            batch = []
            if progress:
                progress(BATCH)
    if batch:
        done += _recompute_batch(batch, conformance or {}, reindex, commit)
        if progress:
            progress(len(batch))
    return done


def _recompute_batch(batch: list[tuple[dict, Optional[dict]]], conformance: dict[str, bool], reindex: bool,
                     commit: bool) -> int:
    ids = [record["id"] for record, _ in batch]
    before = store.scores(ids)
    checks = stored_checks(u for record, _ in batch for u in record_urls(record))
    scored = []
    for record, _ in batch:
        conforms = conformance.get(record["id"], _kept_conformance(before.get(record["id"]), record))
        scored.append(score(record, checks, conforms))
    store_scores(scored)
    changed = [pair for s, pair in zip(scored, batch) if (before.get(s["package_id"]) or {}).get("band") != s["band"]]
    if commit:
        model.Session.commit()
    if commit and reindex and changed:
        _reindex(changed)
    return len(scored)


def _reindex(pairs: list[tuple[dict, Optional[dict]]]) -> None:
    """Rebuild the index rows of these records from the two dicts CKAN indexed (no second read of the records;
    a record without them is shown again)."""
    index = search.index_for(model.Package)
    ids = [validated["id"] for validated, _ in pairs]
    # the packages into the session once (CKAN and ckanext-harvest look each up while indexing), the bands known
    loaded = model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all()  # held: the map is weak
    try:
        with primed.batch(prime(ids)), seam.batched_writes() if seam.active() else contextlib.nullcontext():
            for validated, raw in pairs:
                if raw:
                    index.index_package(dict(raw, with_custom_schema=validated), defer_commit=True)
                else:
                    logic.index_update_package({"ignore_auth": True}, validated["id"], defer_commit=True)
    finally:
        del loaded
    index.commit()


def store_bands(package_ids: list[str]) -> dict[str, str]:
    """package id -> its stored band (one query)."""
    q = quality_score_table
    return dict(model.Session.execute(sa.select(q.c.package_id, q.c.band).where(q.c.package_id.in_(package_ids))).all())


# ---------------------------------------------------------------- the search index
BAND = "quality.band"  # the kind of answer a bulk job reads ahead (ckanext.citizendata.primed)


def prime(package_ids: list[str]) -> dict[str, dict]:
    """The stored bands of these packages (None: never scored), for :func:`ckanext.citizendata.primed.batch`."""
    bands = store_bands(package_ids)
    return {BAND: {i: bands.get(i) for i in package_ids}}


def index_band(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """before_dataset_index: the record's stored band as ``quality_band`` (none before its first score)."""
    package_id = pkg_dict.get("id")
    stored = primed.lookup(BAND, package_id, lambda: model.Session.execute(sa.select(quality_score_table.c.band).where(
        quality_score_table.c.package_id == package_id)).scalar())
    if stored:
        pkg_dict[INDEX_FIELD] = stored
    else:
        pkg_dict.pop(INDEX_FIELD, None)
    return pkg_dict
