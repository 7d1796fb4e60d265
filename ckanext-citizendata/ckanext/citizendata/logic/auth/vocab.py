"""Auth of the vocabulary registry's actions (``action/vocab.py``): the registry is public reference data,
anyone may read it.

Example::

    toolkit.check_access("citizendata_concept_show", {"user": ""}, {})    # True, even for a visitor
"""
from __future__ import annotations

from ckan.plugins import toolkit

from ..registry import AUTH

READS = ("citizendata_vocabulary_list", "citizendata_vocabulary_show", "citizendata_concept_show",
         "citizendata_concept_search")


@toolkit.auth_allow_anonymous_access
def anyone(context, data_dict) -> dict:
    return {"success": True}


AUTH.update({name: anyone for name in READS})
