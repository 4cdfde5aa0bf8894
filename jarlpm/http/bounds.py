"""Bounds for numeric and date inputs, shared by the request models and query strings.

Python accepts integers and dates that PostgreSQL's columns, asyncpg's encoders or later arithmetic
cannot hold (an offset past int64, a due date whose UTC instant falls in year 10000): unbounded, they
fail deep inside a query as a 500. Bounded here, they are a 422 VALIDATION_ERROR like any other bad
input, and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

INT64_MAX = 2**63 - 1
MAX_PAGE_SIZE = 500

# Far wider than any plan or deadline, far inside what overflows: moving a day to UTC (offsets are
# under a day) or adding sprints to it stays within Python's years 1-9999 and PostgreSQL's range.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)

Offset = Annotated[int, Field(ge=0, le=INT64_MAX)]  # OFFSET takes a bigint
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]


def _day_in_range(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}")


def _checked_date(value: date) -> date:
    _day_in_range(value)
    return value


def _checked_datetime(value: datetime) -> datetime:
    # The local calendar day is checked, not the UTC one: converting first could itself overflow.
    _day_in_range(value.date())
    return value


PgDate = Annotated[date, AfterValidator(_checked_date)]
PgDateTime = Annotated[datetime, AfterValidator(_checked_datetime)]
