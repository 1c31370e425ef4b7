#!/usr/bin/env python3
"""Writes the zip bombs of tests/hostile_workbooks.rs (committed; rerun to rebuild them).

Each is a well-formed XLSX whose one sheet holds a single cell with a text of `size` bytes:
a naive reader inflates the sheet XML and holds the text in memory.

    python3 tests/data/ostili/crea.py
"""
import os
import zlib
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Obiettivi" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>'
)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>'
).encode()
TAIL = b'</t></is></c></row></sheetData></worksheet>'


def bomb(name, size):
    """A workbook whose sheet XML is `size` bytes long, deflated in one pass."""
    chunk = b'A' * (1 << 20)
    body = size - len(HEAD) - len(TAIL)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc = zlib.crc32(HEAD)
    parts = [deflate.compress(HEAD)]
    left = body
    while left > 0:
        piece = chunk if left >= len(chunk) else chunk[:left]
        crc = zlib.crc32(piece, crc)
        parts.append(deflate.compress(piece))
        left -= len(piece)
    crc = zlib.crc32(TAIL, crc)
    parts.append(deflate.compress(TAIL))
    parts.append(deflate.flush())
    data = b''.join(parts)

    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CONTENT_TYPES)
        z.writestr('_rels/.rels', ROOT_RELS)
        z.writestr('xl/workbook.xml', WORKBOOK)
        z.writestr('xl/_rels/workbook.xml.rels', WORKBOOK_RELS)
    # The sheet is appended with its precomputed deflate stream (zipfile would inflate the
    # sizes into memory first); zip64 extra fields are not needed below 4 GiB.
    with zipfile.ZipFile(path, 'a') as z:
        info = zipfile.ZipInfo('xl/worksheets/sheet1.xml', date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = size
        info.compress_size = len(data)
        info.CRC = crc & 0xFFFFFFFF
        with z._lock:
            z.fp.seek(z.start_dir)
            info.header_offset = z.fp.tell()
            z._writecheck(info)
            z._didModify = True
            z.fp.write(info.FileHeader(zip64=False))
            z.fp.write(data)
            z.start_dir = z.fp.tell()
            z.filelist.append(info)
            z.NameToInfo[info.filename] = info
    print(f'{name}: {os.path.getsize(path):,} bytes, sheet XML {size:,} bytes')


if __name__ == '__main__':
    # Over the 32 MiB from which the ratio is checked, about 1,000:1.
    bomb('bomba-rapporto.xlsx', 64 << 20)
    # Over the 1 GiB limit per part: 2 GiB of sheet XML from about 2 MB.
    bomb('bomba-2gb.xlsx', (2 << 30) - 1)
