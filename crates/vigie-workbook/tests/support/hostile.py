"""Turns a workbook into a hostile one, as another program or a careless person would:
python3 hostile.py IN OUT OP [ARG...]. OP is one of
  xlsm                 what Excel saves as a macro-enabled workbook (a VBA project inside);
  encrypt PASSWORD     password-protected by msoffcrypto-tool (ECMA-376 agile encryption);
  zipbomb              an extra entry of 300 MB of zeros, deflated to well under 1 MB;
  bind KEY VALUE       a value of the hidden binding sheet changed (openpyxl);
  rename_sheet I NAME  the I-th sheet (0: the instructions) renamed (openpyxl);
  move_sheet I OFFSET  the I-th sheet moved by OFFSET places (openpyxl)."""
import sys
import zipfile

src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]


def rewrite(extra, edit_content_types=None):
    with zipfile.ZipFile(src) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "[Content_Types].xml" and edit_content_types:
                data = edit_content_types(data)
            z.writestr(name, data)
        for name, data in extra:
            z.writestr(name, data)


if op == "xlsm":
    # An OLE compound file header stands for the VBA project's bytes; the content types say
    # macro-enabled, as Excel writes them for .xlsm.
    vba = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)

    def macro_enabled(data):
        data = data.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        return data.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        )

    rewrite([("xl/vbaProject.bin", vba)], macro_enabled)
elif op == "encrypt":
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as f, open(dst, "wb") as out:
        OOXMLFile(f).encrypt(args[0], out)
elif op == "zipbomb":
    rewrite([("xl/media/image1.png", bytes(300 << 20))])
elif op == "bind":
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb["_vigie"]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == args[0]:
            row[1].value = args[1]
            break
    else:
        raise SystemExit("no binding key " + args[0])
    wb.save(dst)
elif op in ("rename_sheet", "move_sheet"):
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[int(args[0])]
    if op == "rename_sheet":
        ws.title = args[1]
    else:
        wb.move_sheet(ws, offset=int(args[1]))
    wb.save(dst)
else:
    raise SystemExit("unknown op " + op)
