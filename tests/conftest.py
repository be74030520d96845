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
SHARED = REPO.parent / "shared"

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
