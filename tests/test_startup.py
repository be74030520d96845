"""The embedded server `newsflow run` starts (newsflow/cli.py EmbeddedServer, create_embedded_app): a real Prefect
server that records the flow run, its task runs and their states, and that skips migrations and block registration
only when its database is the one its last full start left."""

import json
import os
import sqlite3
import subprocess
import sys

from .conftest import SAMPLE

# what the server's own settings say once create_embedded_app has run (in a fresh interpreter, as uvicorn runs it)
PROBE = """
import json
from newsflow.cli import create_embedded_app
create_embedded_app()
from prefect.settings import get_current_settings
s = get_current_settings().server
print(json.dumps([s.database.migrate_on_start, s.register_blocks_on_start]))
"""


def _server_skips(env: dict) -> list[bool]:
    res = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    migrate, register = json.loads(res.stdout.strip().splitlines()[-1])
    return [not migrate, not register]


def test_runs_are_recorded_and_a_current_database_skips_migrations_and_block_registration(tmp_path, newsflow_cli):
    home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "NEWSFLOW_PREFECT_SERVER": "own"}
    env.pop("PREFECT_API_URL", None)
    for wh in ("wh1", "wh2"):  # a new database (full start, memo written), then a current one (the skipping start)
        res = subprocess.run([sys.executable, "-m", "newsflow.cli", "run", str(SAMPLE), "--warehouse",
                              str(tmp_path / wh), "--quiet"], env=env, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[-3000:]
        assert "documents written" in res.stdout

    memo = json.loads((home / "newsflow-embedded-server.json").read_text())
    assert memo["prefect"] and memo["alembic_version"] and memo["block_types"] > 0
    con = sqlite3.connect(home / "prefect.db")
    try:
        flow_runs = con.execute("select id, state_type from flow_run").fetchall()
        assert [state for _, state in flow_runs] == ["COMPLETED", "COMPLETED"]
        for flow_run_id, _ in flow_runs:
            tasks = con.execute("select state_type, (select count(*) from task_run_state s where s.task_run_id = t.id) "
                                "from task_run t where flow_run_id = ?", (flow_run_id,)).fetchall()
            assert tasks and all(state == "COMPLETED" and n_states >= 3 for state, n_states in tasks), tasks
            states = [r[0] for r in con.execute("select type from flow_run_state where flow_run_id = ? order by "
                                                "timestamp", (flow_run_id,))]
            assert states[-1] == "COMPLETED" and "RUNNING" in states
    finally:
        con.close()

    probe_env = {**env, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
    assert _server_skips(probe_env) == [True, True]
    # the memo of another database state (e.g. an older Prefect's migrations): Prefect's full start again
    (home / "newsflow-embedded-server.json").write_text(json.dumps({**memo, "alembic_version": ["older"]}))
    assert _server_skips(probe_env) == [False, False]
    # a user's own setting wins over the skip
    (home / "newsflow-embedded-server.json").write_text(json.dumps(memo))
    assert _server_skips({**probe_env, "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "true"}) == [False, True]
