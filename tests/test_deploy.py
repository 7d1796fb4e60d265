"""deploy/systemd and deploy/nginx, the production example of the README: every unit parses and has the keys systemd
needs, every program it starts exists in this checkout's virtualenv (or on the machine), systemd's own checker
accepts the units when it is installed, gunicorn accepts the web unit's command line and loads the app with it,
and nginx proxies to the address gunicorn binds."""
import configparser
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "scripts"))
import serve  # noqa: E402  (scripts/ is not a package)

ROOT = pathlib.Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
NGINX = ROOT / "deploy" / "nginx" / "citizendata.conf"
PREFIX = "/opt/citizendata"
VENV_BIN = pathlib.Path(sys.executable).parent


def unit(path: pathlib.Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def local(text: str) -> str:
    """A unit's text for this checkout: /opt/citizendata is the repository, its .venv this virtualenv."""
    return text.replace(f"{PREFIX}/.venv/bin", str(VENV_BIN)).replace(PREFIX, str(ROOT))


SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))


def test_the_example_has_the_web_server_the_workers_the_harvest_schedule_and_the_backup():
    names = {p.name for p in SERVICES + TIMERS}
    assert {"citizendata-web.service", "citizendata-jobs.service", "citizendata-harvest-gather.service",
            "citizendata-harvest-fetch.service", "citizendata-harvest-run.service", "citizendata-harvest-run.timer",
            "citizendata-backup.service", "citizendata-backup.timer"} <= names


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_each_service_parses_with_the_keys_systemd_needs_and_programs_that_exist(path):
    parsed = unit(path)
    assert parsed["Unit"]["Description"]
    service = parsed["Service"]
    assert service.get("Type", "simple") in ("simple", "oneshot", "exec", "notify")
    if service.get("Type") != "oneshot":
        assert parsed["Install"]["WantedBy"] == "multi-user.target"
        assert service["Restart"] in ("always", "on-failure")
    for key in ("ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload"):
        if key in service:
            program = local(shlex.split(service[key])[0])
            assert os.access(program, os.X_OK), f"{path.name} {key}: {program} is not an executable"
    command = local(service["ExecStart"])
    if "ckan -c" in command:
        assert shlex.split(command)[2] == str(ROOT / "ckan.ini")  # the config `make run` writes


@pytest.mark.parametrize("path", TIMERS, ids=lambda p: p.name)
def test_each_timer_starts_a_service_of_the_example(path):
    parsed = unit(path)
    assert parsed["Timer"].get("OnCalendar") or parsed["Timer"].get("OnUnitActiveSec")
    assert (UNITS / parsed["Timer"]["Unit"]).exists()
    assert parsed["Install"]["WantedBy"] == "timers.target"


def test_the_scheduled_harvest_is_ckanext_harvests_run_command():
    assert shlex.split(unit(UNITS / "citizendata-harvest-run.service")["Service"]["ExecStart"])[-2:] == \
        ["harvester", "run"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    for path in SERVICES + TIMERS:
        text = local(path.read_text(encoding="utf-8")).replace("User=ckan", "User=root").replace(
            "Group=ckan", "Group=root")
        (tmp_path / path.name).write_text(text)
    proc = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=120)
    ours = [line for line in proc.stderr.splitlines() if "citizendata" in line]
    assert proc.returncode == 0 and ours == [], proc.stderr


def test_gunicorn_accepts_the_web_units_command_and_loads_the_app(ckan_config):
    service = unit(UNITS / "citizendata-web.service")["Service"]
    command = shlex.split(local(service["ExecStart"]))
    # --check-config loads the app before applying --pythonpath: give the path as the environment
    env = {**os.environ, "CKAN_INI": ckan_config["__file__"], "PYTHONPATH": command[command.index("--pythonpath") + 1]}
    proc = subprocess.run(command + ["--check-config"], capture_output=True, text=True, env=env, timeout=300,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert service["Environment"] == f"CKAN_INI={PREFIX}/ckan.ini"


def test_nginx_proxies_to_the_address_gunicorn_binds_and_passes_the_scheme():
    conf = NGINX.read_text(encoding="utf-8")
    command = shlex.split(unit(UNITS / "citizendata-web.service")["Service"]["ExecStart"])
    bind = command[command.index("--bind") + 1]
    assert re.search(rf"server {re.escape(bind)}\b", conf)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "listen 443 ssl;" in conf and "return 301 https://" in conf
    assert conf.count("{") == conf.count("}")


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_site(tmp_path):
    (tmp_path / "nginx.conf").write_text(f"events {{}}\nhttp {{\n{NGINX.read_text()}\n}}\n")
    proc = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert proc.returncode == 0 or "ssl_certificate" in proc.stderr, proc.stderr


def test_the_web_unit_runs_gunicorn_as_make_run_does(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    command = shlex.split(local(unit(UNITS / "citizendata-web.service")["Service"]["ExecStart"]))
    workers = int(command[command.index("--workers") + 1])
    assert command == serve.web_command("127.0.0.1", 5000, workers)
    assert workers == serve.default_workers(2)  # sized for the 2-core machine the example names
