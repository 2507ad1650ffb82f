import csv
import io

import pytest

from huoli.core.spreadsheet import neutralise, neutralised_row, unneutralise


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe_and_gets_it_back(lead):
    text = f"{lead}1+1"
    assert neutralise(text) == f"'{text}"
    assert unneutralise(neutralise(text)) == text


def test_genuine_numbers_stay_numbers_and_other_texts_stay_as_they_are():
    # A number written as a number is read by a spreadsheet as a number, never as a formula.
    assert neutralised_row([-3, 2.5, 0, "<5", "×", "it's", None]) == [  # noqa: RUF001
        -3, 2.5, 0, "<5", "×", "it's", ""  # noqa: RUF001
    ]  # fmt: skip
    # A text that looks like a number is still a text.
    assert neutralise("-3") == "'-3"
    # Only an apostrophe the export added comes off.
    assert unneutralise("'quoted'") == "'quoted'"
    out = io.StringIO()
    csv.writer(out).writerow(neutralised_row(["=SUM(A1)", -3]))
    assert out.getvalue() == "'=SUM(A1),-3\r\n"
