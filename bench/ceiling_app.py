"""The ceilings JarlPM's figures are measured against: the same server (Quart under Hypercorn, same pool
settings) with a bare handler, and with a handler that runs exactly one pooled query.

    python -m bench.ceiling_app --port 8102 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses

from quart import Quart

from jarlpm.config import Settings
from jarlpm.db.pool import Database
from jarlpm.db.queries import queries

FIRST_USER = "user_b000001"


def create(settings: Settings) -> Quart:
    app = Quart("ceiling")
    database = Database(settings)

    @app.before_serving
    async def open_pool() -> None:
        await database.open()

    @app.after_serving
    async def close_pool() -> None:
        await database.close()

    @app.get("/bare")
    async def bare() -> dict:
        return {"status": "ok"}

    @app.get("/one-query")
    async def one_query() -> dict:
        async with database.connection() as conn:
            epics = [dict(row) async for row in queries.epics.list_epics(conn, user_id=FIRST_USER)]
        return {"epics": len(epics)}

    return app


async def serve(port: int, settings: Settings) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    await hypercorn_serve(create(settings), config)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pool-size", type=int, default=5)
    parser.add_argument("--max-overflow", type=int, default=10)
    args = parser.parse_args()
    base = Settings(database_url=args.database_url)
    settings = dataclasses.replace(base, db_pool_size=args.pool_size, db_max_overflow=args.max_overflow)
    asyncio.run(serve(args.port, settings))
