import datetime as dt

import pytest

from fujimi_xl.core import fiscal
from fujimi_xl.core.errors import FiscalYearError


@pytest.mark.parametrize("text,year", [
    (2018, 2018), ("2018", 2018), ("２０１８", 2018), ("FY2018", 2018), ("2018年度", 2018),
    ("H30", 2018), ("h30", 2018), ("Ｈ３０", 2018), ("平成30", 2018), ("平成30年度", 2018),
    ("平成31年度", 2019), ("令和元年度", 2019), ("R1", 2019), ("平成32年度", 2020),
    ("R2", 2020), ("令和2", 2020), ("令和 2 年度", 2020), ("S64", 1989),
])
def test_parse_year(text, year):
    assert fiscal.parse_year(text) == year


@pytest.mark.parametrize("text", ["", "平成", "X30", "H0", "30", "2018年6月", True, None, 1.5])
def test_parse_year_refuses(text):
    with pytest.raises(FiscalYearError):
        fiscal.parse_year(text)


@pytest.mark.parametrize("year,short,long", [
    (2017, "H29", "平成29年度"), (2018, "H30", "平成30年度"), (2019, "H31", "平成31年度"),
    (2020, "R2", "令和2年度"), (2025, "R7", "令和7年度"),
])
def test_labels(year, short, long):
    assert fiscal.short_label(year) == short
    assert fiscal.long_label(year) == long


def test_full_label_as_in_the_action_plan():
    assert fiscal.full_label(2018) == "2018(平成30年度)"


@pytest.mark.parametrize("text,day", [
    ("平成30年6月18日", dt.date(2018, 6, 18)), ("H30.6.18", dt.date(2018, 6, 18)),
    ("Ｈ３０．６．１８", dt.date(2018, 6, 18)), ("R1.5.1", dt.date(2019, 5, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)), ("2018/6/18", dt.date(2018, 6, 18)),
    (dt.datetime(2018, 6, 18, 0, 0), dt.date(2018, 6, 18)),
])
def test_parse_date(text, day):
    assert fiscal.parse_date(text) == day


def test_parse_date_not_a_date():
    assert fiscal.parse_date("H30.2.30") is None
    assert fiscal.parse_date("来年度") is None


def test_fiscal_year_of():
    assert fiscal.fiscal_year_of(dt.date(2019, 3, 31)) == 2018
    assert fiscal.fiscal_year_of(dt.date(2019, 4, 1)) == 2019
