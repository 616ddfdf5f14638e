"""Working days: Monday to Friday, less Thai public holidays and the organisation's days off.

The public holidays come from the ``holidays`` package (country TH, names in Thai), so that
Songkran, the substitution days and the cabinet's extra days off are kept up to date by its
maintainers rather than by a table of ours. Pure: the organisation's days off are passed in.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache

import holidays

BANGKOK = dt.timezone(dt.timedelta(hours=7))


@lru_cache(maxsize=64)
def _thai_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.TH(years=year, language="th"))


def public_holidays(year: int) -> dict[dt.date, str]:
    """Thai public holidays of a Gregorian year, with their Thai names."""
    return dict(_thai_holidays(year))


def local_day(moment: dt.datetime) -> dt.date:
    """The day in Asia/Bangkok of a UTC moment."""
    return moment.astimezone(BANGKOK).date()


class Calendar:
    """Which days are working days for one organisation."""

    def __init__(self, days_off: Mapping[dt.date, str] | Iterable[dt.date] = ()):
        self.days_off: dict[dt.date, str] = (
            dict(days_off) if isinstance(days_off, Mapping) else dict.fromkeys(days_off, "วันหยุดของหน่วยงาน")
        )
        self._ordinals: dict[int, list[int]] = {}

    def holiday_name(self, day: dt.date) -> str | None:
        """Why `day` is not worked (Thai), or None for a working day (weekends: เสาร์ / อาทิตย์)."""
        if day in self.days_off:
            return self.days_off[day]
        name = _thai_holidays(day.year).get(day)
        if name:
            return name
        if day.weekday() == 5:
            return "วันเสาร์"
        if day.weekday() == 6:
            return "วันอาทิตย์"
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.holiday_name(day) is None

    def _working(self, year: int) -> list[int]:
        """The ordinals of the year's working days, sorted (cached: reminders ask thousands of times)."""
        found = self._ordinals.get(year)
        if found is None:
            first = dt.date(year, 1, 1).toordinal()
            last = dt.date(year, 12, 31).toordinal()
            found = [n for n in range(first, last + 1) if self.is_working_day(dt.date.fromordinal(n))]
            self._ordinals[year] = found
        return found

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start).

        A memo that arrived on Monday has waited 1 working day on Tuesday, 2 on Wednesday.
        """
        if end <= start:
            return 0
        if start.year == end.year:
            work = self._working(end.year)
            return bisect_right(work, end.toordinal()) - bisect_right(work, start.toordinal())
        total = len(self._working(start.year)) - bisect_right(self._working(start.year), start.toordinal())
        for year in range(start.year + 1, end.year):
            total += len(self._working(year))
        return total + bisect_right(self._working(end.year), end.toordinal())

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The day `count` working days after `start`."""
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day
