"""A warehouse on S3-compatible object storage: moto's S3 server on 127.0.0.1 stands in for the service."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow.fs as pafs
import pytest
from moto.server import ThreadedMotoServer

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def s3_env():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    fs = pafs.S3FileSystem(access_key="testing", secret_key="testing", region="us-east-1",
                           endpoint_override=f"127.0.0.1:{port}", scheme="http", allow_bucket_creation=True)
    fs.create_dir("newsflow-test")
    yield env, fs
    server.stop()


def newsflow(env, *args):
    res = subprocess.run([str(BIN / "newsflow"), *map(str, args)], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_run_and_query_a_warehouse_on_s3(s3_env, tmp_path):
    env, fs = s3_env
    wh = "s3://newsflow-test/warehouses/nightly"
    out = newsflow(env, "run", "--warehouse", wh, "--quiet")
    assert "documents written 5" in out
    objects = {i.path for i in fs.get_file_info(pafs.FileSelector("newsflow-test/warehouses/nightly", recursive=True))}
    assert "newsflow-test/warehouses/nightly/documents/2025-03-20.parquet" in objects
    assert not any(o.endswith(".duckdb") for o in objects)  # the views are built per session, not stored
    rows = json.loads(newsflow(env, "sql", "select count(*) as n, count(distinct language) as langs from documents",
                               "--warehouse", wh, "--format", "json"))
    assert rows == [{"n": 5, "langs": 1}]
    speakers = json.loads(newsflow(env, "sql", "select * from mart_top_speakers", "--warehouse", wh, "--format", "json"))
    assert speakers and speakers[0]["n_quotes"] > 0
    # idempotent there too: a rerun finds nothing new
    assert "new 0" in newsflow(env, "run", "--warehouse", wh, "--quiet")
    assert json.loads(newsflow(env, "sql", "select count(*) as n from documents", "--warehouse", wh,
                               "--format", "json")) == [{"n": 5}]
