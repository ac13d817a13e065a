"""The ○/× check of a sum_equals rule, written into a workbook as a formula (both layouts).

A hint to staff, not a check ingest relies on: ○ when the parts add up to the total, × when
they do not, ？ when a value is not a number, blank while a cell is empty. Amounts are read in
the formula as ingest reads them (full-width digits and commas, ▲ for minus, a trailing 千円).
"""

from __future__ import annotations

from fujimi_xl.core.normalise import parse_amount


def amount(ref: str) -> str:
    """The cell ``ref`` as a number in a formula, read as ingest reads an amount."""
    return f'VALUE(SUBSTITUTE(SUBSTITUTE(ASC({ref}),"▲","-"),"千円",""))'


def formula(total: str, parts: list[str]) -> str:
    """The formula of a check cell for the cells ``total`` and ``parts`` (A1 references)."""
    blanks = "+".join(f"COUNTBLANK({r})" for r in (total, *parts))
    added = "+".join(amount(r) for r in parts)
    return (f'=IF({blanks}>0,"",IFERROR(IF(ROUND({added}-{amount(total)},6)=0,"○","×"),'
            f'"？"))')


def shown(texts: list[str]) -> str:
    """What the formula shows for the cell texts ``[total, *parts]`` (the cached value a
    workbook opens with before a spreadsheet recalculates it)."""
    texts = [str(t or "").strip() for t in texts]
    if any(t == "" for t in texts):
        return ""
    nums = [parse_amount(t) for t in texts]
    if any(n is None for n in nums):
        return "？"
    ok = abs(sum(float(n) for n in nums[1:] if n is not None) - float(nums[0] or 0)) < 1e-6
    return "○" if ok else "×"
