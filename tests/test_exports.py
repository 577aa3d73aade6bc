"""The one CSV guard and file-name sanitiser every download uses (app/exports.py)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from app.exports import csv_text, download_name, safe_file_name, safe_file_stem


def test_formula_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "text": ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "-", "ok"],
            "as text": ["-1.30", "+2", "1e-3", "-.5", "12", "x", "", "-inf"],
            "number": [-1.3, 2.0, 0.001, -0.5, 12.0, 0.0, 1.0, -7.25],
        }
    )
    rows = list(csv.DictReader(io.StringIO(csv_text(frame), newline="")))
    assert [r["text"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "'-",
        "ok",
    ]
    assert [r["as text"] for r in rows] == ["-1.30", "+2", "1e-3", "-.5", "12", "x", "", "'-inf"]
    assert [float(r["number"]) for r in rows] == list(frame["number"])  # numeric columns untouched


def test_file_names_keep_only_safe_characters() -> None:
    assert safe_file_name("../../etc/passwd", "x") == "etc_passwd"
    assert safe_file_name(".hidden.pdb", "x") == "hidden.pdb"
    assert safe_file_name("a b\\c:d<e>.cif", "x") == "a_b_c_d_e_.cif"
    assert safe_file_name("", "structure.pdb") == safe_file_name("///", "structure.pdb") == "structure.pdb"
    assert len(safe_file_name("a" * 500, "x")) == 120
    assert safe_file_stem("0f8fad5b-d9cb-469f-a165-70867728950e") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert safe_file_stem("../etc/pass wd") == "etc_pass_wd"
    assert download_name("../x y", "mutations", "csv") == "job-x_y-mutations.csv"
