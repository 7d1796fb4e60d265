"""scripts/serve.py, what `make run` serves with: gunicorn with several workers on CKAN's app, CKAN's job worker and
the harvest consumers, answering real requests, and every one of those processes gone after one SIGINT (Ctrl-C) or
SIGTERM to the supervisor."""
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import serve  # noqa: E402  (scripts/ is not a package)
from ckanext.citizendata.testing import free_port


def descendants(pid: int) -> dict[int, str]:
    """{pid: command line} of every process below ``pid``, read from /proc."""
    parents, commands = {}, {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found[child] = commands[child]
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(url: str, seconds: float = 240) -> requests.Response:
    """The first answer of a server that is starting (its workers load CKAN: slow on a busy machine)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=60)
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_default_workers_follow_the_cores_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert serve.default_workers(2) == 5
    assert serve.default_workers(8) == 17
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert serve.default_workers(2) == 3


def test_harvest_consumers_only_when_the_harvest_plugin_is_enabled():
    assert set(serve.background_commands("x.ini", ["citizendata", "harvest"])) == {"jobs", "gather", "fetch"}
    assert set(serve.background_commands("x.ini", ["citizendata"])) == {"jobs"}
    assert serve.background_commands("x.ini", [])["jobs"][-2:] == ["jobs", "worker"]


def test_a_background_worker_is_given_up_only_when_it_exits_again_and_again_within_a_minute():
    child = serve.Child("gather", ["true"])
    child.restarts = [0.0, 100.0, 200.0, 300.0, 400.0]  # one exit every 100 s: an idle consumer's timeout
    assert not child.crash_looping(410.0)
    child.restarts = [400.0, 401.0, 402.0, 403.0, 404.0]
    assert child.crash_looping(405.0)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serves_with_workers_and_stops_every_process_together(ckan_config, stop):
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "--config", ckan_config["__file__"],
                             "--port", str(port), "--workers", "2", "--grace", "15"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        status = wait_for(f"{base}/api/3/action/status_show")
        assert status.status_code == 200 and status.json()["success"] is True
        assert requests.get(f"{base}/dataset/", timeout=120).status_code == 200
        time.sleep(2)  # the background workers finish starting
        children = descendants(proc.pid)
        commands = " | ".join(children.values())
        assert sum("wsgi:application" in c for c in children.values()) == 3  # the arbiter and 2 workers
        for part in ("jobs worker", "harvester gather-consumer", "harvester fetch-consumer"):
            assert part in commands
        # a second server on the same port is refused at once, without harm to the first
        second = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve.py"), "--config",
                                 ckan_config["__file__"], "--port", str(port)], capture_output=True, text=True,
                                timeout=60)
        assert second.returncode == 1 and "already in use" in second.stderr
        assert requests.get(f"{base}/api/3/action/status_show", timeout=120).status_code == 200

        proc.send_signal(stop)
        proc.wait(timeout=60)
        time.sleep(1)
        assert {pid: cmd for pid, cmd in children.items() if alive(pid)} == {}
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            for pid in descendants(proc.pid):
                os.kill(pid, signal.SIGKILL)
        output = proc.stdout.read().decode(errors="replace")
    assert f"{signal.Signals(stop).name}: stopping every process" in output


def test_a_supervisor_killed_outright_takes_its_children_with_it(ckan_config):
    """SIGKILL cannot be caught: the parent-death signal stops the children all the same."""
    port, children = free_port(), {}
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "--config", ckan_config["__file__"],
                             "--port", str(port), "--workers", "1", "--no-background"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/api/3/action/status_show").status_code == 200
        children = descendants(proc.pid)
        assert children
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
