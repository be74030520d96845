"""Ingest: find the files of each batch, skip those already processed, read and hash the rest."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from tasks import reasons
from tasks.records import Doc, Reject, SourceFile

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".txt.gz", ".html.gz", ".htm.gz")


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~")


def _walk(folder: Path, rel_prefix: str, batch: str, root: Path) -> list[SourceFile]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        for name in sorted(filenames):
            if _is_hidden(name):
                continue
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            st = _stat(path)
            found.append(
                SourceFile(
                    batch=batch,
                    source_path=f"{rel_prefix}{rel}",
                    abs_path=str(path),
                    size=st.st_size,
                    mtime_ns=st.st_mtime_ns,
                )
            )
    return found


def discover_batches(input_root: Path) -> dict[str, list[SourceFile]]:
    """Map batch name -> files for an input root.

    Each sub-folder of `input_root` is a batch named after it; files directly in the root form a batch named
    after the root. Hidden files and folders are ignored. Raises FileNotFoundError / NotADirectoryError.
    """
    root = Path(input_root)
    if not root.exists():
        raise FileNotFoundError(f"input folder not found: {root}")
    if not root.is_dir():
        raise NotADirectoryError(f"input is not a folder: {root}")
    batches: dict[str, list[SourceFile]] = {}
    loose = []
    for entry in sorted(root.iterdir()):
        if _is_hidden(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            batches[entry.name] = _walk(entry, f"{entry.name}/", entry.name, root)
        elif entry.is_file() or entry.is_symlink():
            st = _stat(entry)
            loose.append(SourceFile(root.resolve().name, entry.name, str(entry), st.st_size, st.st_mtime_ns))
    if loose:
        batches.setdefault(root.resolve().name, []).extend(loose)
    return batches


def discover_folders(folders: Iterable[Path]) -> dict[str, list[SourceFile]]:
    """Map batch name -> files for explicitly named folders (backfill): each folder is one batch.

    Paths are recorded as `<folder name>/<path inside it>`, as `discover_batches` records sub-folders.
    """
    batches: dict[str, list[SourceFile]] = {}
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"backfill folder not found: {folder}")
        name = folder.resolve().name
        batches.setdefault(name, []).extend(_walk(folder, f"{name}/", name, folder))
    return batches


def select_batch_folders(input_root: Path, since: str | None, until: str | None) -> list[Path]:
    """The batch sub-folders of `input_root` whose names lie in [since, until] (inclusive, compared as text)."""
    root = Path(input_root)
    if not root.is_dir():
        raise FileNotFoundError(f"input folder not found: {root}")
    return [
        p for p in sorted(root.iterdir())
        if p.is_dir() and not p.is_symlink() and not _is_hidden(p.name)
        and (since is None or p.name >= since) and (until is None or p.name <= until)
    ]


def _stat(path: Path) -> os.stat_result:
    """The file's size and mtime, through a symlink to its target (so a link is measured by what it points to,
    and a changed target is a changed file); a dangling link's own (its read is the reject)."""
    try:
        return path.stat()
    except OSError:
        return path.lstat()


def supported(source_path: str) -> bool:
    return source_path.lower().endswith(SUPPORTED_SUFFIXES)


def read_source(sf: SourceFile, root_guard: str | None, max_bytes: int) -> Doc | Reject:
    """Read one file's bytes (gunzipping `.gz`) and hash them; a Reject for anything unusable.

    `root_guard`, when given, is a resolved folder the file must lie inside (symlinks pointing out are refused).
    Raises OSError only for failures that are not the file's fault (they are infrastructure errors).
    """
    path = Path(sf.abs_path)
    if not supported(sf.source_path):
        return Reject(sf, reasons.UNSUPPORTED_TYPE, f"not one of {', '.join(SUPPORTED_SUFFIXES)}")
    if path.is_symlink() and root_guard and not str(path.resolve()).startswith(root_guard + os.sep):
        return Reject(sf, reasons.OUTSIDE_INPUT_ROOT, f"symlink to {path.resolve()} leaves the input folder")
    if sf.size > max_bytes:
        return Reject(sf, reasons.TOO_LARGE, f"{sf.size} bytes > limit {max_bytes}")
    try:
        with path.open("rb") as fh:  # bounded: a file that grew since it was listed stops at max_bytes
            data = fh.read(max_bytes + 1)
    except (PermissionError, IsADirectoryError, FileNotFoundError) as exc:
        return Reject(sf, reasons.UNREADABLE, str(exc))
    if len(data) > max_bytes:
        return Reject(sf, reasons.TOO_LARGE, f"more than {max_bytes} bytes when read (listed at {sf.size})")
    if sf.source_path.lower().endswith(".gz"):
        try:
            # a bounded read: a gzip bomb stops at max_bytes instead of filling memory
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            return Reject(sf, reasons.CORRUPT_GZIP, f"{type(exc).__name__}: {exc}")
        if len(data) > max_bytes:
            return Reject(sf, reasons.TOO_LARGE, f"decompresses to more than {max_bytes} bytes")
    if not data.strip():
        return Reject(sf, reasons.EMPTY_FILE, f"{len(data)} bytes, no content")
    return Doc(source=sf, content_sha256=hashlib.sha256(data).hexdigest(), data=data, ingested_at=time.time())


def unchanged(sf: SourceFile, prev: tuple[int, int, str] | None) -> bool:
    """True when the ledger's (size, mtime_ns, sha256) says this file was processed as it is now (not read)."""
    return prev is not None and prev[0] == sf.size and prev[1] == sf.mtime_ns


def ingest_files(
    files: list[SourceFile],
    ledger: Mapping[str, tuple[int, int, str]],
    known_hashes: Mapping[str, str],
    root_guard: str | None,
    max_bytes: int,
    force: bool = False,
) -> tuple[list[Doc], list[Reject], int]:
    """Read the files of one batch that were not processed before.

    `ledger` maps source_path -> (size, mtime_ns, sha256) of files already processed; a file whose size and
    mtime match is skipped without being read, one whose content hash matches is skipped after reading.
    `known_hashes` maps content sha256 -> source_path of documents already in the warehouse (or earlier in
    this batch): the same content under another path is a `duplicate_content` reject.
    Returns (documents, rejects, number of files skipped as already processed).
    """
    docs: list[Doc] = []
    rejects: list[Reject] = []
    skipped = 0
    seen = dict(known_hashes)
    for sf in files:
        prev = None if force else ledger.get(sf.source_path)
        if unchanged(sf, prev):
            skipped += 1
            continue
        result = read_source(sf, root_guard, max_bytes)
        if isinstance(result, Reject):
            rejects.append(result)
            continue
        if prev and prev[2] == result.content_sha256:
            skipped += 1
            continue
        first = seen.get(result.content_sha256)
        if first is not None and first != sf.source_path:
            rejects.append(
                Reject(sf, reasons.DUPLICATE_CONTENT, f"same bytes as {first}", result.content_sha256)
            )
            continue
        seen[result.content_sha256] = sf.source_path
        docs.append(result)
    return docs, rejects, skipped
