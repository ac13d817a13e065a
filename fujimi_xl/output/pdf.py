"""PDF output through LibreOffice (headless), where it is installed.

LibreOffice writes into a fresh folder beside the target; only a PDF it really made there is
renamed into place. An old PDF that cannot be replaced (open in a viewer) is named in an
OutputError and left as it was: no PDF is ever claimed that was not written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fujimi_xl.core import outfile
from fujimi_xl.core.errors import FujimiError


class PdfUnavailable(FujimiError):
    """LibreOffice is not installed, so no PDF can be made."""

    code = "no_libreoffice"


def libreoffice() -> str | None:
    for name in ("libreoffice", "soffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(xlsx: Path, out_dir: Path | None = None, timeout: float = 180) -> Path:
    """Convert ``xlsx`` to PDF beside it (or in ``out_dir``); returns the PDF's path."""
    exe = libreoffice()
    if exe is None:
        raise PdfUnavailable(code="no_libreoffice")
    xlsx = Path(xlsx).resolve()
    out_dir = Path(out_dir or xlsx.parent).resolve()
    target = out_dir / (xlsx.stem + ".pdf")
    try:
        work = Path(tempfile.mkdtemp(prefix=".fujimi-pdf-", dir=out_dir))
    except OSError as exc:
        raise outfile.refused(target, exc) from exc
    try:
        with tempfile.TemporaryDirectory(prefix="fujimi-lo-") as profile:
            cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work), str(xlsx)]
            env = {**os.environ, "HOME": profile}
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                      env=env)
            except subprocess.TimeoutExpired as exc:
                raise FujimiError(code="pdf_timeout", seconds=f"{timeout:.0f}") from exc
        made = work / target.name
        if proc.returncode != 0 or not _is_pdf(made):
            raise FujimiError(code="pdf_failed", detail=proc.stderr.strip()[:300])
        return outfile.commit(made, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _is_pdf(path: Path) -> bool:
    """A file LibreOffice wrote just now that really is a PDF (not empty, its header)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False
