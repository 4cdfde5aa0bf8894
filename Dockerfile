FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8001

# pg_dump / pg_restore of the server's major version (an older pg_dump refuses a newer server), from
# PostgreSQL's own apt repository; set PG_MAJOR to your server's major version at build time.
ARG PG_MAJOR=18
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
    > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
ENV PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin \
    BACKUP_DIR=/var/lib/jarlpm/backups

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY jarlpm ./jarlpm
COPY sql ./sql
COPY migrations ./migrations
COPY scripts ./scripts
RUN pip install . && useradd --system --no-create-home jarlpm \
 && install -d -o jarlpm -m 0700 /var/lib/jarlpm/backups
# Mount a volume here so dumps survive the container (better: copy them off the host too).
VOLUME /var/lib/jarlpm/backups
USER jarlpm

EXPOSE 8001
# Migrate once, then serve with WEB_CONCURRENCY worker processes (default 1), each with its own pool of
# up to DB_POOL_SIZE + DB_MAX_OVERFLOW connections (same as railway.toml and scripts/start.sh).
CMD ["sh", "-c", "alembic upgrade head && exec jarlpm serve --host 0.0.0.0 --workers \"${WEB_CONCURRENCY:-1}\""]
