"""ckanext-citizendata: the catalog and standards registry for citizen data (CKAN 2.12 extension).

The code lives in ckanext-citizendata/ckanext/citizendata; the data folders at the repository root
(schemas/, vocabularies/, harvesters/) are mapped in as real subpackages so that a plain
``pip install .`` ships them and scheming can name ``ckanext.citizendata.schemas:<file>``.
"""
from setuptools import find_packages, setup

SRC = "ckanext-citizendata/ckanext/citizendata"
# every package under SRC (a new folder with an __init__.py ships without a list to keep up to date)
CODE = [""] + find_packages(SRC)
DATA_DIRS = {"schemas": "schemas", "vocabularies": "vocabularies", "harvesters": "harvesters"}

packages = ["ckanext.citizendata" + ("." + sub if sub else "") for sub in CODE]
packages += ["ckanext.citizendata." + name for name in DATA_DIRS]

package_dir = {"ckanext.citizendata": SRC}
package_dir.update({"ckanext.citizendata." + name: path for name, path in DATA_DIRS.items()})

DATA_GLOBS = ["*.json", "*.jsonld", "*.yaml", "*.yml", "*.ttl", "*.csv", "*.md", "*.txt", "**/*"]

setup(
    name="ckanext-citizendata",
    version="0.1.0",
    description="CKAN 2.12 catalog and standards registry for citizen data (UN Copenhagen Framework)",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=packages,
    package_dir=package_dir,
    package_data={
        # i18n: the .pot (CKAN reads it for the JavaScript strings), the .po and the compiled .mo files
        "ckanext.citizendata": ["config_declaration.yaml", "templates/**/*", "assets/**/*",
                                "i18n/*.pot", "i18n/*/LC_MESSAGES/*.po", "i18n/*/LC_MESSAGES/*.mo"],
        "ckanext.citizendata.demo": ["*.json"],
        "ckanext.citizendata.assessment": ["metrics.yaml", "mqa_vocabulary/*"],
        "ckanext.citizendata.migration.citizendata": ["alembic.ini", "script.py.mako", "README"],
        **{"ckanext.citizendata." + name: DATA_GLOBS for name in DATA_DIRS},
    },
    include_package_data=False,
    zip_safe=False,
    install_requires=[
        # the exact working set is pinned in requirements/lock.txt
        "ckan>=2.12,<2.13",
        "luqum>=1.0",
        "rdflib>=7",
        "pyld>=2",
        "jsonschema>=4",
        "pyshacl>=0.26",
        "pysdmx[xml,json]>=1.21",
        "sdmx1>=2.28",
        "pycountry>=24",
        "elasticsearch>=8.15,<9",
    ],
    entry_points={
        "ckan.plugins": [
            "citizendata = ckanext.citizendata.plugin:CitizenDataPlugin",
            # the source types as ckanext-harvest harvesters (harvest_plugins.py)
            "citizendata_ckan_harvester = ckanext.citizendata.harvest_plugins:CkanPortalHarvester",
            "citizendata_dcat_harvester = ckanext.citizendata.harvest_plugins:DcatEndpointHarvester",
            "citizendata_sdmx_harvester = ckanext.citizendata.harvest_plugins:SdmxRegistryHarvester",
            "citizendata_ppsr_harvester = ckanext.citizendata.harvest_plugins:PpsrCoreHarvester",
            "citizendata_eucs_harvester = ckanext.citizendata.harvest_plugins:EuCitizenScienceHarvester",
            "citizendata_kobo_harvester = ckanext.citizendata.harvest_plugins:KoboToolboxHarvester",
            "citizendata_odk_harvester = ckanext.citizendata.harvest_plugins:OdkCentralHarvester",
        ],
        # the DCAT profile, applied after euro_dcat_ap_3 (see rdf/profile.py)
        "ckan.rdf.profiles": [
            "citizendata = ckanext.citizendata.rdf.profile:CitizenDataProfile",
        ],
        # search backends, selected by ckanext.citizendata.search.backend
        "ckanext.citizendata.search_backends": [
            "postgres = ckanext.citizendata.search.postgres.backend:PostgresBackend",
            "elasticsearch = ckanext.citizendata.search.elastic:ElasticsearchBackend",
        ],
    },
)
