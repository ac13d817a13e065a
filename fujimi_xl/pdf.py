"""PDF output through LibreOffice (headless), where it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import FujimiError


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
    with tempfile.TemporaryDirectory(prefix="fujimi-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)]
        env = {**os.environ, "HOME": profile}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise FujimiError(code="pdf_timeout", seconds=f"{timeout:.0f}") from exc
    pdf = out_dir / (xlsx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        raise FujimiError(code="pdf_failed", detail=proc.stderr.strip()[:300])
    return pdf
