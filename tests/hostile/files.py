"""Hostile files, made on the fly (nothing binary is committed)."""

import io
import zipfile


def ten_mb_single_line(prefix=b"organisationsnummer;namn;giltig_fran\n") -> bytes:
    """A header, then one 10 MB line without a line break."""
    return prefix + b"5" * (10 * 1024 * 1024)


def zip_bomb_xlsx() -> bytes:
    """Looks like an XLSX workbook ([Content_Types].xml, xl/workbook.xml, a worksheet) but one part
    unpacks to 500 MB (about 0.5 MB compressed): a zip bomb with an .xlsx name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(500):
                part.write(chunk)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A small, valid PDF whose catalog runs JavaScript when it is opened (/OpenAction /JS)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript << /Names [(x) 4 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hej'\\);) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def latin1_csv(header: str, row: str) -> bytes:
    return f"{header}\n{row}\n".encode("latin-1")
