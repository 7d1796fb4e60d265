"""The harness of the browser tests, without a browser: what a missing browser does, and the live server's ini."""
from __future__ import annotations

import configparser

import pytest

from . import conftest


def test_a_missing_browser_fails_under_make_test_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(conftest, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="make test installs it"):
        conftest.unavailable("`chromium` is not on PATH")
    monkeypatch.setattr(conftest, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        conftest.unavailable("`chromium` is not on PATH")


def test_the_live_server_ini_points_at_the_test_ini_and_its_own_address(tmp_path):
    base = tmp_path / "base.ini"
    base.write_text("[app:main]\nuse = egg:ckan\n\n[loggers]\nkeys = root\n\n[logger_root]\nlevel = WARN\n"
                    "handlers =\n", encoding="utf-8")
    local = tmp_path / "local.ini"
    local.write_text("[app:main]\nuse = config:base.ini\nsqlalchemy.url = postgresql://x/y\n", encoding="utf-8")
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(conftest.server_ini(str(local), 5999, tmp_path))
    main = ini["app:main"]
    assert main["use"] == f"config:{local.resolve()}"
    assert main["ckan.site_url"] == "http://127.0.0.1:5999" and main["WTF_CSRF_ENABLED"] == "true"
    assert ini["logger_root"]["level"] == "WARN"  # taken from the ini the local one points at
