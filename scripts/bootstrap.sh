#!/usr/bin/env bash
# Install what crossbar_py needs on Debian: system packages (PostgreSQL, Redis, Kamailio, sipp, baresip)
# and a project virtualenv. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# docker-compose validates docker/compose.yaml (no engine needed); iproute2 builds the multinode test's namespaces;
# baresip-core is the softphone tests/sip/test_baresip_status.py drives.
APT_PACKAGES="postgresql redis-server kamailio kamailio-postgres-modules sip-tester baresip-core python3-venv docker-compose iproute2 curl"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "bootstrap: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
  # Debian starts a stock Kamailio on port 5060 where systemd runs; the project runs its own.
  if command -v systemctl >/dev/null && systemctl is-active --quiet kamailio 2>/dev/null; then
    echo "bootstrap: stopping and disabling the stock kamailio.service (crossbar_py runs its own)"
    $SUDO systemctl disable --now kamailio
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e '.[test]'
  touch "$stamp"
fi
