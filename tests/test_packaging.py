"""`pip install .` (not editable) works: the form definitions and sample data travel with it."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_templates_and_sample_and_runs_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path)
    wheel = next(dist.glob("fujimi_xl-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fujimi_xl/templates/progress/form.json" in names
    assert "fujimi_xl/templates/progress/schema.json" in names
    assert "fujimi_xl/sample/progress.json" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, cwd=tmp_path)
    # run from an empty folder, isolated from the checkout (-I: no cwd, no user site)
    out = subprocess.run(
        [str(py), "-I", "-c",
         "import fujimi_xl, fujimi_xl.forms as f; "
         "print(fujimi_xl.__file__); print(f.available_forms()); "
         "from fujimi_xl.demo import run_demo; r = run_demo('demo', want_pdf=False, say=print); "
         "print('REPORT', r.report.is_file())"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert str(ROOT) not in lines[0] and "site-packages" in lines[0]
    assert lines[1] == "['action_plan', 'progress']"
    assert lines[-1] == "REPORT True"
