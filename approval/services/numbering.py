"""Registry numbers (ทะเบียนหนังสือส่ง): prefix/running number per organisation and year."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import NumberCounter, Organization
from ..thai import be_year, thai_digits, to_local


def next_number(session: Session, org: Organization, now: dt.datetime) -> tuple[int, int, str]:
    """Take the next number of the year; the counter row's update is the lock.

    The counter is incremented with one UPDATE ... RETURNING in the caller's transaction:
    PostgreSQL holds the row lock and SQLite the database write lock until commit, so two
    submissions never get the same number, and a rolled-back one gives its number back.
    """
    year = be_year(to_local(now).date())
    bump = (
        sa.update(NumberCounter)
        .where(NumberCounter.organization_id == org.id, NumberCounter.year == year)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.add(NumberCounter(organization_id=org.id, year=year, last_value=1))
            value = 1
        except IntegrityError:  # another transaction created this year's row first
            value = session.execute(bump).scalar_one()
    return year, value, format_number(org, value)


def format_number(org: Organization, value: int) -> str:
    return f"{org.number_prefix}/{thai_digits(value, org.uses_thai_digits)}"
