#!/usr/bin/env bash
# Makes sure the redis-server binary is installed (the reliability tests start their own servers;
# Debian's redis-server package is installed when it is missing) and that a Redis server answers at
# REDIS_URL (default redis://127.0.0.1:6379): if none does, starts one on loopback with no
# persistence and the eviction policy BullMQ needs.
set -euo pipefail

url="${REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#*://}"; hostport="${hostport##*@}"; hostport="${hostport%%/*}"
host="${hostport%:*}"; port="${hostport##*:}"
[ "$host" = "$port" ] && port=6379

answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h "$host" -p "$port" ping 2>/dev/null | grep -q PONG
  else
    # No client yet: speak RESP by hand over bash's /dev/tcp.
    exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply; read -r -t 2 reply <&3 || true
    exec 3<&- 3>&-
    [[ "$reply" == "+PONG"* ]]
  fi
}

install_redis() {
  echo "redis: redis-server is missing; installing Debian's redis-server package"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
}

command -v redis-server >/dev/null 2>&1 || install_redis

if answers; then
  echo "redis: answering at $host:$port"
  exit 0
fi

case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "redis: nothing answers at $host:$port and it is not a local address; start it yourself" >&2; exit 1 ;;
esac

echo "redis: starting redis-server on 127.0.0.1:$port"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --maxmemory-policy noeviction --dir /tmp --logfile "/tmp/redis-$port.log"

for _ in $(seq 1 50); do
  if answers; then echo "redis: answering at $host:$port"; exit 0; fi
  sleep 0.1
done
echo "redis: started but not answering at $host:$port; see /tmp/redis-$port.log" >&2
exit 1
