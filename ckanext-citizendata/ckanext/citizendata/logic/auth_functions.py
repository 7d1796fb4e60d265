"""Auth functions. The vocabulary registry is public reference data: anyone may read it."""
from ckan.plugins import toolkit

from . import register_auth


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_vocabulary_list(context, data_dict):
    return {"success": True}


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_vocabulary_show(context, data_dict):
    return {"success": True}


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_concept_show(context, data_dict):
    return {"success": True}


@register_auth
@toolkit.auth_allow_anonymous_access
def citizendata_concept_search(context, data_dict):
    return {"success": True}


@register_auth
def citizendata_vocabulary_load(context, data_dict):
    # sysadmins only (CKAN lets sysadmins through before calling this)
    return {"success": False, "msg": "Only sysadmins may load vocabularies"}
