"""fujimi_xl: the Excel evaluation cycle of a Japanese city, end to end.

generate → (staff fill in) → ingest (validate, merge) → report. The CLI ``fujimi-xl`` is a thin
shell over this API.
"""

from fujimi_xl.api import (
    GenerateResult,
    ReportResult,
    StatusReport,
    frame,
    generate,
    ingest,
    init,
    load_plan,
    open_workspace,
    plan_template,
    report,
    status,
)
from fujimi_xl.core.errors import FujimiError, PlanError, Problem
from fujimi_xl.core.fiscal import long_label, parse_year, short_label
from fujimi_xl.forms import load_form
from fujimi_xl.intake.ingest import FileResult, IngestReport

__version__ = "0.1.0"

__all__ = [
    "FileResult",
    "FujimiError",
    "GenerateResult",
    "IngestReport",
    "PlanError",
    "Problem",
    "ReportResult",
    "StatusReport",
    "frame",
    "generate",
    "ingest",
    "init",
    "load_form",
    "load_plan",
    "long_label",
    "open_workspace",
    "parse_year",
    "plan_template",
    "report",
    "short_label",
    "status",
]
