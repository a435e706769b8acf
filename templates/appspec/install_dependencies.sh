#!/bin/bash
# BeforeInstall: prepare the instance before the files are copied, e.g.
# install packages or create a user. Runs as root on a real server.
#
# APP_DIR matches `destination:` in appspec.yml. GANTRY_INSTANCE_ROOT is set
# when gantry deploys to a local instance folder, and empty on a real server.
set -euo pipefail
APP_DIR="${GANTRY_INSTANCE_ROOT:-}/opt/{{name}}"

mkdir -p "$APP_DIR"
# Packages the application needs at run time, e.g.:
#   apt-get install -y --no-install-recommends ca-certificates
#   id -u {{name}} >/dev/null 2>&1 || useradd --system {{name}}
echo "{{name}}: instance ready for $APP_DIR"
