"""Edits a workbook as a person would in a spreadsheet program, with openpyxl (an
independent writer): python3 edit.py IN OUT OPS.json, where OPS is a list of operations."""
import datetime
import json
import random
import string
import sys
import zipfile

import openpyxl

src, dst, ops_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(ops_path, encoding="utf-8") as f:
    ops = json.load(f)
wb = openpyxl.load_workbook(src)
big = None


def find(key, required=True):
    for ws in wb.worksheets:
        if ws.title == "_vigie":
            continue
        for row in ws.iter_rows(min_row=3):
            if len(row) > 5 and row[5].value == key:
                return ws, row[0].row
    if required:
        raise SystemExit("no row for " + key)
    return None, None


def put(cell, value):
    if isinstance(value, dict) and "date" in value:
        cell.value = datetime.datetime.fromisoformat(value["date"])
    elif isinstance(value, dict) and "formula" in value:
        cell.value = value["formula"]  # openpyxl stores a string starting with = as a formula
    else:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with =


for op in ops:
    kind = op["op"]
    if kind == "fill":
        ws, r = find(op["key"], not op.get("if_present", False))
        if ws is None:
            continue
        put(ws.cell(row=r, column=4), op["value"])
        if "note" in op:
            put(ws.cell(row=r, column=5), op["note"])
    elif kind == "rename":
        wb[op["from"]].title = op["to"]
    elif kind == "move_sheet":
        wb.move_sheet(op["name"], offset=op["offset"])
    elif kind == "delete_row":
        ws, r = find(op["key"])
        ws.delete_rows(r)
    elif kind == "swap":
        ws, a = find(op["a"])
        _, b = find(op["b"])
        for col in range(1, 7):
            ca, cb = ws.cell(row=a, column=col), ws.cell(row=b, column=col)
            ca.value, cb.value = cb.value, ca.value
    elif kind == "edit_question":
        ws, r = find(op["key"])
        ws.cell(row=r, column=2).value = op["text"]
    elif kind == "add_sheet":
        ws = wb.create_sheet(op["name"])
        ws["A1"] = "my notes"
    elif kind == "many_rows":
        ws = wb.worksheets[op["sheet"]]
        for i in range(op["rows"]):
            ws.cell(row=10 + i, column=8).value = i
    elif kind == "big_cell":
        # openpyxl cuts a cell at Excel's 32,767 characters when saving: write a marker, and
        # put the long text in its place in the saved file (below), as a hostile writer would.
        ws, r = find(op["key"])
        ws.cell(row=r, column=5).value = "@@BIG@@"
        rng = random.Random(7)
        big = "".join(rng.choice(string.ascii_letters + " ") for _ in range(op["chars"]))
    elif kind == "cell":
        put(wb.worksheets[op["sheet"]][op["cell"]], op["value"])
    else:
        raise SystemExit("unknown op " + kind)
wb.save(dst)
if big is not None:
    with zipfile.ZipFile(dst) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info.filename, data.replace(b"@@BIG@@", big.encode()))
