#!/bin/sh
# Start the whole system with hat-orchestrator, from the configurations in
# conf/. Stored events and logs go to data/. Stop it with Ctrl+C.
set -eu
cd "$(dirname "$0")"

if [ ! -x .venv/bin/hat-orchestrator ]; then
    echo "error: .venv is missing; run ./install.sh first" >&2
    exit 1
fi

mkdir -p data
PATH="$PWD/.venv/bin:$PATH"
export PATH
exec hat-orchestrator --conf conf/orchestrator.yaml
