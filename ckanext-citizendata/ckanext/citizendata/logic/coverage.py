"""The SDG coverage dashboard's figures: which SDG indicators have citizen data, from which countries, at which
engagement depth and recognition status, counted from the facets of ONE package_search run as the asker (so a
private record counts only for who may see it). ``figures`` is pure: it takes the facet counts and the labels.

Example::

    found = coverage({"user": "ana"}, goal="16", lang="es")
    found["total"], found["goals"][15]             # 12, {"goal": "16", "label": "...", "indicators": 3, "records": 7}
    found["indicators"][0]                          # {"code": "16.6.2", "label": "...", "records": 4,
                                                    #  "countries": [{"code": "GHA", "label": "Ghana"}]}
    found["engagement"]["stages"][0]["levels"]      # {"1": 0, "2": 1, "3": 0, "4": 2, "5": 1}
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Optional

from ckan.plugins import toolkit

from ckanext.citizendata.text import natural_key
from ckanext.citizendata.vocab import registry

GOALS = tuple(str(number) for number in range(1, 18))
DATASET_TYPE = "dataset"     # the records /dataset/ lists, so that every count matches the search it links to
# facet field -> the concept scheme naming its values (None: values made of two notations)
FACETS = {"sdg_goals": "sdg", "sdg_indicators": "sdg", "countries": "iso-3166-1-alpha-3",
          "recognition_status": "recognition-status", "engagement_stage_level": None,
          "sdg_indicator_country": None}
SCHEMES = ("sdg", "iso-3166-1-alpha-3", "recognition-status", "engagement-stages", "engagement-levels")


class UnknownGoal(ValueError):
    """The goal asked for is not one of the 17 SDGs."""


def checked_goal(value: Optional[str]) -> Optional[str]:
    """``"16"`` for ``"16"`` or ``" 16 "``; ``None`` for no value; :class:`UnknownGoal` for ``"99"`` or ``"abc"``."""
    value = (value or "").strip()
    if not value:
        return None
    if value.lstrip("0") not in GOALS:
        raise UnknownGoal(value)
    return value.lstrip("0")


def search_params(goal: Optional[str]) -> dict[str, Any]:
    """The one package_search behind the dashboard: no rows, every value of the facets it counts."""
    fq = f"+dataset_type:{DATASET_TYPE}"
    if goal:
        fq += f' +sdg_goals:"{goal}"'
    return {"q": "*:*", "fq": fq, "rows": 0, "include_private": True, "facet": "true",
            "facet.field": list(FACETS), "facet.limit": -1, "facet.mincount": 1}


def facet_counts(search_facets: dict[str, Any]) -> dict[str, dict[str, int]]:
    """package_search's ``search_facets`` as ``{field: {value: count}}`` for the dashboard's fields."""
    return {field: {str(item["name"]): int(item["count"])
                    for item in (search_facets.get(field) or {}).get("items", [])} for field in FACETS}


def _pairs(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """``{"16.6.2 GHA": 3}`` -> ``[("16.6.2", "GHA", 3)]`` (values that are not a pair are left out)."""
    found = []
    for value, count in counts.items():
        first, _, second = value.partition(" ")
        if first and second:
            found.append((first, second, count))
    return found


def _indicators(counts: dict[str, dict[str, int]], labels: dict[str, dict[str, str]],
                goal: Optional[str]) -> list[dict[str, Any]]:
    countries: dict[str, list[str]] = defaultdict(list)
    for indicator, country, _count in _pairs(counts["sdg_indicator_country"]):
        countries[indicator].append(country)
    names = labels["iso-3166-1-alpha-3"]
    codes = [code for code in counts["sdg_indicators"] if not goal or code.split(".")[0] == goal]
    return [{"code": code, "label": labels["sdg"].get(code, code), "records": counts["sdg_indicators"][code],
             "countries": sorted(({"code": c, "label": names.get(c, c)} for c in countries[code]),
                                 key=lambda item: item["label"])}
            for code in sorted(codes, key=natural_key)]


def _goals(counts: dict[str, dict[str, int]], labels: dict[str, dict[str, str]],
           indicators: list[dict[str, Any]], goal: Optional[str]) -> list[dict[str, Any]]:
    covered: dict[str, int] = defaultdict(int)
    for item in indicators:
        covered[item["code"].split(".")[0]] += 1
    return [{"goal": number, "label": labels["sdg"].get(number, number), "indicators": covered[number],
             "records": counts["sdg_goals"].get(number, 0)}
            for number in GOALS if not goal or number == goal]


def _engagement(counts: dict[str, int], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    levels = list(labels["engagement-levels"])
    table = {stage: dict.fromkeys(levels, 0) for stage in labels["engagement-stages"]}
    for stage, level, count in _pairs(counts):
        if stage in table and level in table[stage]:
            table[stage][level] += count
    return {"levels": [{"level": level, "label": labels["engagement-levels"][level]} for level in levels],
            "stages": [{"stage": stage, "label": labels["engagement-stages"][stage], "levels": found,
                        "records": sum(found.values())} for stage, found in table.items()]}


def figures(total: int, counts: dict[str, dict[str, int]], labels: dict[str, dict[str, str]],
            goal: Optional[str] = None) -> dict[str, Any]:
    """The dashboard's figures from the facet counts (``facet_counts``) and ``labels`` (scheme -> notation ->
    label, the schemes of ``SCHEMES``): ``{"total", "goal", "goals", "goal_names", "indicators", "countries", "engagement",
    "recognition"}``; statuses, stages and levels in their scheme's order, zeros included."""
    indicators = _indicators(counts, labels, goal)
    countries = sorted(({"code": code, "label": labels["iso-3166-1-alpha-3"].get(code, code), "records": n}
                        for code, n in counts["countries"].items()), key=lambda c: (-c["records"], c["label"]))
    recognition = [{"status": status, "label": label, "records": counts["recognition_status"].get(status, 0)}
                   for status, label in labels["recognition-status"].items()]
    return {"total": total, "goal": goal, "goals": _goals(counts, labels, indicators, goal),
            "goal_names": [{"goal": number, "label": labels["sdg"].get(number, number)} for number in GOALS],
            "indicators": indicators, "countries": countries,
            "engagement": _engagement(counts["engagement_stage_level"], labels), "recognition": recognition}


def coverage(context: dict[str, Any], goal: Optional[str] = None, lang: str = "en") -> dict[str, Any]:
    """``figures`` for the records the asker (``context["user"]``) may see, from one package_search."""
    found = toolkit.get_action("package_search")(dict(context), search_params(goal))
    labels = {scheme: registry.labels(scheme, lang) for scheme in SCHEMES}
    return figures(found["count"], facet_counts(found.get("search_facets") or {}), labels, goal)
