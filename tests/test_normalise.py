import datetime as dt

import pytest

from fujimi_xl.core import normalise


@pytest.mark.parametrize("raw,clean", [
    ("ＡＢＣ１２３", "ABC123"),
    ("  前後の空白　", "前後の空白"),
    ("1行目\r\n2行目\r3行目", "1行目\n2行目\n3行目"),
    ("ｶﾞｲﾄﾞ", "ガイド"),
    ("第1～4節（予定）！①②", "第1～4節（予定）！①②"),  # Japanese punctuation kept
    (3.0, "3"), (2.5, "2.5"), (None, ""), (dt.datetime(2018, 6, 18), "2018-06-18"),
])
def test_text(raw, clean):
    assert normalise.text(raw)[0] == clean


def test_control_characters_removed_and_counted():
    assert normalise.text("a\x00b\x07c") == ("abc", 2)


@pytest.mark.parametrize("raw", ["A", "ａ", " Ａ ", "a\n"])
def test_choice(raw):
    assert normalise.choice(raw) == "A"


@pytest.mark.parametrize("raw,n", [
    ("第1節", 1), ("1", 1), ("１", 1), ("①", 1), ("⑫", 12), ("(3)", 3), ("（３）", 3),
    ("3)", 3), (2, 2), (2.0, 2), ("第 2 節", 2),
])
def test_parse_index(raw, n):
    assert normalise.parse_index(raw) == n


@pytest.mark.parametrize("raw", ["", "a", "0", "1.5", None, -1, "第一節"])
def test_parse_index_refuses(raw):
    assert normalise.parse_index(raw) is None


def test_texts_in_one_pass_equal_text_one_by_one():
    """The bulk path that ingest uses gives exactly what text() gives, value by value."""
    import random

    rng = random.Random(7)
    pieces = ["平成３０年度は", "ＡＢＣ", "ｶﾞｷﾞｸﾞ", "　全角スペース　", "～（）①", "\r\n", "\r", " \n ",
              "\u2028", "abc", "１，２００", " ", "\t", "ｱｲｳ", "\xa0\n", "\n\u3000", "\x85",
              "\n", "𠮷野家", "ｚ９"]
    values: list[object] = []
    for _ in range(1000):
        values.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))))
    values += [None, 12.0, 3.5, True, "clean text", "  ", ""]
    expected = [normalise.text(v) for v in values]
    assert normalise.texts(values) == expected
    # the batch separator typed in a cell: the careful path, the same results
    values.append("私用領域\ue000の文字")
    assert normalise.texts(values) == [normalise.text(v) for v in values]
    # a control character anywhere: the careful path, still the same results and counts
    values.append("制御\x07文字")
    assert normalise.texts(values) == [normalise.text(v) for v in values]
    assert normalise.texts(values)[-1] == ("制御文字", 1)
    # without half-width katakana (the batch's one pass says so) and with it in one cell only
    plain = [v for v in values[:1007] if not (isinstance(v, str) and any(
        "\uff61" <= ch <= "\uff9f" for ch in v))]
    assert normalise.texts(plain) == [normalise.text(v) for v in plain]
    assert normalise.texts([*plain, "ﾃｽﾄ"])[-1] == ("テスト", 0)
    # a control character at the edge of the table (\x1f) and DEL (\x7f) are counted too
    assert normalise.texts([*plain, "a\x1fb\x7f"])[-1] == ("ab", 2)
