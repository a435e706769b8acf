#!/bin/bash
# ApplicationStart: start the newly installed version.
#
# Set START_COMMAND to how the application starts, e.g.
#   START_COMMAND="$APP_DIR/target/release/{{name}}"
# It is started in the background with its output in app.log, and its
# process id is kept for stop_server.sh. Without a command nothing starts.
# APP_DIR matches `destination:` in appspec.yml. GANTRY_INSTANCE_ROOT is set
# when gantry deploys to a local instance folder, and empty on a real server.
set -euo pipefail
APP_DIR="${GANTRY_INSTANCE_ROOT:-}/opt/{{name}}"
START_COMMAND="${START_COMMAND:-}"

if [ -z "$START_COMMAND" ]; then
  echo "{{name}}: no START_COMMAND in scripts/start_server.sh, nothing started"
  exit 0
fi
# stdin, stdout and stderr must not stay attached to this script, or
# CodeDeploy waits for the background process until the hook times out.
nohup sh -c "$START_COMMAND" >"$APP_DIR/app.log" 2>&1 </dev/null &
echo $! >"$APP_DIR/app.pid"
echo "started {{name}} (process $!)"
# A system service would be started instead, e.g.:
#   systemctl start {{name}}
