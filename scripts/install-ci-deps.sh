#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh Debian machine, and
# nothing when they are there already: redis-server, for the Redis store's tests.
set -euo pipefail

if [ ! -x /usr/bin/redis-server ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends redis-server
fi
/usr/bin/redis-server --version
