"""What the master remembers: every accepted value of an item, and what a resubmission changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fujimi_xl import store
from fujimi_xl.core.errors import FujimiError
from fujimi_xl.intake.reader import sha256_of
from fujimi_xl.store import files as received
from fujimi_xl.store import history as versions


@dataclass
class Entry:
    form: str
    year: int
    slot: str
    group: str
    version: int
    current: bool
    item_key: str
    field: str
    value: Any
    sheet: str
    cell: str
    file_name: str
    sha256: str
    accepted_at: str
    restored_from: int | None = None  # the version this one made current again (restore)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def history(conn: store.Store, item: str, form: str | None = None,
            year: int | None = None) -> list[Entry]:
    """Every accepted value of ``item`` (an item key such as 4-2-1, or a program number), oldest
    version first, with the file, time and cell it came from."""
    rows = versions.entries(conn, item, form, year)
    return [Entry(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], store.loads(r[8]),
                  r[9], r[10], r[11], r[12], r[13], r[14]) for r in rows]


@dataclass
class Change:
    item_key: str
    field: str
    old: Any
    new: Any
    cell: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _submission(conn: store.Store, spec: str, form: str, year: int) -> Any:
    """A submission named by a file (its sha256), 'SLOT@N' / 'SLOT:vN', or a submission id."""
    path = Path(spec)
    if path.is_file():
        sha = sha256_of(path)
        row = versions.by_sha(conn, sha, form, year)
        if row is None:
            raise FujimiError(code="not_accepted_version", name=path.name)
        return row
    for sep in ("@", ":v", ":"):
        if sep in spec:
            slot, _, n = spec.rpartition(sep)
            if n.isdigit():
                row = versions.by_version(conn, form, year, slot, int(n))
                if row is not None:
                    return row
    row = versions.by_file_name(conn, path.name, form, year)  # its latest version
    if row is not None:
        return row
    raise FujimiError(code="no_such_version", spec=spec)


@dataclass
class Restored:
    form: str
    year: int
    slot: str
    from_version: int
    version: int
    file_name: str
    saved_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def restore(conn: store.Store, form: str, year: int, spec: str) -> Restored:
    """Make an earlier accepted version of a slot current again: recorded as a new version
    that holds the old version's values and points at it (``restored_from``), superseding
    the current one. Nothing is overwritten; `history` and `diff` show it."""
    old = _submission(conn, spec, form, year)
    if old["superseded_by"] is None or versions.file_is_current(conn, old["file_id"],
                                                                 old["slot"]):
        raise FujimiError(code="restore_current", slot=old["slot"], version=old["version"])
    with store.transaction(conn):
        current = store.current_version(conn, form, year, old["slot"])
        rows = [(r["item_key"], r["field"], r["value"], r["sheet"], r["cell"])
                for r in received.value_rows(conn, old["id"])]
        _, version = store.add_version(
            conn, file_id=old["file_id"], form=form, year=year, group=old["group_code"],
            slot=old["slot"], rows=rows, stamp=store.now(), current=current,
            restored_from=old["id"])
        f = received.file_of(conn, old["file_id"])
    return Restored(form, year, old["slot"], old["version"], version, f["file_name"],
                    f["saved_at"] or "")


def diff(conn: store.Store, form: str, year: int, a: str, b: str) -> list[Change]:
    """What changed from version ``a`` to version ``b`` of the same slot, field by field."""
    sa, sb = _submission(conn, a, form, year), _submission(conn, b, form, year)

    def values(sub_id: int) -> dict[tuple[str, str], tuple[Any, str]]:
        return {(r["item_key"], r["field"]): (store.loads(r["value"]), r["cell"])
                for r in received.value_rows(conn, sub_id)}

    va, vb = values(sa["id"]), values(sb["id"])
    out = []
    for k in list(dict.fromkeys([*va, *vb])):
        old, new = va.get(k, (None, "")), vb.get(k, (None, ""))
        if old[0] != new[0]:
            out.append(Change(k[0], k[1], old[0], new[0], new[1] or old[1]))
    return out
