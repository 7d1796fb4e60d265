"""The WSGI application the production server (gunicorn, started by scripts/serve.py) serves: CKAN's own app for
the ini file named by the environment variable ``CKAN_INI``, built as CKAN's deployment recipe and ``ckan run`` do
(``ckan.cli.load_config`` reads the file, follows ``use = config:...`` and sets up its logging). As ``ckan run``
does, it then builds the JavaScript translations (``/api/i18n/<lang>``, CKAN's and every ITranslation plugin's, ours
included) when a .po file is newer than them.

Example::

    CKAN_INI=ckan.ini .venv/bin/gunicorn --pythonpath scripts --workers 5 wsgi:application
"""
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.lib.i18n import build_js_translations

application = make_app(load_config(os.path.abspath(os.environ["CKAN_INI"])))
build_js_translations()
