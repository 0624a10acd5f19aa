#!/usr/bin/env bash
# Create .venv and install the project with its test extras, at the versions in constraints.txt
# (tested together; warnings fail the tests, so a surprise upgrade must not sneak in).
# Re-installs only when pyproject.toml or constraints.txt change. PYTHON=python3.11 picks the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! .venv/bin/python -m pip --version > /dev/null 2>&1; then
  rm -rf .venv
  "$PY" -m venv .venv || { echo "Could not create .venv: on Debian/Ubuntu install python3-venv" >&2; exit 1; }
fi
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "Installing into .venv (first run only; log in .venv/install.log)..." >&2
  if ! { .venv/bin/python -m pip install --upgrade pip &&
         .venv/bin/python -m pip install -c constraints.txt -e ".[test]"; } > .venv/install.log 2>&1; then
    tail -n 30 .venv/install.log >&2
    echo "Installation failed; see .venv/install.log" >&2
    exit 1
  fi
  rm -f .venv/.installed-* && touch "$stamp"
fi
