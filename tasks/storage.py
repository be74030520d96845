"""Where a warehouse lives: a local folder, or S3-compatible object storage (`s3://bucket/prefix`).

`Location` is a small path-like value over a pyarrow filesystem, so the writer code is the same for both.
S3 settings come from the standard AWS environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and,
for a non-AWS service (MinIO, moto, Ceph...), AWS_ENDPOINT_URL (e.g. http://127.0.0.1:9000).
"""

from __future__ import annotations

import fnmatch
import os
from functools import lru_cache
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

S3_SCHEME = "s3://"


@lru_cache(maxsize=4)
def _s3(endpoint: str | None, region: str | None) -> pafs.S3FileSystem:
    kwargs = {"region": region or "us-east-1"}
    if endpoint:
        url = urlparse(endpoint)
        kwargs.update(endpoint_override=url.netloc or url.path, scheme=url.scheme or "https")
    return pafs.S3FileSystem(**kwargs)


class Location:
    """A file or folder in a warehouse, local or on S3; join with `/` like a pathlib.Path."""

    def __init__(self, fs: pafs.FileSystem, path: str, remote: bool):
        self.fs, self.path, self.remote = fs, path.rstrip("/"), remote

    @classmethod
    def of(cls, where: str | os.PathLike | Location) -> Location:
        """A Location for a local path or an `s3://bucket/prefix` URI."""
        if isinstance(where, Location):
            return where
        text = os.fspath(where)
        if text.startswith(S3_SCHEME):
            fs = _s3(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_REGION"))
            return cls(fs, text[len(S3_SCHEME) :], True)
        return cls(pafs.LocalFileSystem(), os.path.abspath(text), False)

    def __truediv__(self, name: str) -> Location:
        return Location(self.fs, f"{self.path}/{name}", self.remote)

    def __str__(self) -> str:
        return f"{S3_SCHEME}{self.path}" if self.remote else self.path

    def __repr__(self) -> str:
        return f"Location({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Location) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> Location:
        return Location(self.fs, self.path.rsplit("/", 1)[0], self.remote)

    def exists(self) -> bool:
        return self.fs.get_file_info(self.path).type != pafs.FileType.NotFound

    def files(self, pattern: str = "*.parquet") -> list[Location]:
        """Files directly in this folder whose names match `pattern`, sorted; none if the folder is missing."""
        if not self.exists():
            return []
        infos = self.fs.get_file_info(pafs.FileSelector(self.path, allow_not_found=True))
        names = sorted(i.base_name for i in infos if i.type == pafs.FileType.File)
        return [self / n for n in names if fnmatch.fnmatch(n, pattern)]

    def read_table(self, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.path, columns=columns, filesystem=self.fs)

    def write_table(self, table: pa.Table) -> None:
        """Write Parquet so that readers see the old file or the new one, never a part.

        Locally: a temporary file, then an atomic rename. On S3 an object PUT is atomic by itself (and S3 has no
        rename), so the object is written in place.
        """
        if self.remote:
            pq.write_table(table, self.path, filesystem=self.fs, compression="zstd")
            return
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = os.path.join(os.path.dirname(self.path), f".{self.name}.tmp-{os.getpid()}")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, self.path)

    def dataset(self) -> pads.Dataset:
        """The Parquet files of this folder as one pyarrow dataset (for DuckDB to scan without copying)."""
        return pads.dataset([f.path for f in self.files()], format="parquet", filesystem=self.fs)
