"""Message codes as an Enum (issue 13): every code a problem or an error is raised with is a
member of ``messages.Code``, so a misspelt code fails here instead of showing "{code}" to a user."""

from __future__ import annotations

import ast
from pathlib import Path

from fujimi_xl.core.errors import FujimiError, Problem
from fujimi_xl.core.messages import CATALOGUE, ERRORS, Code

PACKAGE = Path(__file__).resolve().parent.parent / "fujimi_xl"
CODED = {"Problem", "Notice"}  # and every class named …Error / …Fault


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def codes_used() -> list[tuple[str, int, str]]:
    """(file, line, code) of every string literal given as the code of a Problem, a Notice or
    an error in fujimi_xl."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name not in CODED and not name.endswith(("Error", "Fault")):
                continue
            args = [k.value for k in node.keywords if k.arg == "code"]
            if name in CODED and node.args:
                args.append(node.args[0])
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((str(path.relative_to(PACKAGE.parent)), node.lineno, arg.value))
    return found


def test_code_has_every_catalogue_and_error_code():
    assert {c.value for c in Code} == set(CATALOGUE) | set(ERRORS)
    assert all(c.name == c.value.upper() for c in Code)


def test_a_code_member_equals_its_string():
    assert Code.NOT_WORKBOOK == "not_workbook"
    problem = Problem(code=Code.ENCRYPTED)
    assert problem.message() == Problem(code="encrypted").message()
    assert "{code}" not in problem.message() and problem.message() != "encrypted"


def test_every_code_raised_in_the_package_is_a_member():
    found = codes_used()
    assert len(found) > 50  # the scan sees the call sites
    unknown = [f"{file}:{line}: {code}" for file, line, code in found if code not in set(Code)]
    assert unknown == [], "codes not in messages.Code:\n" + "\n".join(unknown)


def test_an_unknown_code_would_be_caught():
    tree = ast.parse('Problem(code="no_such_code")\nFujimiError(code="nor_this")')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    literals = [k.value.value for c in calls for k in c.keywords if isinstance(k.value, ast.Constant)]
    assert literals == ["no_such_code", "nor_this"]
    assert not set(literals) & set(Code)
    assert FujimiError(code=Code.NO_WORKSPACE, root="x").code == "no_workspace"


def test_export_headings_come_from_the_catalogue_and_stay_japanese():
    import ast as _ast

    from fujimi_xl.core.messages import UI
    from fujimi_xl.output import export

    assert [UI[k][0] for k in export.EXPORT_META] == ["担当", "部", "グループ", "提出"]
    assert [UI[k][0] for k in ("export_returned", "export_not_returned", "export_sheet")] == \
        ["提出済", "未提出", "データ"]
    assert all(UI[k][1] for k in (*export.EXPORT_META, "export_returned", "export_not_returned"))
    source = Path(export.__file__).read_text("utf-8")
    literals = [n.value for n in _ast.walk(_ast.parse(source))
                if isinstance(n, _ast.Constant) and isinstance(n.value, str)
                and any("\u3040" <= ch <= "\u9fff" for ch in n.value)]
    assert literals == []
