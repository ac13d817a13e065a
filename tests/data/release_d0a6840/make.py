"""How ws/ was made (kept for review; not run by the tests).

The code of commit d0a6840 (master schema version 1, local times with their offset), in Japan
time, from the repository's top folder:

    rm -rf /tmp/fx_old /tmp/fx_build && mkdir -p /tmp/fx_old /tmp/fx_build
    git archive d0a6840 | tar -x -C /tmp/fx_old
    TZ=Asia/Tokyo PYTHONPATH=/tmp/fx_old .venv/bin/python tests/data/release_d0a6840/make.py /tmp/fx_build

then ws/ is /tmp/fx_build/ws with feedback/, reports/ and every outbox workbook but
教育支援グループ's (not yet returned) removed.
"""

import sys
from pathlib import Path

from fujimi_xl import api
from fujimi_xl.demo import fill_workbook, sample_data, write_sample_plan

out = Path(sys.argv[1])
data = sample_data()
ws = api.init(out / "ws", write_sample_plan(out / "plan.xlsx"), "progress")
files = {g: p for g, p, _ in api.generate(ws, "progress", 2017).files}
groups = sorted(files)[:3]  # こども育成, 保育, 子育て支援
returned = out / "returned"
returned.mkdir()
paths = [fill_workbook(files[g], data["responses"][g], returned / files[g].name) for g in groups]
print([(f.file_name, f.outcome) for f in api.ingest(ws, paths).files])
# a second version of the first group's workbook: one answer changed
answers = {k: dict(v) for k, v in data["responses"][groups[0]].items()}
answers[next(iter(answers))]["result"] = "第2版の実施内容"
again = fill_workbook(files[groups[0]], answers, returned / ("v2_" + files[groups[0]].name))
print([(f.file_name, f.outcome, f.version) for f in api.ingest(ws, [again]).files])
print(api.verify(ws))
