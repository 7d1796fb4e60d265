"""The ckanext-dcat profile ``citizendata`` (entry point in ``ckan.rdf.profiles``): on top of ``euro_dcat_ap_3``,
it writes and reads every citizen-data field of a record (StatDCAT-AP dimensions and standards, SDG and other
concepts as themes and subjects, engagement as PROV activities, partners as qualified attributions, method,
ethics and recognition in our namespace ``cdt:``, defined in schemas/citizendata-ns.ttl).

Example::

    from ckanext.dcat.processors import RDFParser, RDFSerializer
    turtle = RDFSerializer(profiles=["euro_dcat_ap_3", "citizendata"]).serialize_dataset(pkg_dict, _format="turtle")
    parser = RDFParser(profiles=["euro_dcat_ap_3", "citizendata"])
    parser.parse(turtle, _format="turtle")
    [record] = parser.datasets()          # record["engagement"] == pkg_dict["engagement"], and so on
"""
from __future__ import annotations

from typing import Any, Optional

from ckanext.dcat.profiles.base import RDFProfile
from ckanext.dcat.utils import dataset_uri

from ckanext.citizendata import config as cd_config
from ckanext.citizendata.namespaces import bind_prefixes
from ckanext.citizendata.record import fields, view
from ckanext.citizendata.vocab import registry

from . import catalog_record, conformance, profile_in, profile_out, profile_quality

PROFILE_NAME = "citizendata"
BASE_PROFILE = "euro_dcat_ap_3"


class CitizenDataProfile(RDFProfile):
    """Runs after ``euro_dcat_ap_3`` (name both in ``ckanext.dcat.rdf.profiles``, ours last)."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref) -> None:
        bind_prefixes(self.g)
        writer = profile_out.Writer(self.g, _vocab_base(), label=_label)
        writer.dataset(dataset_ref, dataset_dict)
        profile_quality.Writer(self.g, writer.base, writer.concept).add(dataset_ref, profile_quality.of(dataset_dict))
        catalog_record.add(self.g, dataset_ref, dataset_dict.get(catalog_record.KEY))
        conformance.withhold_series(self.g, dataset_ref, dataset_dict.get(view.WITHHELD) or [])
        conformance.dataset(self.g, dataset_ref)

    def graph_from_catalog(self, catalog_dict: Optional[dict[str, Any]], catalog_ref) -> None:
        bind_prefixes(self.g)
        conformance.catalog(self.g, catalog_ref)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref) -> dict[str, Any]:
        """Our fields into ``dataset_dict``; derived fields are left out (the record recomputes them)."""
        reader = profile_in.Reader(self.g, _vocab_base())
        record = reader.dataset(dataset_ref)
        reader.tidy(dataset_ref, dataset_dict, record)
        catalog_record.tidy(self.g, dataset_ref, dataset_dict)
        for name in [name for name, field in fields.FIELDS.items() if field.derived]:
            record.pop(name, None)
        series = reader.in_series(dataset_ref, dataset_uri({"id": "-"})[:-1])
        if series:
            record["in_series"] = series
        record.update(profile_quality.Reader(self.g, _vocab_base()).read(dataset_ref))
        dataset_dict.update(record)
        return dataset_dict


def _vocab_base() -> str:
    return cd_config.vocab_base_uri()


def _label(scheme: str, notation: str) -> Optional[str]:
    """English label of a concept from the registry (cached per registry revision); None when unknown."""
    text = registry.labels(scheme, "en").get(notation)
    return text if text and text != notation else None


def enable_by_default(config) -> None:
    """IConfigurer.update_config: serve ``euro_dcat_ap_3 citizendata`` unless the operator chose profiles."""
    cd_config.use_dcat_profiles_by_default(config, f"{BASE_PROFILE} {PROFILE_NAME}")
