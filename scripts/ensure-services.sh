#!/usr/bin/env bash
# Installs and starts what the test suite needs on a clean Debian machine: Redis (listening on
# 127.0.0.1:6379), Chromium (/usr/bin/chromium) and nginx. Idempotent; quiet when all is there.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "[vite-rolling] tests need: ${missing[*]}; install them with apt-get (as root) and retry." >&2
    exit 1
  fi
  echo "[vite-rolling] installing ${missing[*]} from Debian's packages..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /tmp/vite-rolling-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/vite-rolling-redis --logfile /tmp/vite-rolling-redis/redis.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
