"""A minimal text-layer PDF writer for tests: one Type0 font whose ToUnicode map carries the text.

No font program is embedded (a viewer would show boxes); text extraction only needs the
ToUnicode map, which is all a text-layer reader such as pdfminer.six uses.
"""

from __future__ import annotations


def make_pdf(pages: list[list[str]]) -> bytes:
    chars = sorted({ch for page in pages for line in page for ch in line})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}

    def hexstr(line: str) -> str:
        return "".join(f"{cid[ch]:04X}" for ch in line)

    cmap_lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(chars), 100):
        chunk = chars[start : start + 100]
        cmap_lines.append(f"{len(chunk)} beginbfchar")
        cmap_lines += [f"<{cid[ch]:04X}> <{ord(ch):04X}>" for ch in chunk]
        cmap_lines.append("endbfchar")
    cmap_lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    cmap = "\n".join(cmap_lines).encode()

    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    tounicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /TestSong /Flags 4 /FontBBox [0 -120 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    cidfont = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestSong "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /TestSong /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cidfont, tounicode)
    )
    page_ids = []
    for page in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "40 800 Td"]
        for line in page:
            ops.append(f"<{hexstr(line)}> Tj T*" if line else "T*")
        ops.append("ET")
        content = "\n".join(ops).encode()
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, font, stream)
            )
        )
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)
