"""Varied, valid synthetic records for benchmarks and scale tests, deterministic for a seed.

Example::

    maker = RecordMaker(notations, seed=7)          # notations: scheme id -> sorted notations
    record = maker.record(0)                          # {"name": "synthetic-7-000000", ...}
"""
from __future__ import annotations

import random
from typing import Any

import pycountry

TOPICS = ["water access", "public transport", "school attendance", "health services", "waste collection",
          "local budgets", "air quality", "housing conditions", "safety in public spaces", "discrimination",
          "access to justice", "disaster damage", "youth employment", "birth registration", "land rights"]
WORDS = ["community", "volunteers", "households", "residents", "monitoring", "survey", "reports", "mapping",
         "district", "neighbourhood", "services", "participation", "indicator", "quality", "coverage"]


class RecordMaker:
    """Builds record ``i`` of a seeded series; ``notations`` holds the allowed values per scheme."""

    def __init__(self, notations: dict[str, list[str]], seed: int = 0, prefix: str = "synthetic"):
        self.n = notations
        self.seed = seed
        self.prefix = prefix
        self.indicators = [c for c in notations["sdg"] if c.count(".") == 2]
        self.countries = sorted(c.alpha_3 for c in pycountry.countries)

    def _pick(self, rng: random.Random, scheme: str, low: int, high: int, ordered: bool = True) -> list[str]:
        """Between ``low`` and ``high`` distinct values of a scheme (a list of values), never more than it has."""
        values = scheme if isinstance(scheme, list) else self.n[scheme]
        picked = rng.sample(values, rng.randint(min(low, len(values)), min(high, len(values))))
        return sorted(picked) if ordered else picked

    def _engagement(self, rng: random.Random) -> list[dict[str, Any]]:
        stages = self._pick(rng, "engagement-stages", 1, 4, ordered=False)
        return [{"stage": stage, "level": rng.randint(1, 5), "actors": self._pick(rng, "actor-types", 1, 3)}
                for stage in stages]

    def name(self, i: int) -> str:
        return f"{self.prefix}-{self.seed}-{i:06d}"

    def record(self, i: int) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:{i}")
        country = rng.choice(self.countries)
        topic = rng.choice(TOPICS)
        initiative = rng.choice(self.n["initiative-types"])
        record: dict[str, Any] = {
            "name": self.name(i),
            "title": f"{topic.capitalize()} reported by citizens in {pycountry.countries.get(alpha_3=country).name}"
                     f" ({2015 + rng.randint(0, 10)})",
            "notes": " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + ".",
            "initiative_type": initiative,
            "engagement": self._engagement(rng),
            "sdg_indicators": self._pick(rng, self.indicators, 1, 3),
            "population_groups": self._pick(rng, "population-groups", 0, 3),
            "disaggregation": self._pick(rng, "disaggregation", 0, 3),
            "countries": sorted({country} | set(rng.sample(self.countries, rng.randint(0, 1)))),
            "collection_methods": self._pick(rng, "collection-methods", 1, 2),
            "recognition_status": rng.choice(self.n["recognition-status"]),
        }
        if rng.random() < 0.7:
            record["sample_size"] = rng.randint(30, 20000)
            record["probability_sample"] = rng.random() < 0.4
        if rng.random() < 0.6:
            personal = rng.random() < 0.5
            record["ethics"] = {"informed_consent": personal or rng.random() < 0.5, "anonymised": rng.random() < 0.8,
                                "personal_data": personal}
        if rng.random() < 0.5:
            record["partners"] = [{"name": f"Partner {rng.randint(1, 500)}", "role": rng.choice(self.n["partner-roles"]),
                                   "actor_type": rng.choice(self.n["actor-types"])}]
        if rng.random() < 0.5:  # drawn last, so the fields above stay what they were for a seed
            record["unit_measure"] = self._pick(rng, "cl-unit-measure", 1, 2)
        return {k: v for k, v in record.items() if v != []}
