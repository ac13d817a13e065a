"""Forms and groups named as a clerk knows them.

A form is named by its name (``templates/<name>/``) or by its title (form.json ``title``, or the
plan's title kept in the workspace); a group by its code, its name (保育グループ) or its department
and name (こども未来部 保育グループ, with or without the space). Everything is read from the form
definitions and the plan: no name is written here. Width and spaces do not matter (ＡＢ = AB).
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

from fujimi_xl import store
from fujimi_xl.core.errors import FormDefinitionError, FujimiError
from fujimi_xl.forms import available_forms, definition_title, load_form
from fujimi_xl.lifecycle import plan as planmod
from fujimi_xl.store.plans import forms_planned
from fujimi_xl.store.workspace import open_workspace

SEP = " / "


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def form_choices(workspace: Path | None = None,
                 titles: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """(name, titles) of every form there is; a definition that cannot be read is left out."""
    out = []
    for name in available_forms(workspace):
        try:
            found = [load_form(name, workspace).title]
        except FormDefinitionError:  # named by its title all the same, then told what is wrong
            found = [definition_title(name, workspace)]
        extra = (titles or {}).get(name)
        if extra and extra not in found:
            found.append(extra)
        out.append((name, [t for t in found if t]))
    return out


def form_name(name: str, workspace: Path | None = None,
              titles: dict[str, str] | None = None) -> str:
    """The form's name for ``name``, which may be its name or one of its titles.

    ``titles`` maps form name -> a title the workspace gives it (its plan's title). An unknown
    name raises ``form_unknown`` listing the forms there are, the closest first."""
    choices = form_choices(workspace, titles)
    names = [n for n, _ in choices]
    if name in names:
        return name
    wanted = _norm(name)
    hits = [n for n, ts in choices if wanted in {_norm(n), *map(_norm, ts)}]
    if len(hits) == 1:
        return hits[0]
    listing = [f"{n}（{'・'.join(ts)}）" if ts else n for n, ts in choices]
    if hits:
        raise FujimiError(code="form_ambiguous", name=name,
                          forms=SEP.join(x for x, (n, _) in zip(listing, choices, strict=True)
                                         if n in hits))
    close = set(difflib.get_close_matches(name, names, n=3, cutoff=0.6))
    ordered = [x for x, (n, _) in zip(listing, choices, strict=True) if n in close] + [
        x for x, (n, _) in zip(listing, choices, strict=True) if n not in close]
    raise FujimiError(code="form_unknown", name=name, forms=SEP.join(ordered) or "-")


def pick_form(name: str | None, workspace: Path | None = None,
              titles: dict[str, str] | None = None) -> str:
    """The form a command works on: ``name`` when given (its name or a title); else the only
    form of the workspace's plan, else the only form there is (workspace and package). With
    more than one and none given, raise ``form_needed`` listing them: no form is a default."""
    if name:
        return form_name(name, workspace, titles)
    if workspace is not None:
        in_plan = _plan_forms(workspace)
        if len(in_plan) == 1:
            return in_plan[0]
    choices = form_choices(workspace, titles)
    if len(choices) == 1:
        return choices[0][0]
    listing = [f"{n}（{'・'.join(ts)}）" if ts else n for n, ts in choices]
    raise FujimiError(code="form_needed", forms=SEP.join(listing) or "-")


def _plan_forms(workspace: Path) -> list[str]:
    """The forms the workspace's plan has items of (none when it cannot be read)."""
    faults: tuple[type[BaseException], ...] = (*store.db_errors(), FujimiError, OSError)
    try:
        ws = open_workspace(workspace)
        if not store.is_postgres(ws.db_url) and not ws.db_path.is_file():
            return []
        conn = store.Store(ws.db_url, readonly=True)
        try:
            return [str(f) for f in forms_planned(conn)]
        finally:
            conn.close()
    except faults:
        return []


def _label(g: planmod.Group) -> str:
    return f"{g.code}（{g.full_name}）" if g.full_name and g.full_name != g.code else g.code


def group_codes(conn: store.Store, names: list[str], limit: int = 30) -> list[str]:
    """The plan's group codes for ``names`` (codes, names, or department and name)."""
    groups = planmod.load_plan(conn, "").groups
    codes = {g.code for g in groups}
    index: dict[str, set[str]] = {}
    for g in groups:
        for alias in (g.code, g.name, g.full_name, g.department + g.name):
            if alias:
                index.setdefault(_norm(alias), set()).add(g.code)
    out: list[str] = []
    for name in names:
        if name in codes:
            out.append(name)
            continue
        hits = sorted(index.get(_norm(name), set()))
        if len(hits) == 1:
            out.append(hits[0])
        elif hits:
            raise FujimiError(code="group_ambiguous", name=name, groups=SEP.join(
                _label(g) for g in groups if g.code in hits))
        else:
            listing = [_label(g) for g in groups]
            more = f"{SEP}… ({len(listing)})" if len(listing) > limit else ""
            raise FujimiError(code="group_unknown", name=name,
                              groups=SEP.join(listing[:limit]) + more or "-")
    return out
