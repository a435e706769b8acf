#!/bin/bash
# ValidateService: check that the new version works; a failure fails the
# deployment (and, with automatic rollback, restores the previous revision).
#
# APP_DIR matches `destination:` in appspec.yml. GANTRY_INSTANCE_ROOT is set
# when gantry deploys to a local instance folder, and empty on a real server.
set -euo pipefail
APP_DIR="${GANTRY_INSTANCE_ROOT:-}/opt/{{name}}"

if [ ! -d "$APP_DIR" ]; then
  echo "{{name}}: $APP_DIR is missing" >&2
  exit 1
fi
if [ -f "$APP_DIR/app.pid" ] && ! kill -0 "$(cat "$APP_DIR/app.pid")" 2>/dev/null; then
  echo "{{name}}: the process started by start_server.sh is not running" >&2
  exit 1
fi
# A web service is better checked by asking it, e.g.:
#   curl --fail --silent --retry 10 --retry-connrefused http://localhost:8080/health
echo "{{name}} is installed in $APP_DIR"
