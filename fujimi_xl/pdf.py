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
        raise PdfUnavailable(
            "LibreOffice が見つからないため PDF は作成していません（Excel ファイルは作成済みです）。"
            "PDF が必要なら LibreOffice をインストールするか、Excel で開いて PDF に保存してください。"
        )
    xlsx = Path(xlsx).resolve()
    out_dir = Path(out_dir or xlsx.parent).resolve()
    with tempfile.TemporaryDirectory(prefix="fujimi-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)]
        env = {**os.environ, "HOME": profile}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as exc:
            raise FujimiError(f"LibreOffice の PDF 変換が {timeout:.0f} 秒で終わりませんでした") from exc
    pdf = out_dir / (xlsx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        raise FujimiError(f"LibreOffice の PDF 変換に失敗しました: {proc.stderr.strip()[:300]}")
    return pdf
