"""`newsflow serve`: the nightly schedule on one machine — a Prefect server on 127.0.0.1, the deployments of
prefect.yaml registered against it, and a process worker that runs them. Stops all of it on Ctrl-C.

It runs the same commands a user would type (README, "Scheduling"), so either way gives the same setup.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from newsflow.settings import REPO_ROOT

WORK_POOL = "newsflow-local"  # must match definitions.work_pools in prefect.yaml
# Batch the server's task-run recorder: 3x less server CPU per task run (stack-check §2b).
SERVER_ENV = {
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "100",
}


def _prefect() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def server_env(port: int) -> dict[str, str]:
    """Environment for the server, the deploy step and the worker: all point at http://127.0.0.1:PORT/api."""
    return {**os.environ, **SERVER_ENV, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "NEWSFLOW_REPO": str(REPO_ROOT)}


def wait_healthy(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until the server answers /api/health; raises RuntimeError after `timeout` s or if it died."""
    url = f"http://127.0.0.1:{port}/api/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not answer {url} within {timeout:.0f} s")


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([_prefect(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def register_deployments(env: dict[str, str]) -> None:
    """Create the process work pool (if missing) and register every deployment of prefect.yaml."""
    subprocess.run([_prefect(), "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite"],
                   env=env, check=True, capture_output=True, text=True)
    subprocess.run([_prefect(), "--no-prompt", "deploy", "--all"], env=env, cwd=REPO_ROOT, check=True,
                   capture_output=True, text=True)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([_prefect(), "worker", "start", "--pool", WORK_POOL], env=env, cwd=REPO_ROOT,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen | None, timeout: float = 20) -> None:
    """Stop a child and its process group: SIGTERM, then SIGKILL after `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def serve(port: int, log_dir: Path, startup_timeout: float = 120) -> int:
    """Run server + deployments + worker until interrupted; returns an exit status."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(port)
    server = worker = None
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        print(f"newsflow serve: starting the Prefect server on 127.0.0.1:{port} (log: {log_dir}/server.log)",
              flush=True)
        server = start_server(port, env, log_dir / "server.log")
        wait_healthy(port, startup_timeout, server)
        register_deployments(env)
        worker = start_worker(env, log_dir / "worker.log")
        print(f"newsflow serve: deployments nightly and backfill registered; worker on pool {WORK_POOL} "
              f"(log: {log_dir}/worker.log)\n"
              f"  UI:        http://127.0.0.1:{port}\n"
              f"  backfill:  PREFECT_API_URL=http://127.0.0.1:{port}/api .venv/bin/prefect deployment run "
              f"backfill/backfill -p 'folders=[\"/path/to/batch\"]' --watch\n"
              f"  Ctrl-C stops the worker and the server.", flush=True)
        while not stopping:
            if server.poll() is not None or worker.poll() is not None:
                print("newsflow serve: the server or the worker exited; stopping", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.strip().splitlines()[-1] if getattr(exc, "stderr", None) else str(exc)
        print(f"newsflow: error: {detail}", file=sys.stderr)
        return 1
    finally:
        stop(worker)
        stop(server)
