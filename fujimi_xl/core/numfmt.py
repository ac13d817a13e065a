"""The text a spreadsheet shows for a number: a number format applied to a value.

Only what a text field needs: a number or a date that Excel or LibreOffice Calc formatted when it
was typed (``50%``, ``1月2日``, ``1,200``, ``2018年6月18日``, ``H30.6.18``) is read as it was shown.
Built-in format ids are those of Japanese Excel. :func:`render` returns None for what it does
not know how to show (conditions, fractions, ``[DBNum1]`` …): the caller then keeps the plain
reading of the value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

GENERAL = "General"

# built-in number formats (ECMA-376 18.8.30, with the ids Japanese Excel gives its own formats)
BUILTIN: dict[int, str] = {
    0: GENERAL, 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"¥"#,##0;"¥"\\-#,##0', 6: '"¥"#,##0;[Red]"¥"\\-#,##0',
    7: '"¥"#,##0.00;"¥"\\-#,##0.00', 8: '"¥"#,##0.00;[Red]"¥"\\-#,##0.00',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    27: '[$-411]ge.m.d', 28: '[$-411]ggge"年"m"月"d"日"', 29: '[$-411]ggge"年"m"月"d"日"',
    30: "m/d/yy", 31: 'yyyy"年"m"月"d"日"', 32: 'h"時"mm"分"', 33: 'h"時"mm"分"ss"秒"',
    34: 'yyyy"年"m"月"', 35: 'm"月"d"日"', 36: '[$-411]ge.m.d',
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0",
    48: "##0.0E+0", 49: "@",
    50: '[$-411]ge.m.d', 51: '[$-411]ggge"年"m"月"d"日"', 52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"', 54: '[$-411]ggge"年"m"月"d"日"', 55: 'yyyy"年"m"月"', 56: 'm"月"d"日"',
    57: '[$-411]ge.m.d', 58: '[$-411]ggge"年"m"月"d"日"',
}

# the Japanese eras a date format's g/e show: first day, name, initial
_ERAS = [(dt.date(2019, 5, 1), "令和", "R"), (dt.date(1989, 1, 8), "平成", "H"),
         (dt.date(1926, 12, 25), "昭和", "S"), (dt.date(1912, 7, 30), "大正", "T"),
         (dt.date(1868, 1, 1), "明治", "M")]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DAYS_JA = "月火水木金土日"

_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|_(?P<pad>.)|\*(?P<fill>.)|\[(?P<bracket>[^\]]*)\]'
    r"|(?P<ampm>AM/PM|A/P|午前/午後)"
    r"|(?P<date>[yY]+|[mM]+|[dD]+|[hH]+|[sS]+|[eE](?![+-])[eE]*|[gG]+|[aA]{3,4}(?![/mM]))"
    r"|(?P<other>.)", re.S)
_DATE_CHARS = frozenset("ymdhsegaYMDHSEGA")


def code_of(num_fmt_id: int, custom: dict[int, str]) -> str | None:
    """The format code of a cell's number format id (custom codes first)."""
    return custom.get(num_fmt_id, BUILTIN.get(num_fmt_id))


def _sections(code: str) -> list[str]:
    out, cur, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            j = code.find('"', i + 1)
            j = len(code) - 1 if j < 0 else j
            cur.append(code[i:j + 1])
            i = j + 1
            continue
        if ch == "\\" and i + 1 < len(code):
            cur.append(code[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def render(value: float, code: str, date1904: bool = False) -> str | None:
    """``value`` as a cell with the format ``code`` shows it; None when it cannot be said."""
    if not math.isfinite(value) or code.strip().lower() in ("general", "", "@"):
        return None
    sections = _sections(code)
    if any("[" in s and re.search(r"\[[<>=]", s) for s in sections):
        return None  # conditions
    section = sections[0]
    sign = ""
    if value < 0:
        if len(sections) >= 2 and sections[1].strip():
            section, value = sections[1], -value
        else:
            sign, value = "-", -value
    elif value == 0 and len(sections) >= 3 and sections[2].strip():
        section = sections[2]
    tokens = list(_TOKEN.finditer(section))
    if any(t.group("date") for t in tokens):
        shown = _date(value, tokens, date1904)
        return None if shown is None else sign + shown
    shown = _number(value, tokens)
    return None if shown is None else sign + shown


# -- dates ----------------------------------------------------------------------------------

def to_datetime(serial: float, date1904: bool = False) -> dt.datetime | None:
    """The date and time of a spreadsheet serial number (None for 1900-02-29 and the like)."""
    if date1904:
        base = dt.datetime(1904, 1, 1)
    elif serial >= 61:
        base = dt.datetime(1899, 12, 30)
    elif 1 <= serial < 60:
        base = dt.datetime(1899, 12, 31)
    elif 0 <= serial < 1:  # a time of day alone
        base = dt.datetime(1899, 12, 30)
    else:
        return None
    try:
        return base + dt.timedelta(days=serial)
    except OverflowError:
        return None


def _era(day: dt.date) -> tuple[str, str, int] | None:
    for start, name, initial in _ERAS:
        if day >= start:
            return name, initial, day.year - start.year + 1
    return None


def _date(value: float, tokens: list[re.Match[str]], date1904: bool) -> str | None:
    when = to_datetime(value, date1904)
    if when is None:
        return None
    when = when + dt.timedelta(microseconds=500)  # 0.9999999 of a second shows the next one
    twelve = any(t.group("ampm") for t in tokens)
    dates = [i for i, t in enumerate(tokens) if t.group("date")]
    out: list[str] = []
    for i, t in enumerate(tokens):
        if t.group("date"):
            tok = t.group("date").lower()
            kind = tok[0]
            if kind == "m" and len(tok) <= 2:
                before = [tokens[j].group("date").lower()[0] for j in dates if j < i]
                after = [tokens[j].group("date").lower()[0] for j in dates if j > i]
                if (before and before[-1] == "h") or (after and after[0] == "s"):
                    kind = "minute"
            part = _date_part(kind, tok, when, twelve)
            if part is None:
                return None
            out.append(part)
        elif t.group("ampm"):
            am = when.hour < 12
            out.append({"AM/PM": "AM" if am else "PM", "A/P": "A" if am else "P"}.get(
                t.group("ampm"), "午前" if am else "午後"))
        else:
            lit = _literal(t)
            if lit is None:
                return None
            out.append(lit)
    return "".join(out)


def _date_part(kind: str, tok: str, when: dt.datetime, twelve: bool) -> str | None:
    n = len(tok)
    if kind == "y":
        return f"{when.year:04d}" if n > 2 else f"{when.year % 100:02d}"
    if kind == "minute":
        return f"{when.minute:02d}" if n == 2 else str(when.minute)
    if kind == "m":
        if n == 1:
            return str(when.month)
        if n == 2:
            return f"{when.month:02d}"
        name = _MONTHS[when.month - 1]
        return name[:3] if n == 3 else name[0] if n == 5 else name
    if kind == "d":
        if n <= 2:
            return str(when.day) if n == 1 else f"{when.day:02d}"
        name = _DAYS[when.weekday()]
        return name[:3] if n == 3 else name
    if kind == "a":
        return _DAYS_JA[when.weekday()] + ("曜日" if n == 4 else "")
    if kind == "h":
        hour = when.hour % 12 or 12 if twelve else when.hour
        return f"{hour:02d}" if n >= 2 else str(hour)
    if kind == "s":
        return f"{when.second:02d}" if n >= 2 else str(when.second)
    era = _era(when.date())
    if era is None:
        return None
    if kind == "e":
        return f"{era[2]:02d}" if n >= 2 else str(era[2])
    if kind == "g":
        return era[1] if n == 1 else era[0][0] if n == 2 else era[0]
    return None


def _literal(t: re.Match[str]) -> str | None:
    """The text a non-placeholder token shows; None for what is not supported."""
    if t.group("quoted") is not None:
        return t.group("quoted")
    if t.group("escaped") is not None:
        return t.group("escaped")
    if t.group("pad") is not None:
        return " "
    if t.group("fill") is not None:
        return ""
    if t.group("bracket") is not None:
        b = t.group("bracket")
        if b.startswith("$"):  # [$-411] a locale, [$¥-411] a currency symbol
            return b[1:].split("-", 1)[0]
        if b.lower() in ("red", "black", "blue", "cyan", "green", "magenta", "white",
                         "yellow") or b.lower().startswith("color"):
            return ""
        return None  # [DBNum1], [h] elapsed time …
    ch = t.group("other") or t.group("date") or ""
    if ch in '$-+/():!^&\'~{}<>= ¥,.' or not ch.isascii():
        return ch
    return None


# -- numbers --------------------------------------------------------------------------------

def _number(value: float, tokens: list[re.Match[str]]) -> str | None:
    pattern: list[str] = []  # the placeholders and their punctuation: 0 # ? , . % E+
    prefix: list[str] = []
    suffix: list[str] = []
    percent = 0
    for t in tokens:
        ch = t.group("other")
        if ch is not None and ch in "0#?.,":
            if suffix:
                if ch == "," and not any(c in "0#?" for c in "".join(suffix)):
                    pattern.append(ch)  # a trailing comma: scaled by 1000
                    continue
                return None  # placeholders on both sides of a literal (000-0000)
            pattern.append(ch)
            continue
        if ch == "%":
            percent += 1
            (suffix if pattern else prefix).append("%")
            continue
        if ch in ("E", "e") or ch == "/":
            return None  # scientific and fractions: the plain reading is kept
        if ch == "@":
            return None
        lit = _literal(t)
        if lit is None:
            return None
        (suffix if pattern else prefix).append(lit)
    if not any(c in "0#?" for c in pattern):
        return "".join(prefix) + "".join(suffix) if not pattern else None
    text = "".join(pattern)
    scale = len(text) - len(text.rstrip(","))
    text = text.rstrip(",")
    value = value * (100 ** percent) / (1000 ** scale)
    whole_pat, _, frac_pat = text.partition(".")
    grouping = "," in whole_pat
    whole_pat = whole_pat.replace(",", "")
    frac_pat = frac_pat.replace(",", "")
    decimals = len(frac_pat)
    # spreadsheets round half away from zero, on the decimal digits of the value
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    whole, _, frac = f"{exact:f}".partition(".")
    min_whole = whole_pat.count("0")
    whole = whole.lstrip("0")
    if len(whole) < min_whole:
        whole = whole.rjust(min_whole, "0")
    if grouping and whole:
        whole = f"{int(whole):,}"
    if decimals:
        keep = len(frac_pat.rstrip("#?"))  # zeros always show; # and ? only when not 0
        shown = whole + "." + frac.rstrip("0").ljust(keep, "0")
    else:
        shown = whole
    return "".join(prefix) + shown + "".join(suffix)
