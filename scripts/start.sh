#!/bin/sh
# Start JarlPM on a host with its own PostgreSQL: migrate first, then serve (the seed's discipline).
set -eu
if [ -z "${DATABASE_URL:-}" ]; then
    echo "start.sh: DATABASE_URL is not set (postgresql://user:password@host:5432/dbname)" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
alembic upgrade head
# WEB_CONCURRENCY worker processes (default 1), each with its own pool of up to
# DB_POOL_SIZE + DB_MAX_OVERFLOW connections: keep the total under the server's max_connections.
exec python -m jarlpm serve --host 0.0.0.0 --workers "${WEB_CONCURRENCY:-1}"
