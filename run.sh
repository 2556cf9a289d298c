#!/bin/sh
# Start the whole system with hat-orchestrator, from the configurations in
# conf/. Stored events and logs go to data/. Stop it with Ctrl+C.
#
#   ./run.sh                               replay conf/gateway.yaml's file
#   ./run.sh --file F [reader options]     replay F instead
#
# The reader options and --rate are those of air-supervision-device; see
# docs/readings-files.md.
set -eu
root=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$root/.venv/bin/hat-orchestrator" ]; then
    echo "error: $root/.venv is missing; run ./install.sh first" >&2
    exit 1
fi

if [ $# -gt 0 ]; then
    # checks the file before anything starts; paths are resolved here,
    # before the working directory changes
    AIR_SUPERVISION_REPLAY=$("$root/.venv/bin/air-supervision-device" \
        --conf "$root/conf/gateway.yaml" --validate "$@")
    export AIR_SUPERVISION_REPLAY
fi

# a second system on the same ports would fail with a traceback
"$root/.venv/bin/python" - "$root/conf" <<'CHECK'
import pathlib, socket, sys
from hat import json
conf = pathlib.Path(sys.argv[1])
ports = [json.decode_file(conf / 'orchestrator.yaml')['ui']['port'],
         json.decode_file(conf / 'event.yaml')['eventer_server']['port'],
         json.decode_file(conf / 'gui.yaml')['address']['port']]
for port in ports:
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            sys.exit(f"error: port {port} on 127.0.0.1 is in use; is the "
                     f"system already running? Stop it first (Ctrl+C)")
CHECK

cd "$root"
mkdir -p data
PATH="$root/.venv/bin:$PATH"
export PATH
exec hat-orchestrator --conf conf/orchestrator.yaml
