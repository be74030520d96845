import gzip
from pathlib import Path

import pytest

from tasks import reasons
from tasks.ingest import discover_batches, discover_folders, ingest_files, read_source
from tasks.records import Doc, Reject, SourceFile


def _sf(path: Path, batch: str = "b") -> SourceFile:
    st = path.stat()
    return SourceFile(batch, f"{batch}/{path.name}", str(path), st.st_size, st.st_mtime_ns)


def test_discover_batches_subfolders_and_loose_files(tmp_path):
    (tmp_path / "2025-01-01").mkdir()
    (tmp_path / "2025-01-01" / "a.txt").write_text("x")
    (tmp_path / "2025-01-01" / "nested").mkdir()
    (tmp_path / "2025-01-01" / "nested" / "b.html").write_text("x")
    (tmp_path / "loose.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    batches = discover_batches(tmp_path)
    assert sorted(batches) == ["2025-01-01", tmp_path.name]
    assert [f.source_path for f in batches["2025-01-01"]] == ["2025-01-01/a.txt", "2025-01-01/nested/b.html"]
    assert [f.source_path for f in batches[tmp_path.name]] == ["loose.txt"]


def test_discover_missing_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        discover_batches(tmp_path / "nope")
    with pytest.raises(FileNotFoundError):
        discover_folders([tmp_path / "nope"])


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", reasons.EMPTY_FILE),
        ("blank.txt", b"  \n\n ", reasons.EMPTY_FILE),
        ("truncated.txt.gz", gzip.compress(b"hello world " * 100)[:30], reasons.CORRUPT_GZIP),
        ("notgzip.html.gz", b"plain bytes, not gzip", reasons.CORRUPT_GZIP),
        ("photo.jpg", b"\xff\xd8\xff\xe0", reasons.UNSUPPORTED_TYPE),
    ],
)
def test_read_source_rejects(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    result = read_source(_sf(path), None, 1_000_000)
    assert isinstance(result, Reject) and result.reason == reason


def test_read_source_gunzips_and_caps_size(tmp_path):
    path = tmp_path / "a.txt.gz"
    path.write_bytes(gzip.compress(b"Some article text."))
    doc = read_source(_sf(path), None, 1_000_000)
    assert isinstance(doc, Doc) and doc.data == b"Some article text." and len(doc.content_sha256) == 64
    big = tmp_path / "big.txt.gz"
    big.write_bytes(gzip.compress(b"a" * 5000))
    assert read_source(_sf(big), None, 1000).reason == reasons.TOO_LARGE


def test_symlink_out_of_root_is_rejected(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = tmp_path / "in"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    sf = SourceFile("in", "link.txt", str(root / "link.txt"), 6, 0)
    assert read_source(sf, str(root.resolve()), 1000).reason == reasons.OUTSIDE_INPUT_ROOT


def test_loose_files_of_a_relative_root_are_named_after_the_real_folder(tmp_path, monkeypatch):
    (tmp_path / "loose.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    batches = discover_batches(Path("."))
    assert list(batches) == [tmp_path.name]
    assert [f.batch for f in batches[tmp_path.name]] == [tmp_path.name]


def test_a_symlink_is_measured_by_its_target_and_reads_are_bounded(tmp_path):
    day = tmp_path / "in" / "day"
    day.mkdir(parents=True)
    (day / "big.txt").write_text("a" * 5000)
    (day / "link.txt").symlink_to(day / "big.txt")
    sizes = {f.source_path: f.size for f in discover_batches(tmp_path / "in")["day"]}
    assert sizes == {"day/big.txt": 5000, "day/link.txt": 5000}
    # a file that grew after it was listed: the read stops at the limit
    grown = SourceFile("day", "day/big.txt", str(day / "big.txt"), 10, 0)
    assert read_source(grown, None, 1000).reason == reasons.TOO_LARGE


def test_backfill_guards_each_named_folder(tmp_path):
    from flows.pipeline import backfill_guards

    a, b = tmp_path / "x" / "2025-01-01", tmp_path / "y" / "2025-01-02"
    same = tmp_path / "z" / "2025-01-01"
    for d in (a, b, same):
        d.mkdir(parents=True)
    assert backfill_guards({}, [a, b], None) == {"2025-01-01": str(a.resolve()), "2025-01-02": str(b.resolve())}
    assert backfill_guards({}, [a, same], None) == {"2025-01-01": str(tmp_path.resolve())}
    assert backfill_guards({"2025-01-01": []}, None, tmp_path) == {"2025-01-01": str(tmp_path.resolve())}


def test_ingest_skips_ledger_and_rejects_duplicates(tmp_path):
    a, b, c = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    a.write_text("same text")
    b.write_text("same text")
    c.write_text("other text")
    files = [_sf(p) for p in (a, b, c)]
    ledger = {files[2].source_path: (files[2].size, files[2].mtime_ns, "x")}
    docs, rejects, skipped = ingest_files(files, ledger, {}, None, 1000)
    assert [d.source.source_path for d in docs] == ["b/a.txt"]
    assert [(r.source.source_path, r.reason) for r in rejects] == [("b/b.txt", reasons.DUPLICATE_CONTENT)]
    assert skipped == 1
    # forced, the ledger is ignored
    docs, _, skipped = ingest_files(files, ledger, {}, None, 1000, force=True)
    assert skipped == 0 and len(docs) == 2
