"""Serve the site as `make run` does: gunicorn with one worker process per core and a half (``2 * cores + 1``,
``WEB_CONCURRENCY`` or ``--workers`` to override) on CKAN's WSGI app (scripts/wsgi.py), plus the background
workers the catalog needs: CKAN's job worker (``ckan jobs worker``) and, when the ``harvest`` plugin is enabled,
ckanext-harvest's gather and fetch consumers. All of them stop together on Ctrl-C (SIGINT) or SIGTERM.

Each child runs in a process group of its own, in the supervisor's session (so its own children, gunicorn's workers
and RQ's work horse, go with it, and the kernel's per-session CPU share, autogroup, counts the site as one) and gets SIGTERM when this supervisor dies, even by SIGKILL (Linux's parent-death signal). Stopping sends
SIGTERM to every group, waits ``--grace`` seconds for them to finish what they are doing, then SIGKILLs what is
left. A background worker that exits on its own is started again (ckanext-harvest's consumers exit on a Redis read
timeout after idling, with redis-py 8's default 5 s socket timeout), unless it exits ``MAX_RESTARTS`` times within
``RESTART_WINDOW`` seconds (then everything stops); the web server exiting stops everything.

Example::

    .venv/bin/python scripts/serve.py --config ckan.ini --host 127.0.0.1 --port 5000
    WEB_CONCURRENCY=3 .venv/bin/python scripts/serve.py --config ckan.ini --no-background
"""
from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ckan.cli import CKANConfigLoader

SCRIPTS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MAX_RESTARTS = 5          # a background worker that exits this many times within RESTART_WINDOW seconds is given up
RESTART_WINDOW = 60.0
PR_SET_PDEATHSIG = 1


def default_workers(cores: int | None = None) -> int:
    """gunicorn's advice for synchronous workers: ``2 * cores + 1``; ``WEB_CONCURRENCY`` wins when set.

    Example::

        default_workers(2)      # 5
    """
    if os.environ.get("WEB_CONCURRENCY", "").strip().isdigit():
        return max(1, int(os.environ["WEB_CONCURRENCY"]))
    return 2 * (cores or os.cpu_count() or 1) + 1


def default_threads() -> int:
    """Threads per worker (``WEB_THREADS``, default 4): a request waiting on PostgreSQL leaves the core to another."""
    value = os.environ.get("WEB_THREADS", "").strip()
    return max(1, int(value)) if value.isdigit() else 4


def web_command(host: str, port: int, workers: int, threads: int = 4, timeout: int = 60) -> list[str]:
    """The gunicorn command line for CKAN's app (the ini file travels in ``CKAN_INI``)."""
    return [str(BIN / "gunicorn"), "--pythonpath", str(SCRIPTS), "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", str(timeout), "--graceful-timeout", "10",
            "--max-requests", "2000", "--max-requests-jitter", "200", "--worker-tmp-dir", "/dev/shm",
            "--no-control-socket", "--name", "citizendata", "wsgi:application"]


def background_commands(config: str, plugins: list[str]) -> dict[str, list[str]]:
    """The background workers the enabled plugins need, by name."""
    ckan = [str(BIN / "ckan"), "-c", config]
    commands = {"jobs": ckan + ["jobs", "worker"]}
    if "harvest" in plugins:
        commands["gather"] = ckan + ["harvester", "gather-consumer"]
        commands["fetch"] = ckan + ["harvester", "fetch-consumer"]
    return commands


def enabled_plugins(config: str) -> list[str]:
    """``ckan.plugins`` of the ini file (following ``use = config:...``)."""
    return CKANConfigLoader(config).get_config().get("ckan.plugins", "").split()


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def _die_with_parent() -> None:  # runs in the child between fork and exec
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def crash_looping(self, now: float) -> bool:
        """Whether it exited ``MAX_RESTARTS`` times within the last ``RESTART_WINDOW`` seconds."""
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW]
        return len(self.restarts) >= MAX_RESTARTS

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(self.command, env=env, process_group=0,
                                        preexec_fn=_die_with_parent)
        print(f"serve: started {self.name} (pid {self.process.pid}): {' '.join(self.command[-3:])}", flush=True)

    def signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass


@dataclass
class Supervisor:
    children: list[Child]
    env: dict[str, str]
    grace: float = 20.0
    stopping: bool = field(default=False)

    def request_stop(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            print(f"serve: {signal.Signals(signum).name}: stopping every process", flush=True)
        self.stopping = True

    def run(self) -> int:
        for child in self.children:
            child.start(self.env)
        code = 0
        while not self.stopping:
            code = self._check_children()
            time.sleep(0.2)
        self.stop()
        return code

    def _check_children(self) -> int:
        for child in self.children:
            returncode = child.process.poll()
            if returncode is None:
                continue
            if child.name == "web" or child.crash_looping(time.monotonic()):
                print(f"serve: {child.name} exited with {returncode}: stopping", file=sys.stderr, flush=True)
                self.stopping = True
                return 1
            child.restarts.append(time.monotonic())
            print(f"serve: {child.name} exited with {returncode}: starting it again", file=sys.stderr, flush=True)
            time.sleep(1)
            child.start(self.env)
        return 0

    def stop(self) -> None:
        for child in self.children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"serve: {child.name} still running after {self.grace:.0f} s: killing it", file=sys.stderr)
            child.signal(signal.SIGKILL)  # its whole group: a worker or work horse it left behind
            child.process.wait()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="ckan.ini")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: 2 * cores + 1)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: 4)")
    parser.add_argument("--grace", type=float, default=20.0, help="seconds to finish before SIGKILL")
    parser.add_argument("--no-background", action="store_true", help="serve only: no job worker, no consumers")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = str(Path(args.config).resolve())
    if port_taken(args.host, args.port):
        print(f"serve: {args.host}:{args.port} is already in use (is the site already running?)", file=sys.stderr)
        return 1
    workers, threads = args.workers or default_workers(), args.threads or default_threads()
    children = [Child("web", web_command(args.host, args.port, workers, threads))]
    if not args.no_background:
        children += [Child(name, command) for name, command in
                     background_commands(config, enabled_plugins(config)).items()]
    supervisor = Supervisor(children, {**os.environ, "CKAN_INI": config}, grace=args.grace)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGHUP, supervisor.request_stop)
    print(f"serve: gunicorn with {workers} workers x {threads} threads on http://{args.host}:{args.port}", flush=True)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
