"""Registry schemes as SDMX artefacts: every scheme is a code list ``CL_<sdmxId>``; our own schemes
(agency CITIZENDATA) are also concept schemes ``CS_<sdmxId>``. The messages are written by sdmx_io.

Example::

    schemes = all_schemes("codelist")            # without items, to select from
    writer.write_structure(with_items(rest.select(schemes, "CITIZENDATA", "CL_ENGAGEMENT_LEVEL", "~")), "xml")
"""
from __future__ import annotations

import dataclasses

from ckanext.citizendata.vocab import registry

from .structures import Item, Scheme, sdmx_id

OWN_AGENCY = "CITIZENDATA"
PREFIX = {"codelist": "CL_", "conceptscheme": "CS_"}


def all_schemes(resource: str) -> list[Scheme]:
    out = []
    for row in registry.list_schemes():
        if resource == "conceptscheme" and row["sdmx_agency"] != OWN_AGENCY:
            continue
        out.append(Scheme(agency=row["sdmx_agency"], id=PREFIX[resource] + row["sdmx_id"], version=row["version"],
                          names=row["title"], descriptions=row["description"], items=[], kind=resource))
    return out


def _registry_id(scheme: Scheme) -> str:
    bare = scheme.id[len(PREFIX[scheme.kind]):]
    for row in registry.list_schemes():
        if (row["sdmx_agency"], row["sdmx_id"], row["version"]) == (scheme.agency, bare, scheme.version):
            return row["id"]
    raise KeyError(scheme.id)


def with_items(schemes: list[Scheme]) -> list[Scheme]:
    filled = []
    for scheme in schemes:
        # concept ids must start with a letter in SDMX; code ids need not
        ncname = scheme.kind == "conceptscheme"
        items = [Item(id=sdmx_id(c["notation"], ncname=ncname), names=c["pref_labels"],
                      descriptions=c["definitions"], notation=c["notation"],
                      parent=sdmx_id(c["broader"][0], ncname=ncname) if c["broader"] else None)
                 for c in registry.concepts(_registry_id(scheme))]
        filled.append(dataclasses.replace(scheme, items=items))
    return filled
