#!/bin/sh
# Start JarlPM on a host with its own PostgreSQL: migrate first, then serve (the seed's discipline).
set -eu
if [ -z "${DATABASE_URL:-}" ]; then
    echo "start.sh: DATABASE_URL is not set (postgresql://user:password@host:5432/dbname)" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
alembic upgrade head
exec hypercorn --bind "0.0.0.0:${PORT:-8001}" --graceful-timeout 10 "jarlpm.app:create_app()"
