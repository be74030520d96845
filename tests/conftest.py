"""Shared test setup: Prefect offline settings and a private PREFECT_HOME for the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
GOLD = Path(__file__).with_name("gold")
# the shared gold and corpora (../shared next to the repository, or $NEWSFLOW_SHARED)
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", REPO.parent / "shared"))


def load_bench(name: str):
    """Import bench/<name>.py (the evaluation scripts the quality gates share with the benchmarks)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

# Before anything imports prefect: offline settings, and a fresh Prefect home so tests never touch ~/.prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="newsflow-test-prefect-"))
from newsflow.settings import apply_prefect_defaults  # noqa: E402

apply_prefect_defaults()


@pytest.fixture(scope="session")
def newsflow_cli():
    """Run the installed `newsflow` command; returns a function (args, check=True) -> CompletedProcess."""
    exe = Path(sys.executable).with_name("newsflow")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        res = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, env=os.environ.copy())
        if check and res.returncode != 0:
            raise AssertionError(f"newsflow {' '.join(map(str, args))} failed ({res.returncode}):\n{res.stderr[-3000:]}")
        return res

    return run
