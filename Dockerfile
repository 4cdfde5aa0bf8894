FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8001

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY jarlpm ./jarlpm
COPY sql ./sql
COPY migrations ./migrations
COPY scripts ./scripts
RUN pip install . && useradd --system --no-create-home jarlpm
USER jarlpm

EXPOSE 8001
# Migrate first, then serve (same as railway.toml and scripts/start.sh).
CMD ["sh", "-c", "alembic upgrade head && exec hypercorn --bind 0.0.0.0:${PORT} --graceful-timeout 10 'jarlpm.app:create_app()'"]
