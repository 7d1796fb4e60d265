"""Auth functions. The vocabulary registry is public reference data: anyone may read it."""
from ckan.plugins import toolkit

from . import AUTH

PUBLIC_READS = ("citizendata_vocabulary_list", "citizendata_vocabulary_show", "citizendata_concept_show",
                "citizendata_concept_search", "citizendata_suggest")


@toolkit.auth_allow_anonymous_access
def anyone(context, data_dict):
    return {"success": True}


AUTH.update({name: anyone for name in PUBLIC_READS})

