import duckdb

import schemas
from tasks.records import Doc, Paragraph, Reject, SourceFile
from tasks.write import batch_file, duckdb_type, refresh_entities, refresh_views, write_batch


def _doc(name: str, sha: str) -> Doc:
    d = Doc(SourceFile("b", f"b/{name}", f"/in/b/{name}", 10, 1), sha * 64, b"", 0.0)
    d.text, d.language = f"Text of {name}.", "en"
    d.paragraphs = [Paragraph(0, d.text)]
    return d


def _count(root, table):
    path = batch_file(root, table, "b")
    return path.read_table().num_rows if path.exists() else 0


def test_rewriting_a_batch_replaces_instead_of_appending(tmp_path):
    write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
    write_batch(tmp_path, "b", "run2", [_doc("a.txt", "a")], [])  # the same file again (forced)
    assert _count(tmp_path, "documents") == 1 and _count(tmp_path, "files") == 1
    write_batch(tmp_path, "b", "run3", [_doc("b.txt", "b")], [Reject(_doc("c.txt", "c").source, "empty_file", "")])
    assert _count(tmp_path, "documents") == 2 and _count(tmp_path, "rejects") == 1 and _count(tmp_path, "files") == 3


def test_rows_without_a_ledger_entry_are_dropped(tmp_path):
    write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
    # a run killed after writing documents but before the ledger: documents holds b.txt, the ledger does not
    from tasks.write import document_rows, write_table

    rows = batch_file(tmp_path, "documents", "b").read_table().to_pylist()
    rows += document_rows([_doc("b.txt", "b")], "killed")["documents"]
    write_table(rows, schemas.DOCUMENTS, batch_file(tmp_path, "documents", "b"))
    assert _count(tmp_path, "documents") == 2
    write_batch(tmp_path, "b", "run2", [_doc("b.txt", "b")], [])  # the next run redoes b.txt
    table = batch_file(tmp_path, "documents", "b").read_table()
    assert sorted(table.column("source_path").to_pylist()) == ["b/a.txt", "b/b.txt"]
    assert "killed" not in table.column("run_id").to_pylist()


def test_no_temporary_files_left(tmp_path):
    write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
    assert not [p for p in tmp_path.rglob("*") if ".tmp-" in p.name]


def _describe(con, view):
    return [(r[0], r[1].lower()) for r in con.execute(f"describe {view}").fetchall()]


def test_views_match_schemas_empty_and_with_data(tmp_path):
    for step in ("empty", "data"):
        if step == "data":
            write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
            refresh_entities(tmp_path)
        refresh_views(tmp_path)
        con = duckdb.connect(str(tmp_path / "newsflow.duckdb"), read_only=True)
        for table, schema in schemas.ALL_TABLES.items():
            assert _describe(con, table) == [(f.name, duckdb_type(f.type)) for f in schema], (step, table)
        con.close()


def test_stale_views_are_rebuilt_when_opened(tmp_path):
    from tasks.write import open_catalog

    write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
    refresh_views(tmp_path)
    con = duckdb.connect(str(tmp_path / "newsflow.duckdb"))
    con.execute("update _newsflow_views set version = 'from-an-older-newsflow'")
    con.execute("create or replace view documents as select 1 as stale")
    con.close()
    con = open_catalog(tmp_path)
    assert [r[0] for r in con.execute("describe documents").fetchall()][:2] == ["doc_id", "source_path"]
    con.close()


def test_a_column_added_later_reads_as_null_in_older_files(tmp_path):
    """A warehouse written before a column existed (here: documents without raw_text, as an older newsflow wrote
    quotes without reported_speaker) still gets every view, with the missing column NULL."""
    from tasks.write import write_table

    write_batch(tmp_path, "b", "run1", [_doc("a.txt", "a")], [])
    path = batch_file(tmp_path, "documents", "b")
    old = schemas.DOCUMENTS.remove(schemas.DOCUMENTS.get_field_index("raw_text"))
    write_table(path.read_table().select(old.names), old, path)
    refresh_views(tmp_path)
    con = duckdb.connect(str(tmp_path / "newsflow.duckdb"), read_only=True)
    assert _describe(con, "documents") == [(f.name, duckdb_type(f.type)) for f in schemas.DOCUMENTS]
    assert con.execute("select count(*), count(raw_text), count(text) from documents").fetchone() == (1, 0, 1)
    con.close()
