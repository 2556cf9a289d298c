#!/bin/sh
# Create the virtual environment .venv and install the system into it,
# with the browser view built from src_js.
#
#   ./install.sh          what the system needs to run
#   ./install.sh --test   also what the tests need (Debian's Chromium, as
#                         root, and the test packages)
set -eu
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
with_tests=false
for arg in "$@"; do
    case "$arg" in
        --test) with_tests=true ;;
        *) echo "usage: $0 [--test]" >&2; exit 2 ;;
    esac
done

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'
then
    echo "error: $PYTHON is not Python 3.11; set PYTHON to a Python 3.11" \
         "interpreter" >&2
    exit 1
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm not found; install Node.js 20 and npm" \
         "(Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r requirements.txt
.venv/bin/pip install --quiet --no-deps -e .

(cd src_js && npm ci --no-audit --no-fund && npm run build)

if $with_tests; then
    .venv/bin/pip install --quiet -r requirements-test.txt
    if ! command -v chromium >/dev/null 2>&1; then
        apt-get update
        apt-get install -y --no-install-recommends chromium
    fi
fi
