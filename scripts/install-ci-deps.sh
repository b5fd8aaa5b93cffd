#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh Debian machine, and
# nothing when they are there already: redis-server for the Redis store's tests,
# and redis-tools for redis-cli, which builds the Redis Cluster of the cluster
# tests (`redis-cli --cluster create`). Both are named: redis-tools is only a
# dependency of redis-server today, and a machine may have one without the other.
set -euo pipefail

if [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/bin/redis-cli ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends redis-server redis-tools
fi
/usr/bin/redis-server --version
/usr/bin/redis-cli --version
