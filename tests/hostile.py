"""Generate the corpus of hostile and odd files that ingest must survive (nothing binary is kept
in the repository: every file is built here, from a real generated workbook where it matters).

    python -m tests.hostile OUT_DIR [--template WORKBOOK.xlsx] [--foreign OTHER.xlsx]

Without ``--template`` a small workbook is written with xlsxwriter and used as the base. Files
made by LibreOffice (.ods and .xls of our template and of a foreign workbook) are added when
``soffice`` is installed. Big files are streamed: nothing of their inflated size is ever held in
memory, and they stay small on disk because they compress well.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import struct
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from fujimi_xl.intake import reader

MiB = 1024 * 1024

# -- zip helpers ----------------------------------------------------------------------------


def parts(src: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(src) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write_zip(out: Path, members: dict[str, bytes | Callable[[], Iterator[bytes]]]) -> Path:
    """Write a zip; a member given as a callable is streamed chunk by chunk."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if callable(data):
                with zf.open(name, "w", force_zip64=False) as fh:
                    for chunk in data():
                        fh.write(chunk)
            else:
                zf.writestr(name, data)
    return out


def with_parts(src: Path, out: Path, change: dict[str, bytes | Callable[[], Iterator[bytes]]
                                                  | None]) -> Path:
    """A copy of the package ``src`` with parts replaced, added, or removed (None)."""
    members: dict[str, bytes | Callable[[], Iterator[bytes]]] = dict(parts(src))
    for name, data in change.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    return write_zip(out, members)


def input_sheet_part(src: Path, sheet: str = "入力") -> str:
    """The part holding the sheet named ``sheet`` (the first sheet when there is none)."""
    import xml.etree.ElementTree as ET  # our own generated file, not untrusted input

    p = parts(src)
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    targets = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(
        p["xl/_rels/workbook.xml.rels"])}
    found = [(s.get("name"), targets[s.get(rel_ns)]) for s in ET.fromstring(
        p["xl/workbook.xml"]).iter() if s.tag.endswith("}sheet")]
    target = next((t for n, t in found if n == sheet), found[0][1])
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


# -- not a workbook, or a broken one ----------------------------------------------------------


def empty(src: Path, out: Path) -> Path:
    out.write_bytes(b"")
    return out


def truncated(src: Path, out: Path) -> Path:
    data = src.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


def csv_renamed(src: Path, out: Path) -> Path:
    out.write_bytes("管理番号,評価,理由\r\n4-2-1,A,\r\n".encode("cp932"))
    return out


def html_renamed(src: Path, out: Path) -> Path:
    out.write_text("<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>評価</title></head>"
                   "<body><table><tr><td>管理番号</td><td>評価</td></tr>"
                   "<tr><td>4-2-1</td><td>A</td></tr></table></body></html>\n",
                   encoding="utf-8")
    return out


def corrupt_deflate(src: Path, out: Path) -> Path:
    """The real package with bytes in the middle of the input sheet's compressed data broken."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(input_sheet_part(src))
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26: info.header_offset
                                                   + 30])
    start = info.header_offset + 30 + name_len + extra_len
    mid = start + info.compress_size // 2
    for i in range(mid, mid + 16):
        data[i] ^= 0xA5
    out.write_bytes(bytes(data))
    return out


def missing_workbook_xml(src: Path, out: Path) -> Path:
    return with_parts(src, out, {"xl/workbook.xml": None})


def missing_sheet_part(src: Path, out: Path) -> Path:
    return with_parts(src, out, {input_sheet_part(src): None})


# -- resource attacks ---------------------------------------------------------------------------

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
              b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def _padded_sheet(inflated: int) -> Callable[[], Iterator[bytes]]:
    """A worksheet of ``inflated`` bytes, mostly blanks, produced chunk by chunk."""

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD
        left = inflated - len(SHEET_HEAD) - len(SHEET_TAIL)
        block = b" " * MiB
        while left > 0:
            piece = block[: min(left, MiB)]
            left -= len(piece)
            yield piece
        yield SHEET_TAIL

    return chunks


def zip_bomb(src: Path, out: Path) -> Path:
    """The input sheet inflates to more than reader.MAX_INFLATED_BYTES (written streaming)."""
    size = reader.MAX_INFLATED_BYTES + 10 * MiB
    return with_parts(src, out, {input_sheet_part(src): _padded_sheet(size)})


def ratio_bomb(src: Path, out: Path) -> Path:
    """A part far more compressed than any spreadsheet part (about 1000:1), under the size limit."""
    return with_parts(src, out, {input_sheet_part(src): _padded_sheet(24 * MiB)})


def lying_bomb(src: Path, out: Path) -> Path:
    """A part whose zip headers declare 1 MiB (with the CRC of that first MiB) while its
    compressed data inflates to 40 MiB: only a reader that trusts the headers is fooled."""
    name = input_sheet_part(src)
    real = 40 * MiB
    tmp = out.with_suffix(".tmp")
    with_parts(src, tmp, {name: _padded_sheet(real)})
    data = bytearray(tmp.read_bytes())
    tmp.unlink()
    declared = MiB
    crc = 0
    got = 0
    for chunk in _padded_sheet(real)():
        take = chunk[: declared - got]
        crc = zlib.crc32(take, crc)
        got += len(take)
        if got >= declared:
            break
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(name)
    # local header: crc at +14, uncompressed size at +22
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    # central directory entry: crc at +16, uncompressed size at +24
    encoded = name.encode()
    pos = data.find(b"PK\x01\x02", 0)
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46: pos + 46 + name_len] == encoded:
            struct.pack_into("<I", data, pos + 16, crc)
            struct.pack_into("<I", data, pos + 24, declared)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    out.write_bytes(bytes(data))
    return out


def _add_rows(src: Path, out: Path, rows: Callable[[], Iterator[bytes]]) -> Path:
    """Append rows to the input sheet's <sheetData>, streaming."""
    name = input_sheet_part(src)
    xml = parts(src)[name]
    head, sep, tail = xml.partition(b"</sheetData>")
    assert sep, "no </sheetData> in the input sheet"

    def chunks() -> Iterator[bytes]:
        yield head
        yield from rows()
        yield sep + tail

    return with_parts(src, out, {name: chunks})


def far_cell(src: Path, out: Path) -> Path:
    """A small, legal workbook with one value at XFD1048576 (python-calamine aborts on it)."""

    def rows() -> Iterator[bytes]:
        yield (b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
               b"</row>")

    return _add_rows(src, out, rows)


def far_cell_other_namespace(src: Path, out: Path) -> Path:
    """The far cell where a checker that follows the schema would not count it, though
    python-calamine reads it: its row and cell in another namespace."""

    def rows() -> Iterator[bytes]:
        yield (b'<row r="1048576" xmlns="urn:fujimi:elsewhere"><c r="XFD1048576" t="inlineStr">'
               b"<is><t>x</t></is></c></row>")

    return _add_rows(src, out, rows)


def far_cell_alternate_content(src: Path, out: Path) -> Path:
    """The far cell wrapped in mc:AlternateContent (python-calamine still reads it)."""

    def rows() -> Iterator[bytes]:
        yield (b'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-'
               b'compatibility/2006"><mc:Choice Requires="x14"><row r="1048576"><c r="XFD1048576"'
               b' t="inlineStr"><is><t>x</t></is></c></row></mc:Choice></mc:AlternateContent>')

    return _add_rows(src, out, rows)


def million_rows(src: Path, out: Path) -> Path:
    """About 1,000,000 styled empty rows after the data (generated streaming, a few MB zipped)."""

    def rows() -> Iterator[bytes]:
        first = 1000
        batch = 20000
        for start in range(first, first + 1_000_000, batch):
            yield "".join(f'<row r="{n}" s="1" customFormat="1"/>'
                          for n in range(start, start + batch)).encode()

    return _add_rows(src, out, rows)


def deep_xml(src: Path, out: Path) -> Path:
    """A custom XML part nested 100,000 levels deep."""
    depth = 100_000

    def chunks() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
        yield b"<a>" * depth
        yield b"</a>" * depth

    return with_parts(src, out, {"customXml/item1.xml": chunks})


LAUGHS = (b'<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + b"".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n'
                     .replace("&lol0;", "&lol;").encode() for i in range(1, 10))
          + b"]>\n")


def _with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """``doctype`` inserted after the XML declaration."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + doctype + xml[end:]
    return doctype + xml


def laughs_in_workbook(src: Path, out: Path) -> Path:
    xml = parts(src)["xl/workbook.xml"]
    xml = _with_doctype(xml, LAUGHS).replace(b'name="', b'name="&lol9;', 1)
    return with_parts(src, out, {"xl/workbook.xml": xml})


def laughs_in_shared_strings(src: Path, out: Path) -> Path:
    xml = parts(src)["xl/sharedStrings.xml"]
    xml = _with_doctype(xml, LAUGHS).replace(b"<t>", b"<t>&lol9;", 1)
    return with_parts(src, out, {"xl/sharedStrings.xml": xml})


XXE = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def external_entity_in_shared_strings(src: Path, out: Path) -> Path:
    xml = parts(src)["xl/sharedStrings.xml"]
    xml = _with_doctype(xml, XXE).replace(b"<t>", b"<t>&xxe;", 1)
    return with_parts(src, out, {"xl/sharedStrings.xml": xml})


def external_entity_in_content_types(src: Path, out: Path) -> Path:
    name = "[Content_Types].xml"
    xml = _with_doctype(parts(src)[name],
                        b'<!DOCTYPE Types [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>')
    return with_parts(src, out, {name: xml.replace(b"</Types>", b"<!-- &xxe; --></Types>")})


# -- password-encrypted --------------------------------------------------------------------------

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding ``streams`` at its root.
    Streams are padded to 4096 bytes so they live in regular sectors (no mini stream)."""
    sector = 512
    data = {n: b.ljust(max(4096, -(-len(b) // sector) * sector), b"\0")
            for n, b in streams.items()}
    names = sorted(data, key=lambda n: (len(n), n.upper()))
    assert len(names) <= 3
    fat = [FATSECT, ENDOFCHAIN]  # sector 0: FAT, sector 1: directory
    starts = {}
    for n in names:
        count = len(data[n]) // sector
        starts[n] = len(fat)
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(ENDOFCHAIN)
    assert len(fat) <= 128
    fat += [FREESECT] * (128 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int,
              size: int) -> bytes:
        enc = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", enc.ljust(64, b"\0"), len(enc), kind, 1,
                           left, right, child, b"\0" * 16, 0, 0, 0, start, size)

    entries = [entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1, ENDOFCHAIN, 0)]
    for i, n in enumerate(names, start=1):
        right = i + 1 if i < len(names) else NOSTREAM
        entries.append(entry(n, 2, NOSTREAM, right, NOSTREAM, starts[n], len(streams[n])))
    while len(entries) < 4:
        entries.append(entry("", 0, NOSTREAM, NOSTREAM, NOSTREAM, 0, 0))
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", reader._OLE_MAGIC, b"\0" * 16, 0x3E, 3,
                         0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108
    body = struct.pack("<128I", *fat) + b"".join(entries)
    for n in names:
        body += data[n]
    return header + body


def encrypted_minimal(src: Path, out: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE2 compound file holding
    EncryptionInfo and EncryptedPackage (here with random-looking content)."""
    out.write_bytes(compound_file({
        "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40) + os.urandom(200),
        "EncryptedPackage": struct.pack("<Q", src.stat().st_size) + os.urandom(4000),
    }))
    return out


def encrypted_real(src: Path, out: Path) -> Path | None:
    """The workbook really encrypted with a password (msoffcrypto-tool), when it is installed."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    with open(src, "rb") as fh, open(out, "wb") as dst:
        OOXMLFile(fh).encrypt("himitsu", dst)
    return out


# -- other formats staff really send -------------------------------------------------------------

MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def xlsm(src: Path, out: Path) -> Path:
    """Our workbook saved as macro-enabled: a vbaProject.bin part and the macro content type."""
    p = parts(src)
    types = p["[Content_Types].xml"].replace(PLAIN_WORKBOOK.encode(), MACRO_WORKBOOK.encode())
    types = types.replace(b"<Override ", b'<Default Extension="bin" ContentType="application/'
                          b'vnd.ms-office.vbaProject"/><Override ', 1)
    rels = p["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
        b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    vba = compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
                                    b"Document=ThisWorkbook/&H00000000\r\n"
                                    b'Name="VBAProject"\r\n',
                         "PROJECTwm": b"ThisWorkbook\0T\0h\0i\0s\0\0\0\0\0"})
    return with_parts(src, out, {"[Content_Types].xml": types,
                                 "xl/_rels/workbook.xml.rels": rels,
                                 "xl/vbaProject.bin": vba})


def soffice_convert(files: list[Path], fmt: str, out_dir: Path, timeout: float = 120) -> None:
    """Convert ``files`` with LibreOffice headless (own profile) into ``out_dir``."""
    from fujimi_xl.output.pdf import libreoffice

    exe = libreoffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fujimi-test-lo-") as profile:
        subprocess.run([exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--norestore", "--convert-to", fmt, "--outdir", str(out_dir),
                        *map(str, files)], check=True, capture_output=True, timeout=timeout,
                       env={**os.environ, "HOME": profile})
    for f in files:
        ext = fmt.split(":")[0]
        made = out_dir / f"{f.stem}.{ext}"
        if not made.is_file():
            raise RuntimeError(f"LibreOffice did not write {made}")


# -- lock and owner files ----------------------------------------------------------------------


def excel_owner_file(folder: Path, of: str) -> Path:
    """Excel's owner file beside an open workbook: ~$ + the name, 165 bytes with the user."""
    out = folder / f"~${of}"
    user = "富士見 花子".encode("utf-16-le")
    out.write_bytes(bytes([len("富士見 花子")]) + b"\0" + user.ljust(108, b" ") + b"\0" * 54)
    return out


def libreoffice_lock_file(folder: Path, of: str) -> Path:
    out = folder / f".~lock.{of}#"
    out.write_text("富士見 花子,hanako,PC-0123,21.11.2026 09:00,file:///C:/Users/hanako/AppData/"
                   "Roaming/LibreOffice/4;\n", encoding="utf-8")
    return out


# -- the corpus ------------------------------------------------------------------------------

# file name -> builder(template, out); files that are both odd and readable are made twice,
# the second time with a misleading .xlsx name
BUILDERS: dict[str, Callable[[Path, Path], Path | None]] = {
    "empty.xlsx": empty,
    "truncated.xlsx": truncated,
    "csv_renamed.xlsx": csv_renamed,
    "html_renamed.xlsx": html_renamed,
    "corrupt_deflate.xlsx": corrupt_deflate,
    "missing_workbook_xml.xlsx": missing_workbook_xml,
    "missing_sheet_part.xlsx": missing_sheet_part,
    "zip_bomb.xlsx": zip_bomb,
    "ratio_bomb.xlsx": ratio_bomb,
    "lying_bomb.xlsx": lying_bomb,
    "far_cell.xlsx": far_cell,
    "far_cell_other_namespace.xlsx": far_cell_other_namespace,
    "far_cell_alternate_content.xlsx": far_cell_alternate_content,
    "million_rows.xlsx": million_rows,
    "deep_xml.xlsx": deep_xml,
    "laughs_workbook.xlsx": laughs_in_workbook,
    "laughs_shared_strings.xlsx": laughs_in_shared_strings,
    "xxe_shared_strings.xlsx": external_entity_in_shared_strings,
    "xxe_content_types.xlsx": external_entity_in_content_types,
    "encrypted_minimal.xlsx": encrypted_minimal,
    "encrypted.xlsx": encrypted_real,
    "template.xlsm": xlsm,
    "template_xlsm.xlsx": xlsm,
}


def make_corpus(folder: Path, template: Path) -> dict[str, Path]:
    """Every file of BUILDERS made from ``template`` into ``folder``: name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, build in BUILDERS.items():
        path = build(template, folder / name)
        if path is not None:
            made[name] = path
    return made


def make_libreoffice_files(folder: Path, template: Path, foreign: Path) -> dict[str, Path]:
    """Our template and a foreign workbook saved by LibreOffice as .ods and .xls, each also
    renamed to .xlsx: template.ods, template_ods.xlsx, foreign.ods, foreign_ods.xlsx, and the
    same for xls."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fujimi-test-src-") as tmp:
        src = Path(tmp)
        a = src / "template.xlsx"
        b = src / "foreign.xlsx"
        a.write_bytes(template.read_bytes())
        b.write_bytes(foreign.read_bytes())
        made = {}
        for ext in ("ods", "xls"):
            soffice_convert([a, b], ext, src / ext)
            for stem in ("template", "foreign"):
                data = (src / ext / f"{stem}.{ext}").read_bytes()
                for name in (f"{stem}.{ext}", f"{stem}_{ext}.xlsx"):
                    (folder / name).write_bytes(data)
                    made[name] = folder / name
        for name in ("encrypted.ods", "encrypted_ods.xlsx"):
            made[name] = encrypted_ods(src / "ods" / "template.ods", folder / name)
    return made


def encrypted_ods(src: Path, out: Path) -> Path:
    """An .ods saved with a password, as LibreOffice writes it: the manifest says how each part
    is encrypted, and the parts themselves are no longer XML."""
    p = parts(src)
    entry = (b'<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:'
             b'xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA"><manifest:algorithm '
             b'manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
             b'manifest:initialisation-vector="AAAA"/><manifest:key-derivation '
             b'manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
             b'manifest:iteration-count="100000" manifest:salt="AAAA"/>'
             b"</manifest:encryption-data>")
    manifest = re.sub(rb'(<manifest:file-entry manifest:full-path="content.xml"[^>]*?)/>',
                      rb"\1>" + entry + b"</manifest:file-entry>", p["META-INF/manifest.xml"])
    assert entry in manifest
    return with_parts(src, out, {"META-INF/manifest.xml": manifest,
                                 "content.xml": os.urandom(len(p["content.xml"]) // 3)})


def _small_template(out: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out))
    for title in ("記入要領", "入力", "選択肢"):
        sh = wb.add_worksheet(title)
        sh.write_string(3, 0, "管理番号")
        sh.write_string(4, 0, "1-1-1")
        sh.write_string(4, 1, "記入例")
    wb.close()
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--template", type=Path, help="a workbook generated by fujimi-xl")
    ap.add_argument("--foreign", type=Path, help="any other .xlsx (for the .ods/.xls refusals)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    template = args.template or _small_template(args.out / "_base.xlsx")
    made = make_corpus(args.out, template)
    from fujimi_xl.output.pdf import libreoffice

    if libreoffice():
        foreign = args.foreign or _small_template(args.out / "_foreign.xlsx")
        made.update(make_libreoffice_files(args.out, template, foreign))
    made["~$template.xlsx"] = excel_owner_file(args.out, "template.xlsx")
    made[".~lock.template.xlsx#"] = libreoffice_lock_file(args.out, "template.xlsx")
    for name, path in sorted(made.items()):
        print(f"{path.stat().st_size:>12,}  {name}")


if __name__ == "__main__":
    main()
