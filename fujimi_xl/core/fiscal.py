"""Fiscal years (年度) and Japanese era labels.

Inside the toolkit a fiscal year is an ``int`` (2018). Outside it is written and read as an era
label: 平成30年度, H30, R2, 令和元年度.

The label of a fiscal year is the era in force on 1 April, when the year starts. FY2019 began on
1 April 2019, still 平成31年, so its label is H31 (as the city's plans wrote it); 令和元年度 is read
as the same year. Plans written before the era changed use 平成32年度 for FY2020: it is read as 2020.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from fujimi_xl.core.errors import FiscalYearError
from fujimi_xl.core.messages import ui

# era name, initial, first Gregorian year (year 1 of the era = that year)
ERAS: tuple[tuple[str, str, int], ...] = (
    ("令和", "R", 2019),
    ("平成", "H", 1989),
    ("昭和", "S", 1926),
    ("大正", "T", 1912),
    ("明治", "M", 1868),
)
# the day each era began (a fiscal year's label is the era on 1 April)
ERA_START = {
    "令和": dt.date(2019, 5, 1),
    "平成": dt.date(1989, 1, 8),
    "昭和": dt.date(1926, 12, 25),
    "大正": dt.date(1912, 7, 30),
    "明治": dt.date(1868, 1, 25),
}
_BY_NAME = {name: base for name, _, base in ERAS}
_BY_INITIAL = {initial: base for _, initial, base in ERAS}
_NAME_OF_INITIAL = {initial: name for name, initial, _ in ERAS}

MIN_YEAR, MAX_YEAR = 1900, 2200

_ERA_YEAR = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<n>元|\d{1,2})\s*(?:年度|年)?$",
    re.IGNORECASE,
)
_GREGORIAN = re.compile(r"^(?:FY)?\s*(?P<y>\d{4})\s*(?:年度|年)?$", re.IGNORECASE)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "")


def era_of(year: int) -> tuple[str, str, int]:
    """(era name, initial, year within era) of fiscal ``year``, taken on 1 April."""
    april = dt.date(year, 4, 1)
    for name, initial, base in ERAS:
        if april >= ERA_START[name]:
            return name, initial, year - base + 1
    raise FiscalYearError(str(year))


def parse_year(value: object) -> int:
    """Read a fiscal year: 2018, "2018", "H30", "平成30年度", "R2", "令和元年度", "ｈ３０"."""
    if isinstance(value, bool):
        raise FiscalYearError(str(value))
    if isinstance(value, int):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str):
        text = _clean(value)
        m = _GREGORIAN.match(text)
        if m:
            year = int(m.group("y"))
        else:
            m = _ERA_YEAR.match(text)
            if not m:
                raise FiscalYearError(value)
            era = m.group("era")
            base = _BY_NAME.get(era) or _BY_INITIAL[era.upper()]
            n = 1 if m.group("n") == "元" else int(m.group("n"))
            if n < 1:
                raise FiscalYearError(value)
            year = base + n - 1
    else:
        raise FiscalYearError(str(value))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FiscalYearError(str(value))
    return year


def short_label(year: int) -> str:
    """H30, R2: the label used in column headers (H29実施内容)."""
    _, initial, n = era_of(year)
    return f"{initial}{n}"


def long_label(year: int) -> str:
    """平成30年度, 令和元年度 is written 令和元年度 only when the era began before 1 April."""
    name, _, n = era_of(year)
    return f"{name}{'元' if n == 1 else n}年度"


def full_label(year: int) -> str:
    """2018(平成30年度), as in the action-plan schedule."""
    return f"{year}({long_label(year)})"


# -- dates -----------------------------------------------------------------------------------

_ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<n>元|\d{1,2})\s*[年./\-]\s*(?P<m>\d{1,2})"
    r"\s*[月./\-]\s*(?P<d>\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[年./\-]\s*(?P<m>\d{1,2})\s*[月./\-]\s*(?P<d>\d{1,2})\s*日?$"
)


def parse_date(value: object) -> dt.date | None:
    """Read a date typed by staff: 平成30年6月18日, H30.6.18, 2018/6/18, or a date cell.

    Returns None when the text is not a date (the caller decides whether that is an error).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = _clean(value)
    m = _ERA_DATE.match(text)
    try:
        if m:
            era = m.group("era")
            base = _BY_NAME.get(era) or _BY_INITIAL[era.upper()]
            n = 1 if m.group("n") == "元" else int(m.group("n"))
            return dt.date(base + n - 1, int(m.group("m")), int(m.group("d")))
        m = _ISO_DATE.match(text)
        if m:
            return dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    return None


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a date falls in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


_PERIOD = re.compile(r"^(?P<year>.+?年度)(?P<half>上半期|下半期|前期|後期)?$")


def parse_period(text: str) -> tuple[int, str] | None:
    """平成30年度下半期 → (2018, '下半期'); 平成32年度 → (2020, ''); None when unreadable."""
    s = _clean(text)
    m = _PERIOD.match(s)
    if not m:
        return None
    try:
        return parse_year(m.group("year")), m.group("half") or ""
    except FiscalYearError:
        return None


def year_label(year: int, lang: str = "ja") -> str:
    """平成30年度 in Japanese, FY2018 (H30) in English."""
    return ui("year_label", lang, year=year, long=long_label(year), short=short_label(year))
