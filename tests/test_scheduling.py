"""The schedule on a real Prefect server: `newsflow serve` starts a server on a free loopback port, registers the
deployments of prefect.yaml and runs a worker; runs are triggered through Prefect's CLI and executed by it."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import SAMPLE

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(base / "prefect-home"),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"}
    proc = subprocess.Popen([str(BIN / "newsflow"), "serve", "--port", str(port), "--log-dir", str(base / "logs")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
        if "registered" in line:
            break
    assert any("registered" in ln for ln in lines), "".join(lines)
    yield {"env": env, "port": port, "base": base}
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(90)
    assert not _healthy(port), "the server still answers after newsflow serve stopped"


def prefect(served, *args, check=True):
    res = subprocess.run([str(BIN / "prefect"), *args], env=served["env"], capture_output=True, text=True,
                         timeout=600)
    if check:
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return res


def test_nightly_is_scheduled_by_cron(served):
    out = prefect(served, "deployment", "inspect", "nightly/nightly").stdout
    assert "'cron': '0 2 * * *'" in out
    # the scheduler service creates the upcoming runs (it silently did not with sqlalchemy 2.1: stack-check §1)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        listed = prefect(served, "flow-run", "ls", "--flow-name", "nightly", "--state-type", "SCHEDULED",
                         "-o", "json").stdout
        if json.loads(listed or "[]"):
            break
        time.sleep(3)
    else:
        pytest.fail("no scheduled nightly run appeared")


def test_nightly_and_backfill_runs_complete_through_the_worker(served):
    base = served["base"]
    shutil.copytree(SAMPLE, base / "input")
    extra = base / "extra" / "2025-03-22"
    extra.mkdir(parents=True)
    seed = next(SAMPLE.rglob("004_*.txt"))
    (extra / "late.txt").write_text(seed.read_text() + "\nA correction was appended to this copy.\n")
    wh = base / "wh"
    res = prefect(served, "deployment", "run", "nightly/nightly", "-p", f"warehouse={wh}",
                  "-p", f"input_root={base / 'input'}", "--watch")
    assert "Completed" in res.stdout
    res = prefect(served, "deployment", "run", "backfill/backfill", "-p", f"warehouse={wh}",
                  "-p", f"folders={json.dumps([str(extra)])}", "--watch")
    assert "Completed" in res.stdout
    out = subprocess.run([str(BIN / "newsflow"), "sql", "select flow, status, n_documents from runs order by started_at",
                          "--warehouse", str(wh), "--format", "json"], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        {"flow": "nightly", "status": "completed", "n_documents": 5},
        {"flow": "backfill", "status": "completed", "n_documents": 1},
    ]
    artifacts = prefect(served, "artifact", "ls").stdout
    assert "newsflow-nightly" in artifacts and "newsflow-backfill" in artifacts
