"""The JSON Schema is the source of truth and the scheming YAML must agree with it. The JSON-LD context
(schemas/context.jsonld) is the readable face of what the DCAT profile writes (issue 5: /catalog.jsonld and
/dataset/<name>.jsonld are compacted with it), so it must agree with the profile: every record field reaches RDF
through predicates that have a term, every predicate and class the profile writes on a rich record has a term whose
typing fits the values written, every term maps into a namespace we or our libraries define, and its ``cdt:``
terms are exactly those of schemas/citizendata-ns.ttl. Compaction itself: tests/rdf/test_jsonld_context.py."""
import importlib.resources
import json
import os

import pytest
import rdflib
import yaml
from pyld import jsonld
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS

from ckanext.citizendata import namespaces
from ckanext.citizendata.rdf import profile_terms

from ckanext.citizendata.record import derive, fields, inherit
from ckanext.citizendata.record.schema import FIELDS, READ_ONLY, SCHEMA, schema_path

from ..rdf.test_jsonld_context import CORE
from ..rdf.test_profile_quality import QUALITY
from ..rdf.test_profile_records import RICH_RECORD, as_shown, processor, registry_db  # noqa: F401

SCHEMAS = os.path.dirname(schema_path())
DCAT_CORE = {"title", "name", "notes", "tag_string", "owner_org", "license_id", "contact", "publisher", "url",
             "issued", "modified", "identifier", "frequency", "temporal_coverage", "access_rights", "theme",
             "language", "conforms_to", "in_series"}


@pytest.fixture(scope="module")
def scheming():
    with open(os.path.join(SCHEMAS, "dataset.yaml"), encoding="utf-8") as handle:
        return {f["field_name"]: f for f in yaml.safe_load(handle)["dataset_fields"]}


@pytest.fixture(scope="module")
def presets():
    with open(os.path.join(SCHEMAS, "presets.yaml"), encoding="utf-8") as handle:
        return {p["preset_name"]: p["values"] for p in yaml.safe_load(handle)["presets"]}


@pytest.fixture(scope="module")
def context():
    with open(os.path.join(SCHEMAS, "context.jsonld"), encoding="utf-8") as handle:
        return json.load(handle)["@context"]


@pytest.fixture(scope="module")
def terms(context):
    """Term -> (full IRI, full datatype IRI or "@id" or None, its definition), as pyld reads the context;
    prefixes and keyword aliases left out."""
    found = {}
    for key, value in context.items():
        if key.startswith("@") or value in ("@id", "@type") or key in _prefixes(context):
            continue
        definition = value if isinstance(value, dict) else {"@id": value}
        probe = jsonld.expand({"@context": context, "@id": "http://example.org/s", key: "http://example.org/v"})[0]
        [(iri, [expanded])] = [(k, v) for k, v in probe.items() if not k.startswith("@")]
        found[key] = (iri, "@id" if "@id" in expanded else expanded.get("@type"), definition)
    return found


def test_scheming_has_exactly_the_schema_fields_beside_dcat_core(scheming):
    assert set(scheming) - DCAT_CORE == set(FIELDS)


def test_subfields_agree(scheming):
    for name in ("engagement", "partners"):
        schema_items = set(SCHEMA["properties"][name]["items"]["properties"])
        assert {sf["field_name"] for sf in scheming[name]["repeating_subfields"]} == schema_items, name


def _scheming_fields(scheming, presets):
    """Every scheming field and subfield with its preset's values filled in."""
    for field in scheming.values():
        for item in [field, *field.get("repeating_subfields", [])]:
            yield {**presets.get(item.get("preset"), {}), **item}


def test_vocabularies_are_stated_only_in_the_json_schema(scheming, presets):
    """The form's choices come from the field table: a scheming field names no vocabulary, and every field
    with concept choices has one in the JSON Schema (so its choices are not empty)."""
    seen = set()
    for field in _scheming_fields(scheming, presets):
        assert "vocabulary" not in field and "vocabulary_filter" not in field, field["field_name"]
        if field.get("choices_helper") == "citizendata_vocab_choices":
            assert fields.leaf_vocabulary(field["field_name"]), field["field_name"]
            seen.add(field["field_name"])
    stated = {name for name, scheme in fields.LEAF_VOCABULARIES.items() if scheme}
    derived = {name for name, field in fields.FIELDS.items() if field.derived}
    assert stated - derived == seen


def test_every_field_has_an_index_rule_a_facet_decision_and_a_dcat_mapping():
    for name, prop in [*SCHEMA["properties"].items(), *SCHEMA["x-index-fields"].items()]:
        assert prop.get("x-index") in fields.INDEX_RULES, name
        assert "x-facet" in prop, name
    assert profile_terms.mapped_fields() == set(SCHEMA["properties"])
    assert set(derive.INDEX_DERIVATIONS) == set(SCHEMA["x-index-fields"])
    for name, field in fields.INDEX_FIELDS.items():
        sources = field.derived_from if isinstance(field.derived_from, list) else [field.derived_from]
        assert sources and set(sources) <= set(SCHEMA["properties"]), name


def test_the_dcat_term_table_reads_schemes_from_the_field_table():
    for term in profile_terms.CONCEPT_FIELDS:
        assert term.scheme == fields.FIELDS[term.name].vocabulary is not None, term.name
        assert term.derived == bool(SCHEMA["properties"][term.name].get("readOnly")), term.name
    assert profile_terms.CONCEPT_FIELDS[0].takes("16.6.2") and not profile_terms.CONCEPT_FIELDS[0].takes("16.6")


def test_facets_are_the_field_tables_in_its_order():
    shown = [f.name for f in fields.facets()]
    assert shown[:3] == ["initiative_type", "engagement_stage", "engagement_level_max"]
    orders = [SCHEMA["properties"].get(n, SCHEMA["x-index-fields"].get(n))["x-facet"]["order"] for n in shown]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_required_agree(scheming):
    for name in FIELDS:
        assert bool(scheming[name].get("required")) == (name in SCHEMA["required"]), name


def test_derived_fields_take_no_input(scheming, presets):
    for name in READ_ONLY:
        values = presets[scheming[name]["preset"]]
        assert values["form_snippet"] is None and "citizendata_derived" in values["validators"], name
    for name in set(FIELDS) - READ_ONLY:
        preset = presets.get(scheming[name].get("preset"), {})
        assert "citizendata_derived" not in (preset.get("validators") or scheming[name].get("validators", "")), name


def test_initiative_schema_is_the_initiative_level_subset(scheming):
    with open(os.path.join(SCHEMAS, "initiative.yaml"), encoding="utf-8") as handle:
        initiative = yaml.safe_load(handle)
    assert initiative["dataset_type"] == "dataset_series"
    fields = {f["field_name"]: f for f in initiative["dataset_fields"]}
    inherited = {name for name, prop in SCHEMA["properties"].items() if prop.get("x-inherited")}
    assert inherited | READ_ONLY <= set(fields)
    settings = {inherit.OPEN_MEMBERSHIP}   # the catalog's membership rule (logic/membership.py), not the record's
    assert settings <= set(fields) and not settings & set(scheming)
    assert set(fields) - DCAT_CORE - settings <= set(FIELDS)
    form_only = {"help_text", "form_snippet", "section_snippet", "section_title", "section_help", "error_snippet"}
    for name, field in fields.items():
        if name in settings:
            continue
        ours = {k: v for k, v in field.items() if k not in form_only}
        assert ours == {k: v for k, v in scheming[name].items() if k not in form_only}, name  # as in dataset.yaml
    assert initiative["after_validators"] == "citizendata_record citizendata_recognition"   # as in dataset.yaml


# ---------------------------------------------------------------- the JSON-LD context and the DCAT profile
# predicates on the nodes below the structured fields (profile_out.Writer.engagement / partner)
SUB_NODE_PREDICATES = {
    "engagement": {DCTERMS.type, namespaces.CDT.engagementLevel, namespaces.CDT.actorType, DCTERMS.description},
    "partners": {PROV.agent, DCAT.hadRole, FOAF.name, DCTERMS.type},
}
DATATYPE_TERMS = {"http://www.w3.org/2001/XMLSchema#", str(namespaces.GSP)}  # where term datatypes may come from


def record_field_predicates() -> dict[str, set]:
    found = {name: set(predicates) | SUB_NODE_PREDICATES.get(name, set())
             for name, predicates in profile_terms.STRUCTURED_FIELDS.items()}
    for field in profile_terms.CONCEPT_FIELDS:
        found.setdefault(field.name, set()).add(field.predicate)
    for name, (predicate, _) in profile_terms.LITERAL_FIELDS.items():
        found.setdefault(name, set()).add(predicate)
    return found


def known_namespaces() -> dict[str, str]:
    """prefix -> namespace: ours (namespaces.py) over ckanext-dcat's and rdflib's bundled ones."""
    from ckanext.dcat import processors
    from ckanext.dcat.profiles import base
    found = {prefix: str(ns) for prefix, ns in rdflib.Graph(bind_namespaces="rdflib").namespaces()}
    found.update({prefix: str(ns) for prefix, ns in base.namespaces.items()})
    found["hydra"] = str(processors.HYDRA)
    found.update({name.lower(): str(value) for name, value in vars(namespaces).items()
                  if isinstance(value, rdflib.Namespace)})
    found.update({prefix: str(ns) for prefix, ns in namespaces.PREFIXES.items()})
    return found


def our_terms() -> dict[URIRef, set]:
    """Each class and property schemas/citizendata-ns.ttl defines in our namespace -> its rdf:types and ranges."""
    text = (importlib.resources.files("ckanext.citizendata.schemas") / "citizendata-ns.ttl").read_text("utf-8")
    graph = rdflib.Graph().parse(data=text, format="turtle")
    kinds = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property}
    return {s: set(graph.objects(s, RDF.type)) | set(graph.objects(s, RDFS.range))
            for s in set(graph.subjects(RDF.type, None)) if str(s).startswith(str(namespaces.CDT))
            and set(graph.objects(s, RDF.type)) & kinds}


def test_every_record_field_reaches_rdf_through_predicates_with_terms(terms):
    by_iri = {iri for iri, _, _ in terms.values()}
    predicates = record_field_predicates()
    assert set(predicates) == set(SCHEMA["properties"])
    for name, found in predicates.items():
        assert {str(p) for p in found} <= by_iri, (name, {str(p) for p in found} - by_iri)


def _prefixes(context) -> dict[str, str]:
    return {k: v for k, v in context.items() if isinstance(v, str) and not k.startswith("@")
            and v.endswith(("/", "#"))}


def test_prefixes_are_the_namespaces_we_use(context):
    known = known_namespaces()
    prefixes = _prefixes(context)
    assert prefixes
    for prefix, namespace in prefixes.items():
        assert known.get(prefix) == namespace, prefix  # a prefix of ours means what namespaces.py says
    assert prefixes["stat"] == str(namespaces.STAT) and prefixes["cdt"] == str(namespaces.CDT)


def test_every_term_maps_into_a_known_namespace_and_is_typed_plainly(terms):
    namespaces_known = set(known_namespaces().values())
    for key, (iri, datatype, definition) in terms.items():
        assert any(iri.startswith(ns) and len(iri) > len(ns) for ns in namespaces_known), (key, iri)
        assert set(definition) <= {"@id", "@type", "@container"}, key
        assert definition.get("@container", "@set") == "@set", key
        if datatype not in (None, "@id"):
            assert any(datatype.startswith(ns) for ns in DATATYPE_TERMS), (key, datatype)
    assert len({iri for iri, _, _ in terms.values()}) == len(terms)  # one readable key per IRI


def test_our_terms_are_exactly_those_of_our_vocabulary(terms):
    ours = our_terms()
    mapped = {URIRef(iri): (key, datatype) for key, (iri, datatype, _) in terms.items()
              if iri.startswith(str(namespaces.CDT))}
    assert set(mapped) == set(ours)
    for iri, (key, datatype) in mapped.items():
        kinds = ours[iri]
        if OWL.ObjectProperty in kinds:
            assert datatype == "@id", key
        elif OWL.DatatypeProperty in kinds:
            ranges = {str(k) for k in kinds if str(k).startswith(str(rdflib.XSD))}
            assert datatype in ranges - {str(rdflib.XSD.string)} or (datatype is None and ranges <= {
                str(rdflib.XSD.string)}), key
        else:
            assert datatype is None, key  # a class: a value of "type"


@pytest.fixture(scope="module")
def written(registry_db):
    """The graph the profiles write for the rich record and for a catalog page with Hydra paging."""
    serializer = processor("RDFSerializer")
    serializer.graph_from_catalog({})
    serializer._add_pagination_triples({"count": 12, "items_per_page": 5, "current": "http://x/catalog?page=2",
                                        "first": "http://x/catalog?page=1", "next": "http://x/catalog?page=3",
                                        "previous": "http://x/catalog?page=1", "last": "http://x/catalog?page=3"})
    serializer.graph_from_dataset(as_shown(RICH_RECORD, **CORE, _citizendata_quality=QUALITY))  # assessed, scored
    return serializer.g


def test_every_predicate_and_class_written_has_a_term_that_fits_its_values(terms, written):
    by_iri = {URIRef(iri): (key, datatype) for key, (iri, datatype, _) in terms.items()}
    for predicate in set(written.predicates()) - {RDF.type}:
        assert predicate in by_iri, f"no term for {predicate}"
        key, datatype = by_iri[predicate]
        for value in written.objects(None, predicate):
            if datatype == "@id":
                assert isinstance(value, (URIRef, BNode)), (key, value)
            elif datatype is not None:
                assert isinstance(value, Literal) and str(value.datatype) == datatype, (key, value)
    for cls in set(written.objects(None, RDF.type)):
        assert cls in by_iri and by_iri[cls][1] is None, f"no term for the class {cls}"
    assert {RDF.type} < set(written.predicates())  # the graph is not empty
