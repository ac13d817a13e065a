"""`pip install .` (not editable) works: the form definitions and sample data travel with it.

The wheel is installed WITH its dependencies into a plain venv (no system site packages: the
base interpreter of a fresh machine has none of them, and one where someone installed them by
hand must not make this pass). The dependencies are pinned to the versions the test venv runs
(a constraints file), so pip resolves what `make setup` already fetched and its cache answers.
"""

from __future__ import annotations

import importlib.metadata as md
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _constraints(path: Path) -> Path:
    """name==version of every distribution in the running venv but the project itself."""
    pins = sorted({f"{d.metadata['Name']}=={d.version}" for d in md.distributions()
                   if d.metadata["Name"]
                   and re.sub(r"[-_.]+", "-", d.metadata["Name"].lower()) != "fujimi-xl"})
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def test_wheel_carries_templates_and_sample_and_runs_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path)
    wheel = next(dist.glob("fujimi_xl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fujimi_xl/templates/progress/form.json" in names
    assert "fujimi_xl/templates/progress/schema.json" in names
    assert "fujimi_xl/forms/form_meta_schema.json" in names  # definitions are checked as they load
    assert "fujimi_xl/sample/progress.json" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", str(_constraints(tmp_path / "constraints.txt")), str(wheel)],
                   check=True, cwd=tmp_path)
    # the new venv sees only what it installed: not the base interpreter's, not the test venv's
    paths = subprocess.run([str(py), "-I", "-c", "import sys; print('\\n'.join(sys.path))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert sys.prefix not in paths and str(ROOT) not in paths
    # run from an empty folder, isolated from the checkout (-I: no cwd, no user site)
    out = subprocess.run(
        [str(py), "-I", "-c",
         "import fujimi_xl, fujimi_xl.forms as f; "
         "print(fujimi_xl.__file__); print(f.available_forms()); "
         "from fujimi_xl.demo import run_demo; r = run_demo('demo', want_pdf=False, say=print); "
         "print('REPORT', r.report.is_file())"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].startswith(str(env_dir)) and "site-packages" in lines[0]
    assert lines[1] == "['action_plan', 'progress', 'survey']"
    assert lines[-1] == "REPORT True"
