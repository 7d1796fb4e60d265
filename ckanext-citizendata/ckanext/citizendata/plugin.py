"""Wiring only: each hook hands off to the module that does the work."""
from __future__ import annotations

import ckan.plugins as p
from ckan.lib.plugins import DefaultTranslation
from ckan.plugins import toolkit

from ckanext.citizendata import cli, logic, translations, views, web
from ckanext.citizendata.assessment import index as assessment_index
from ckanext.citizendata.assessment import recognition
from ckanext.citizendata.logic import harvest, quality, reindex
from ckanext.citizendata.rdf import endpoints as rdf_endpoints
from ckanext.citizendata.rdf import profile as rdf_profile
from ckanext.citizendata.record import hooks
from ckanext.citizendata.search import facets, limits, seam
from ckanext.citizendata.web import reset, search_page


@toolkit.blanket.config_declarations
class CitizenDataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation)  # i18n/<lang>/LC_MESSAGES/ckanext-citizendata.mo (translations.py)
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IBlueprint)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.INotifier, inherit=True)

    # IConfigurer: runs before CKAN's start-up search check, so the search seam is in place for it
    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "citizendata")
        seam.install(bulk_rebuild=reindex.ckan_rebuild)
        rdf_profile.enable_by_default(config)
        rdf_endpoints.install()

    # ITranslation: our languages (not every folder of i18n/: drafts/ is none)
    def i18n_locales(self):
        return list(translations.LANGUAGES)

    # IMiddleware: our guards on CKAN's Flask app
    def make_middleware(self, app, config):
        return web.install(app)

    # INotifier: the password-reset mail, sent without telling whether the account exists
    def notify_about_topic(self, already_notified, topic, details=None):
        return reset.notify_about_topic(already_notified, topic, details)

    def get_commands(self):
        return cli.get_commands()

    def get_blueprint(self):
        return views.get_blueprints()

    def get_actions(self):
        return logic.registered()["actions"]

    def get_auth_functions(self):
        return logic.registered()["auth"]

    def get_helpers(self):
        return logic.registered()["helpers"]

    def get_validators(self):
        return logic.registered()["validators"]

    # IPackageController
    def after_dataset_show(self, context, pkg_dict):
        hooks.after_dataset_show(context, pkg_dict)
        recognition.after_dataset_show(pkg_dict)
        harvest.after_dataset_show(pkg_dict)

    def before_dataset_index(self, pkg_dict):
        return quality.index_band(
            assessment_index.index_fields(recognition.before_dataset_index(hooks.before_dataset_index(pkg_dict))))

    def after_dataset_create(self, context, pkg_dict):
        quality.after_dataset_change(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        hooks.after_dataset_update(context, pkg_dict)
        quality.after_dataset_change(context, pkg_dict)

    def before_dataset_search(self, search_params):
        return search_page.before_dataset_search(search_params, limits.check_search_params)

    def after_dataset_search(self, search_results, search_params):
        return quality.label_bands(assessment_index.label_values(facets.label_values(search_results)))

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return quality.with_band_facet(assessment_index.with_facets(
            harvest.with_source_facet(facets.add_facets(facets_dict))))

    def organization_facets(self, facets_dict, organization_type, package_type):
        return quality.with_band_facet(assessment_index.with_facets(
            harvest.with_source_facet(facets.add_facets(facets_dict))))

    def group_facets(self, facets_dict, group_type, package_type):
        return facets.add_facets(facets_dict)
