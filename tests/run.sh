#!/usr/bin/env bash
# The test command from the README: installs what the suite needs, then runs pytest.
# Python packages come from requirements-dev.txt (pinned); the browser tests drive Debian's
# Chromium, installed here when missing (as root, or through sudo when it is available).
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "tests/run.sh: installing Debian's chromium for the browser tests" >&2
  sudo_=""
  [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium >/dev/null
fi

exec python -m pytest "$@"
