#!/usr/bin/env bash
# Installs and starts what the test suite needs on a clean Debian machine: Redis (at
# VR_TEST_REDIS_URL, default redis://127.0.0.1:6379), Chromium (/usr/bin/chromium) and nginx.
# Idempotent; quiet when all is there. It starts a Redis only for a loopback URL without
# credentials, on that URL's port; any other URL names a server the caller runs.
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

url="${VR_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
pong() { redis-cli -u "$url" ping 2>/dev/null | grep -q PONG; }
if ! pong; then
  if [[ ! "$url" =~ ^redis://(127\.0\.0\.1|localhost)(:([0-9]+))?(/[0-9]*)?$ ]]; then
    echo "[vite-rolling] no Redis answers at VR_TEST_REDIS_URL=$url; start it, or unset the variable to use a local one on 127.0.0.1:6379." >&2
    exit 1
  fi
  port="${BASH_REMATCH[3]:-6379}"
  dir="/tmp/vite-rolling-redis-$port"
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do pong && break; sleep 0.1; done
  pong || { echo "[vite-rolling] redis-server on 127.0.0.1:$port did not answer; see $dir/redis.log" >&2; exit 1; }
fi
