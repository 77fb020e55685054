"""Numbers as sources write them, in English and Chinese, and the rounding interval of a literal."""

from __future__ import annotations

import re

import pytest

from kb import dates, numbers
from kb.errors import KbError
from kb.numbers import literal_interval, literal_wide, parse_numbers


def values(text: str) -> list[tuple[float, float, str | None]]:
    return [(p.lo, p.hi, p.currency) for p in parse_numbers(text) if not p.is_date]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.8 trillion", (1.8e12, 1.8e12, None)),
        ("$63 million", (63e6, 63e6, "USD")),
        ("60M", (60e6, 60e6, None)),
        ("2.15e25", (2.15e25, 2.15e25, None)),
        ("300W–700W", (300, 700, None)),
        ("$0.10 - $1.00", (0.10, 1.00, "USD")),
        ("0.177 cents", (0.177, 0.177, "cent")),
        ("$80K - $200K", (80e3, 200e3, "USD")),
        ("$100M - $1B", (100e6, 1e9, "USD")),
        ("1.8–2 trillion", (1.8e12, 2e12, None)),
        ("32% to 36%", (0.32, 0.36, None)),
        ("hundreds of billions", (1e11, 1e12, None)),
        ("1.8 万亿", (1.8e12, 1.8e12, None)),
        ("2800 亿", (2.8e11, 2.8e11, None)),
        ("6000 万", (6e7, 6e7, None)),
        ("0.177美分", (0.177, 0.177, "cent")),
        ("170万美元", (1.7e6, 1.7e6, "USD")),
        ("6300 万美元", (6.3e7, 6.3e7, "USD")),
        ("15,000 倍", (15000, 15000, None)),
        ("数百万美元", (2e6, 9e6, None)),
    ],
)
def test_numbers_in_both_languages(text: str, expected: tuple[float, float, str | None]) -> None:
    found = values(text)
    assert any(
        lo == pytest.approx(expected[0]) and hi == pytest.approx(expected[1]) and cur == expected[2]
        for lo, hi, cur in found
    ), found


def test_digits_inside_names_are_not_numbers() -> None:
    assert values("an A100 and a V100") == []


def test_approximation_markers() -> None:
    assert parse_numbers("~$0.01")[0].approx
    assert parse_numbers("大约 2800 亿")[0].approx
    assert not parse_numbers("2800 亿")[0].approx


def test_dates_in_both_languages() -> None:
    dates = [
        p for p in parse_numbers("Pi Day (March 14th 2023), trained by August 2022, 2023年4月") if p.is_date
    ]
    # A day, a month of 31 days and one of 30, each ending just before the next begins.
    assert [round(d.hi - d.lo) for d in dates] == [1, 31, 30]


@pytest.mark.parametrize(
    ("literal", "interval"),
    [
        ("1.8", (1.75, 1.85)),
        ("2.15e25", (2.145e25, 2.155e25)),
        ("1.00", (0.995, 1.005)),
        ("25", (24.5, 25.5)),
        ("6000", (5999.5, 6000.5)),
        ("1110", (1109.5, 1110.5)),
        ("1e3", (500, 1500)),
        ("0.177", (0.1765, 0.1775)),
    ],
)
def test_rounding_interval_of_a_literal(literal: str, interval: tuple[float, float]) -> None:
    lo, hi = literal_interval(literal)
    assert lo == pytest.approx(interval[0])
    assert hi == pytest.approx(interval[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 1.8-trillion-parameter model", (1.8e12, 1.8e12)),
        ("175-billion parameter", (175e9, 175e9)),
        ("10-20%", (0.1, 0.2)),
    ],
)
def test_hyphenated_scale_words_and_percent_ranges(text: str, expected: tuple[float, float]) -> None:
    assert any(
        lo == pytest.approx(expected[0]) and hi == pytest.approx(expected[1]) for lo, hi, _ in values(text)
    )


def test_a_letter_after_a_space_is_not_a_scale_word() -> None:
    assert values("8 B200 GPUs") == [(8.0, 8.0, None)]
    assert values("4 T4 GPUs") == [(4.0, 4.0, None)]


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("420", (415.0, 425.0)),
        ("6000", (5500.0, 6500.0)),
        ("25,000", (24500.0, 25500.0)),
        ("25", (24.5, 25.5)),
        ("2.0", (1.95, 2.05)),
        ("539.00", (538.995, 539.005)),
        ("2.15e25", (2.145e25, 2.155e25)),
        ("0", (-0.5, 0.5)),
    ],
)
def test_trailing_zeros_of_an_integer_may_be_rounding(text: str, interval: tuple[float, float]) -> None:
    assert literal_wide(text) == pytest.approx(interval)


def test_plain_text_without_marks_reads_as_the_full_scan_does() -> None:
    """markup.plain skips its scan for a text with no mark markup begins with: same result."""
    import random

    from kb import markup

    def scanned(text: str) -> markup.Plain:
        out, offsets, last = [], [], 0
        for m in markup._MARKUP.finditer(text):
            rep = markup._replacement(m)
            out += [text[last : m.start()], rep]
            offsets += [*range(last, m.start()), *[m.start()] * len(rep)]
            last = m.end()
        out.append(text[last:])
        offsets += range(last, len(text))
        return markup.Plain("".join(out), tuple(offsets), text)

    pieces = ["<sup>", "</sup>", "&amp;", "&#10007;", "](x)", "https://a.b", "www.x", "\\.", "**", "__"]
    pieces += ["*", "`", "a", " ", "1", "_", "h", "w", "<", "&", "]", "(", "万"]
    rng = random.Random(3)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    assert sum(not any(m in t for m in markup._MARKS) for t in texts) > 100  # the fast path is tried
    for text in texts:
        assert markup.plain(text) == scanned(text), text


def _without_head(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern less the lookahead it opens with (its first characters)."""
    head = re.match(r"\(\?=\[[^\]]*\]\)", pattern.pattern)
    assert head is not None, pattern.pattern[:40]
    return re.compile(pattern.pattern[head.end() :], pattern.flags)


def test_the_lookahead_of_each_pattern_changes_no_match() -> None:
    """Each pattern of numbers.py opens with a lookahead for the characters a match can begin with,
    only to fail fast elsewhere: the matches (spans and groups) are those of the pattern without it."""
    import random

    patterns = [numbers._TOKEN, numbers._VAGUE, dates._DATE_EN, dates._DATE_ISO]
    patterns += [dates._DATE_ZH, dates._DATE_DOTTED, numbers._WORD_NUMBER]
    pieces = list("0123456789.,-~≈$¥￥ eExX×*^·%kKMBTmbn") + ["ſ", "K", "ı", "١٢٣", "二"]
    pieces += ["about ", "around ", "roughly ", "approximately ", "nearly ", "大约", "约合", "约", "近"]
    pieces += ["US$", "USD ", "Usd", "ABOUT ", "美元", "美金", "美分", "元", "dollars", "cents", "percent"]
    pieces += ["个百分点", "thousand", "million", "billion", "trillion", "十", "百", "千", "万", "亿", "数"]
    pieces += ["hundreds of ", "Thousands of ", "tens of ", "dozens of ", "millions", "Jan ", "February "]
    pieces += ["mar. ", "May ", "sept ", "Oct ", "2023", "1999", "-03", "-14", "年", "月", "日", "one "]
    pieces += ["Two ", "twelve ", "dozen ", "hundred ", "eight"]
    rng = random.Random(5)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 20))) for _ in range(4000)]
    for pattern in patterns:
        plain = _without_head(pattern)
        for text in texts:
            found = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
            assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)], (pattern.pattern, text)


def test_single_numbers_read_each_number_as_written_numbers_do() -> None:
    """single_numbers skips building a WrittenNumber per match: the numbers are the same."""
    import math

    texts = ["Model-A0-0 has 122 billion parameters", "~13 trillion tokens", "170万美元", "$0.10 - $1.00"]
    texts += [
        "3.0 × 10^-4 and 15%",
        "0.177美分",
        "about 1,000 GPUs for 2 months",
        "1e999 and 5 mn",
        "US$ 3bn",
    ]
    for text in texts:
        expected = []
        for m in numbers._TOKEN.finditer(text):
            w = numbers._written(m)
            v = numbers._value(w)
            if math.isfinite(v):
                expected.append(numbers.ParsedNumber(v, v, w.currency, w.approx, start=w.start, end=w.end))
        assert list(numbers.single_numbers(text)) == expected, text


def test_a_plain_literal_reads_as_its_decimal() -> None:
    """literal_parts reads a plain literal ("1.80", "2.15e25") without Decimal: the same value and
    last digit's place, so the same rounding interval, to the last bit."""
    import math
    import random
    from decimal import Decimal

    def by_decimal(text: str) -> tuple[float, float, float]:
        d = Decimal(text)
        v, exponent = float(d), d.as_tuple().exponent
        assert isinstance(exponent, int)
        h = numbers._half(text, exponent)
        return v, v - h, v + h

    rng = random.Random(1)
    texts = ["1.8", "122", "1.87e25", "+2.50", "-3", "1E+05", "007", "5e-324", "1.7976931348623157e308"]
    for _ in range(20_000):
        text = str(rng.randint(0, 10 ** rng.randint(0, 18)))
        if rng.random() < 0.5:
            text += "." + str(rng.randint(0, 10 ** rng.randint(0, 8))).zfill(rng.randint(1, 6))
        if rng.random() < 0.4:
            text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randint(0, 330))
        texts.append(rng.choice(["", "-", "+"]) + text)
    for text in texts:
        try:
            expected = by_decimal(text)
        except KbError:
            with pytest.raises(KbError):
                numbers.literal_parts(text)
            continue
        if expected[0] == 0 or math.isinf(expected[0]):
            continue  # refused or zero: the careful path, the same code as before
        assert [x.hex() for x in numbers.literal_parts(text)] == [x.hex() for x in expected], text


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        # Day before month, as British and European documents write it (the BLOOM model card).
        ("Started 11th March, 2022 11:42am PST", "2022-03-11"),
        ("Estimated end: 5th July, 2022", "2022-07-05"),
        ("**Release Date Estimate:** Monday, 11.July.2022", "2022-07-11"),
        ("Version 1.0 / 25.May.2022", "2022-05-25"),
        ("released on 3 March 2023", "2023-03-03"),
        ("the 1st of June 2021", "2021-06-01"),
    ],
)
def test_day_first_dates_keep_their_day(text: str, literal: str) -> None:
    dates = [w.literal for w in numbers.written_numbers(text) if w.is_date]
    assert dates == [literal]
    spans = [p for p in parse_numbers(text) if p.is_date]
    assert len(spans) == 1 and round(spans[0].hi - spans[0].lo) == 1


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        # 千卡 "a thousand cards", 万卡 "ten thousand cards": the scale character alone is the number.
        ("我们在千卡 A800 显卡上达到了 7B 模型 182 TFLOPS 的吞吐", "1000"),
        ("建设万卡集群", "10000"),
        ("在百卡规模上", "100"),
    ],
)
def test_a_chinese_scale_character_alone_counts_cards(text: str, literal: str) -> None:
    found = [w for w in numbers.written_numbers(text) if w.literal == literal]
    assert len(found) == 1 and found[0].scale == 1.0
    assert any(p.lo == float(literal) for p in parse_numbers(text))


def test_a_scale_character_after_a_number_is_its_scale_not_a_count_of_cards() -> None:
    assert [w.literal for w in numbers.written_numbers("用了2千卡")] == ["2"]
    assert [w.literal for w in numbers.written_numbers("三千卡")] == []


@pytest.mark.parametrize(
    ("text", "literals"),
    [
        # Pythia's checkpoint steps: "1,2" cannot be thousands, so no comma of the run is.
        (
            "steps {1,2,4,8,16,32,64, 128,256,512} and",
            ["1", "2", "4", "8", "16", "32", "64", "128", "256", "512"],
        ),
        ("the set {128,256,512}", ["128", "256", "512"]),  # a set in braces lists its members
        ("sizes 1000,2000,4000 tokens", ["1000", "2000", "4000"]),  # 4 digits before a comma
        ("costs 1,000, 2,000 and 3,000", ["1000", "2000", "3000"]),  # thousands, listed
        ("a batch of 2,097,152 tokens", ["2097152"]),
        ("in 2022, 2023", ["2022", "2023"]),
    ],
)
def test_a_list_of_numbers_is_not_one_number(text: str, literals: list[str]) -> None:
    assert [w.literal for w in numbers.written_numbers(text)] == literals
    expected = [float(x) for x in literals]
    assert [p.lo for p in parse_numbers(text) if not p.is_date] == expected
    assert [p.lo for p in numbers.single_numbers(text)] == expected


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("and consumed 3.14+23 FLOPs", [3.14e23]),  # metaseq's OPT-175B note: 3.14E+23 without its E
        ("~19.6+9. Next", [1.96e10]),
        ("3+4 GPUs", [3.0, 4.0]),  # no decimal part: two numbers
        ("0.5+0.5", [0.5, 0.5]),  # a sum, not an exponent
        ("3.14 + 23", [3.14, 23.0]),  # an exponent is written right after the digits
        ("1.5+2 = 3.5", [1.5, 2.0, 3.5]),  # arithmetic: too small an exponent, and an "="
        ("13.5+2 GB", [13.5, 2.0]),
        ("GPT-3.5+4", [3.5, 4.0]),
        ("3.5+100 examples", [3.5, 100.0]),  # no exponent of three digits
    ],
)
def test_an_exponent_without_its_e_after_a_decimal_part(text: str, values: list[float]) -> None:
    assert [p.lo for p in parse_numbers(text)] == pytest.approx(values)
    assert [float(w.literal) for w in numbers.written_numbers(text)] == pytest.approx(values)


def test_a_quote_with_an_exponent_without_its_e_states_the_value() -> None:
    from kb.quotes import value_in_quote
    from kb.units import unit_info
    from kb.values import stated_value

    flop = unit_info("FLOP")
    assert value_in_quote(stated_value("3.14e23", flop, None), flop, "and consumed 3.14+23 FLOPs")[0]
    assert not value_in_quote(stated_value("23", flop, None), flop, "and consumed 3.14+23 FLOPs")[0]


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("0.22 ~ 2.42 万亿", [(2.2e11, 2.42e12)]),  # the Baichuan2 README: a range, not "about 2.42"
        ("10~20 GPUs", [(10.0, 20.0)]),
        ("10 ~20 GPUs", []),  # "about 20" after 10
    ],
)
def test_a_tilde_between_two_numbers_joins_a_range(text: str, ranges: list[tuple[float, float]]) -> None:
    found = [(p.lo, p.hi) for p in parse_numbers(text) if p.is_range]
    assert found == pytest.approx(ranges)
    assert all(not p.approx for p in parse_numbers(text) if p.is_range)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("| mC4 3.1.0 - English | 417.99 B | 0.33 |", 417.99e9),  # the MPT-7B card's tokens column
        ("125 M params", 125e6),
        ("8 B200 GPUs", 8.0),  # a name, not a scale
        ("2 B/parameter", 2.0),  # bytes per parameter, not billions
        ("2 B per parameter", 2.0),
        ("emitted 25 t CO2eq", 25.0),  # lower case: tonnes, metres, bits; no scale words
        ("took 14 m on 8 GPUs", 14.0),
        ("4 b quantization", 4.0),
    ],
)
def test_a_capital_scale_letter_after_a_space(text: str, value: float) -> None:
    assert value in [pytest.approx(p.lo) for p in parse_numbers(text)]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("模型有四个专家", [4.0]),  # four experts
        ("共二十四层", [24.0]),  # 24 layers
        ("十二个", [12.0]),
        ("第三个", []),  # the third: an ordinal
        ("一个模型", []),  # "a model": the article
        ("四川", []),  # a place, no classifier
        ("约七千亿中英文以及代码单词", [7e11]),  # the MOSS README: 700 billion words
        ("两千万条", [2e7]),
        ("一千亿", [1e11]),
    ],
)
def test_chinese_numerals_in_a_quote_are_read(text: str, values: list[float]) -> None:
    assert [p.lo for p in parse_numbers(text)] == values
    assert numbers.written_numbers(text) == []  # kb extract does not propose them


def test_a_ranges_first_end_takes_the_scale_written_after_the_second() -> None:
    from kb.quotes import value_in_quote
    from kb.units import unit_info
    from kb.values import stated_value

    unit, quote = unit_info("trillion token"), "分别对应训练 0.22 ~ 2.42 万亿 Tokens"
    values = ("0.22", "2.42", "1.5")
    stated = [v for v in values if value_in_quote(stated_value(v, unit, None), unit, quote)[0]]
    assert stated == ["0.22", "2.42"]
