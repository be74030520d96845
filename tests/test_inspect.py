import json

from .conftest import SAMPLE

SEED = next(SAMPLE.rglob("002_*.txt"))


def test_inspect_json_shows_each_stage(tmp_path, newsflow_cli):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = json.loads(newsflow_cli("inspect", SEED, empty, "--format", "json").stdout)
    assert [r["path"] for r in out] == [str(SEED), str(empty)]
    doc, rej = out
    for key in ("encoding", "repairs", "language", "language_prob", "title", "byline", "published", "url", "text"):
        assert key in doc
    assert doc["language"] == "en" and doc["encoding"] == "utf-8"
    assert {"text", "kept", "reason", "language"} <= set(doc["paragraphs"][0])
    removed = [p for p in doc["paragraphs"] if not p["kept"]]
    assert removed and all(p["reason"] for p in removed)
    assert doc["mentions"] and doc["quotes"]
    assert all(doc["text"][m["start"]:m["end"]] == m["text"] for m in doc["mentions"])
    assert rej == {"path": str(empty), "reject": {"reason": "empty_file", "detail": "0 bytes, no content"}}


def test_inspect_missing_file_is_one_line(newsflow_cli):
    res = newsflow_cli("inspect", "/no/such/file.txt", check=False)
    assert res.returncode == 2 and "file not found" in res.stderr and "Traceback" not in res.stderr
