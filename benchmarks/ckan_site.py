"""The CKAN site a benchmark measures, loaded once from an ini file (shared by the scripts of benchmarks/).

Example::

    flask_app = ckan_site.flask_app("bench.ini")
    with flask_app.test_request_context("/"):
        ...   # actions, the database and the index of that site
"""


def flask_app(config: str):
    """CKAN's Flask app for ``config`` (plugins loaded, environment set up), to run code in its request context."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(config))
    return app.apps["flask_app"]._wsgi_app if hasattr(app, "apps") else app._wsgi_app
