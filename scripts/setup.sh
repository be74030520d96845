#!/usr/bin/env bash
# Create .venv with the locked dependencies and newsflow itself (editable). Quiet and quick when nothing
# changed: it reinstalls only when requirements.lock or pyproject.toml differ from the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "setup: $PY not found: install Python 3.11, or set PYTHON to its path" >&2
  exit 1
fi
stamp=.venv/.newsflow-installed
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setup: installing the locked dependencies into .venv (about a minute the first time)" >&2
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# pip's warnings (absent local mirror folders in a machine's pip.conf, setuptools notes) are noise; errors show,
# and the import check below catches a failed install
pip_install() { .venv/bin/python -m pip install -q --disable-pip-version-check "$@" 2>&1 | grep -E "^(ERROR|error)" || true; }
# pip 23.2 (a fresh 3.11 venv's) drops lxml's html_clean extra and trafilatura then fails to import
pip_install pip==26.3
pip_install -r requirements.lock
pip_install --no-deps -e .
.venv/bin/python -c "import newsflow, trafilatura, spacy, prefect" || { echo "setup: install failed" >&2; exit 1; }
echo "$want" > "$stamp"
