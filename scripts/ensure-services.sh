#!/usr/bin/env bash
# Redis and PostgreSQL are expected on 127.0.0.1 (6379, 5432 with trust auth, database `test`).
# Starts them with the machine's own commands when they are installed but not running; fails loudly otherwise.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  return 1
}

if ! port_open 6379; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it"
  command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 || { echo "Redis did not start" >&2; exit 1; }
fi

if ! port_open 5432; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it"
  command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  wait_port 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
fi
echo "Redis 127.0.0.1:6379 and PostgreSQL 127.0.0.1:5432 answer"
