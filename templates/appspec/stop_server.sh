#!/bin/bash
# ApplicationStop: stop the running version before the new one is installed.
# CodeDeploy runs this script from the revision that is being replaced (on the
# first deployment there is none, so it does not run).
#
# APP_DIR matches `destination:` in appspec.yml. GANTRY_INSTANCE_ROOT is set
# when gantry deploys to a local instance folder, and empty on a real server.
set -euo pipefail
APP_DIR="${GANTRY_INSTANCE_ROOT:-}/opt/{{name}}"
PID_FILE="$APP_DIR/app.pid"

if [ -f "$PID_FILE" ]; then
  # start_server.sh wrote the process id; a process that is already gone is fine.
  kill "$(cat "$PID_FILE")" 2>/dev/null || true
  rm -f "$PID_FILE"
  echo "stopped {{name}}"
else
  echo "{{name}} was not running"
fi
# A system service would be stopped instead, e.g.:
#   systemctl stop {{name}}
