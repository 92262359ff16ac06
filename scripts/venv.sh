# Sourced by scripts/start and scripts/test: make sure .venv exists with Python 3.11.
VENV="${LIAISON_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  PYTHON="$(command -v python3.11 || command -v python3)"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Liaison needs Python 3.11; found $("$PYTHON" --version)." >&2
    exit 1
  fi
  "$PYTHON" -m venv "$VENV"
fi
