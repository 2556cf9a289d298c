#!/bin/sh
# Run the tests. Arguments go to pytest, for example:
#   ./test.sh -m "not slow"     only the fast tests
#   ./test.sh test_pytest/test_system
set -eu
cd "$(dirname "$0")"

if [ ! -x .venv/bin/pytest ]; then
    echo "error: .venv has no pytest; run ./install.sh --test first" >&2
    exit 1
fi

exec .venv/bin/python -m pytest "$@"
