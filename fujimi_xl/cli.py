"""The command line: parse options, call one library function, print its result.

Messages are Japanese by default; ``--lang en`` gives English. ``--json`` prints the same report
object the library returns. Exit codes: 0 everything accepted, 1 something refused, 2 the
command could not run.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import api, fiscal
from .errors import FujimiError, PlanError, Problem
from .messages import locate, ui, year_label
from .store import jp_time
from .workspace import open_workspace

F = Callable[..., Any]


class YearType(click.ParamType):
    name = "年度"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        try:
            return fiscal.parse_year(value)
        except FujimiError:
            self.fail(ui("bad_year", lang(ctx), value=value), param, ctx)


YEAR = YearType()


def workspace_option(f: F) -> F:
    return click.option("-w", "--workspace", "workspace", required=True,
                        type=click.Path(file_okay=False, path_type=Path),
                        help="作業フォルダ (init で作成したもの)")(f)


def year_option(f: F) -> F:
    return click.option("--year", "-y", required=True, type=YEAR,
                        help="年度: 2018, H30, 平成30, R2, 令和2 など")(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="結果を JSON で出力する")(f)


def lang(ctx: click.Context | None) -> str:
    return (ctx.find_root().params.get("lang") or "ja") if ctx else "ja"


def current_lang() -> str:
    """The --lang of the command being run ("ja" outside a click command)."""
    return lang(click.get_current_context(silent=True))


def say(key: str, **params: Any) -> None:
    """Print the catalogue line ``key`` in the language of the command being run."""
    click.echo(ui(key, current_lang(), **params))


def handle_errors(f: F) -> F:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except PlanError as exc:
            click.echo(exc.message(current_lang()), err=True)
            _problem_table(exc.problems, current_lang(), err=True)
            sys.exit(1)
        except FujimiError as exc:
            lg = current_lang()
            click.secho(ui("error", lg, message=exc.message(lg)), fg="red", err=True)
            sys.exit(2)

    return wrapper


def _problem_table(problems: list[Problem], lg: str, err: bool = False) -> None:
    for p in problems:
        level = "" if p.severity == "error" else f"[{ui('warnings', lg)}] "
        click.echo(f"  {locate(p)}: {level}{p.message(lg)}", err=err)


def _short(value: Any, lg: str = "ja", limit: int = 40) -> str:
    if value is None:
        return ui("none", lg)
    s = str(value).replace("\n", "↵")
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja",
              help="メッセージの言語 (ja/en)")
@click.version_option(package_name="fujimi-xl")
def cli(lang: str) -> None:
    """富士見XL: 評価様式の作成・回収・取込・集計・印刷を一括で行います。"""


@cli.command("plan-template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--form", default="progress", show_default=True, help="様式名")
@handle_errors
def plan_template_cmd(path: Path, form: str) -> None:
    """空の計画ブック（計画・担当一覧・設定シート）を作成する。"""
    out = api.plan_template(path, form)
    say("plan_template_done", path=out)


@cli.command("init")
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--plan", "plan_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="計画ブック (.xlsx)。省略すると空の作業フォルダを作る（import-report で始める場合）")
@click.option("--form", default="progress", show_default=True, help="様式名")
@handle_errors
def init_cmd(workspace: Path, plan_path: Path | None, form: str) -> None:
    """作業フォルダ（設定・署名鍵・マスタDB）を作成し、計画を取り込む。"""
    ws = api.init(workspace, plan_path, form)
    conn = ws.connect()
    try:
        n_items = conn.execute("SELECT count(*) FROM plan_items").fetchone()[0]
        n_groups = conn.execute("SELECT count(*) FROM groups").fetchone()[0]
    finally:
        conn.close()
    say("init_done", root=ws.root)
    say("init_plan", items=n_items, groups=n_groups, db=ws.db_path)


@cli.command("plan")
@click.argument("plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_option
@click.option("--form", default="progress", show_default=True, help="様式名")
@handle_errors
def plan_cmd(plan_path: Path, workspace: Path, form: str) -> None:
    """作業フォルダの計画を計画ブックの内容で置き換える。"""
    plan = api.load_plan(open_workspace(workspace), plan_path, form)
    say("plan_done", items=len(plan.items), groups=len(plan.groups))


class Progress:
    """A progress bar on standard error for long runs; silent when it is not a terminal."""

    def __init__(self, label: str, minimum: int = 20) -> None:
        self.label = label
        self.minimum = minimum
        self.bar: Any = None

    def start(self, total: int) -> None:
        if total >= self.minimum and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command("generate")
@click.argument("form")
@year_option
@workspace_option
@click.option("--group", "groups", multiple=True, help="この担当だけ作成する（複数指定可）")
@click.option("--reissue", is_flag=True,
              help="発行済みで計画に変更のない担当にも新しいブックを発行する（配布済みのブックは使えなくなる）")
@json_option
@handle_errors
def generate_cmd(form: str, year: int, workspace: Path, groups: tuple[str, ...],
                 reissue: bool, as_json: bool) -> None:
    """担当ごとの記入用ブックを作業フォルダの outbox に作成する。"""
    lg = current_lang()
    ws = open_workspace(workspace)
    bar = Progress(ui("generating", lg))
    try:
        result = api.generate(ws, form, year, list(groups) or None, progress=bar, lang=lg,
                              reissue=reissue)
    finally:
        bar.close()
    if as_json:
        _dump(result.to_dict())
        return
    states = {slot: (state, params) for slot, state, params in result.slots}
    written = {slot for slot, _, _ in result.files}
    say("generate_done", year=year_label(year, lg), form=form,
        n=sum(1 for s in written if states.get(s, ("new",))[0] != "unchanged"))
    for group, path, n in result.files:
        state, params = states.get(group, ("new", {}))
        if state == "unchanged":
            continue
        if state != "new":
            say(f"generate_{state}", group=group, **params)
        say("generate_file", group=group, n=n, path=path)
    paths = {slot: path for slot, path, _ in result.files}
    for slot, state, params in result.slots:
        if state == "unchanged":
            path = paths.get(slot) or Path(ws.outbox / str(year) / form / params["file"])
            say("generate_unchanged", group=slot, path=path, **params)
    if result.kept:
        say("generate_kept_hint")


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@workspace_option
@click.option("--form", default=None, help="この様式のファイルだけ受け付ける")
@click.option("--year", "-y", default=None, type=YEAR, help="この年度のファイルだけ受け付ける")
@click.option("--group", default=None, help="この担当のファイルとして受け付ける（違えば差戻し）")
@click.option("--workers", type=int, default=None, help="読み込みに使うプロセス数")
@click.option("--dry-run", is_flag=True, help="取り込まずに、マスタに加わる・変わる内容だけを表示する")
@json_option
@click.pass_context
@handle_errors
def ingest_cmd(ctx: click.Context, paths: tuple[Path, ...], workspace: Path, form: str | None,
               year: int | None, group: str | None, workers: int | None, dry_run: bool,
               as_json: bool) -> None:
    """返送されたブック（ファイル・フォルダ）を検証し、マスタに取り込む。"""
    lg = lang(ctx)
    ws = open_workspace(workspace)
    bar = Progress(ui("ingesting", lg))
    try:
        report = api.ingest(ws, list(paths), form=form, year=year, group=group,
                            workers=workers, dry_run=dry_run, progress=bar, lang=lg)
    finally:
        bar.close()
    if as_json:
        _dump(report.to_dict(lg))
        sys.exit(0 if report.ok else 1)
    for f in report.files:
        word = ui(f.outcome, lg)
        if f.outcome == "accepted":
            detail = ui("accepted_detail", lg, n=f.records, version=f.version)
        elif f.outcome == "rejected":
            detail = f"{ui('errors', lg)} {len(f.errors)}"
        elif f.outcome in ("unchanged", "superseded"):
            detail = f"v{f.version}" if f.version else ""
        else:
            detail = ""
        if f.warnings and f.outcome != "skipped":
            detail += f" {ui('warnings', lg)} {len(f.warnings)}"
        color = {"accepted": "green", "rejected": "red"}.get(f.outcome)
        if dry_run and f.outcome == "accepted":
            word = ui("would_accept", lg)
        click.secho(f"{word}\t{f.file_name}\t{f.group}\t{detail}".rstrip(), fg=color)
        if f.feedback:
            click.echo(f"\t{ui('feedback', lg)}: {f.feedback}")
        for k, fid, old, new in f.changes:
            click.echo(f"\t{k} {fid}: {_short(old, lg)} → {_short(new, lg)}")
    problems = [p for f in report.files for p in f.problems]
    if problems:
        click.echo("")
        click.echo("\t".join(ui(k, lg) for k in ("file", "cell", "field", "message")))
        for p in problems:
            level = "" if p.severity == "error" else f"[{ui('warnings', lg)}] "
            click.echo(f"{p.file}\t{p.where()}\t{p.field}\t{level}{p.message(lg)}")
    for top, others in report.slots_with_versions():
        click.echo(ui("slot_versions", lg, slot=top.slot, n=len(others) + 1, file=top.file_name,
                      saved=jp_time(top.saved_at), version=top.version, others=len(others)))
    click.echo("")
    if report.count("superseded"):
        click.echo(ui("superseded_count", lg, n=report.count("superseded")))
    click.echo(ui("summary", lg, n=len(report.files), accepted=report.count("accepted"),
                  rejected=report.count("rejected"), unchanged=report.count("unchanged"),
                  skipped=report.count("skipped")))
    sys.exit(0 if report.ok else 1)


@cli.command("status")
@click.argument("form")
@year_option
@workspace_option
@json_option
@click.pass_context
@handle_errors
def status_cmd(ctx: click.Context, form: str, year: int, workspace: Path,
               as_json: bool) -> None:
    """担当ごとの発行・返送・受理・差戻し・未提出の状況を表示する。"""
    lg = lang(ctx)
    st = api.status(open_workspace(workspace), form, year)
    if as_json:
        _dump(st.to_dict())
        return
    click.echo(f"{year_label(year, lg)} {form}")
    click.echo("\t".join(ui(k, lg) for k in ("group", "state", "version", "last_file",
                                             "last_time")))
    for g in st.groups:
        word = ui(f"state_{g.state}", lg)
        who = g.group if g.slot in ("", g.group) else ui("slot_who", lg, slot=g.slot,
                                                          label=g.label, group=g.group)
        click.echo(f"{who}\t{word}\t{g.version or ''}\t{g.last_file}\t{g.last_time}")
    missing = st.missing
    click.echo("")
    if missing:
        click.echo(ui("to_remind", lg, n=len(missing)) + ui("list_sep", lg).join(
            f"{g.department} {g.name}"
            + (ui("slot_of", lg, slot=g.slot, label=g.label) if g.slot != g.group else "")
            for g in missing))
    else:
        say("all_accepted")


@cli.command("report")
@click.argument("form")
@year_option
@workspace_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="出力する .xlsx（省略時は作業フォルダの reports に作成）")
@click.option("--pdf", "want_pdf", is_flag=True, help="LibreOffice で PDF も作成する")
@json_option
@handle_errors
def report_cmd(form: str, year: int, workspace: Path, output: Path | None, want_pdf: bool,
               as_json: bool) -> None:
    """集計表（進捗状況評価結果）を印刷用の体裁で作成する。"""
    result = api.report(open_workspace(workspace), form, year, output, want_pdf)
    lg = current_lang()
    if as_json:
        _dump(result.to_dict(lg))
        return
    say("report_done", path=result.path, rows=result.rows)
    if result.pdf:
        click.echo(f"PDF: {result.pdf}")
    elif result.pdf_text(lg):
        click.secho(result.pdf_text(lg), fg="yellow")
    if result.missing:
        click.echo(ui("not_returned", lg) + ui("list_sep", lg).join(result.missing))
    for w in result.warning_texts(lg):
        click.secho(ui("warning", lg, message=w), fg="yellow")


@cli.command("import-report")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_option
@click.option("--form", default="progress", show_default=True, help="様式名")
@click.option("--year", "-y", default=None, type=YEAR,
              help="年度（表の見出し H29実施内容 などから読めないときに指定）")
@json_option
@click.pass_context
@handle_errors
def import_report_cmd(ctx: click.Context, table: Path, workspace: Path, form: str,
                      year: int | None, as_json: bool) -> None:
    """集計表（シードの体裁。手入力の表も可）を計画とマスタに取り込む。"""
    lg = lang(ctx)
    res = api.import_report(open_workspace(workspace), table, form, year)
    if as_json:
        _dump(res.to_dict(lg))
        sys.exit(0 if res.ok else 1)
    _problem_table(res.problems, lg)
    if not res.ok:
        n = sum(p.severity == "error" for p in res.problems)
        click.secho(ui("import_refused", lg, n=n), fg="red")
        sys.exit(1)
    say("import_done", name=table.name, year=res.year, rows=res.rows, versions=res.versions)
    if res.created_plan:
        say("import_created_plan")


@cli.command("rollover")
@click.argument("form")
@click.option("--from", "from_year", required=True, type=YEAR, help="繰り越す元の年度")
@click.option("--to", "to_year", required=True, type=YEAR, help="新しい年度")
@workspace_option
@json_option
@handle_errors
def rollover_cmd(form: str, from_year: int, to_year: int, workspace: Path,
                 as_json: bool) -> None:
    """次年度へ繰り越す：受理済みの次年度計画内容・実施内容・評価を新年度の様式に表示する。"""
    res = api.rollover(open_workspace(workspace), form, from_year, to_year)
    if as_json:
        _dump(res.to_dict())
        return
    lg = current_lang()
    sep = ui("list_sep", lg)
    say("rollover_done", from_year=year_label(from_year, lg), to_year=year_label(to_year, lg),
        n=res.carried)
    if res.added:
        click.echo(ui("rollover_added", lg, n=len(res.added)) + sep.join(res.added[:10]))
    if res.retired:
        click.echo(ui("rollover_retired", lg, n=len(res.retired)) + sep.join(res.retired[:10]))
    say("rollover_next", form=form, year=to_year)


@cli.command("history")
@click.argument("item")
@workspace_option
@click.option("--form", default=None, help="様式名で絞り込む")
@click.option("--year", "-y", default=None, type=YEAR, help="年度で絞り込む")
@json_option
@handle_errors
def history_cmd(item: str, workspace: Path, form: str | None, year: int | None,
                as_json: bool) -> None:
    """項目（管理番号・事業番号）の受理済みの値を、ファイル・日時・セルとともにすべて表示する。"""
    entries = api.history(open_workspace(workspace), item, form, year)
    if as_json:
        _dump([e.to_dict() for e in entries])
        return
    lg = current_lang()
    if not entries:
        say("history_none", item=item)
        return
    for e in entries:
        mark = ui("current" if e.current else "superseded", lg)
        if e.restored_from:
            mark += "・" + ui("restored_mark", lg, version=e.restored_from)
        version = ui("history_version", lg, version=e.version, mark=mark)
        click.echo(f"{e.form} {e.year} {e.slot} {version}\t{e.field}\t"
                   f"{_short(e.value, lg)}\t{e.file_name} {e.sheet}!{e.cell}\t{e.accepted_at}")


@cli.command("restore")
@click.argument("form")
@click.argument("version", metavar="担当@版番号")
@year_option
@workspace_option
@json_option
@handle_errors
def restore_cmd(form: str, version: str, year: int, workspace: Path, as_json: bool) -> None:
    """受理済みの以前の版（担当@版番号、または受理したファイル）を現在の版に戻す。"""
    res = api.restore(open_workspace(workspace), form, year, version)
    if as_json:
        _dump(res.to_dict())
        return
    say("restore_done", form=form, year=year_label(year, current_lang()), slot=res.slot,
        from_version=res.from_version, file=res.file_name, saved=jp_time(res.saved_at),
        version=res.version)


@cli.command("diff")
@click.argument("form")
@year_option
@workspace_option
@click.option("--between", nargs=2, required=True, metavar="A B",
              help="比べる2つの版: 受理したファイル、または 担当@版番号（例: 保育@1 保育@2）")
@json_option
@handle_errors
def diff_cmd(form: str, year: int, workspace: Path, between: tuple[str, str],
             as_json: bool) -> None:
    """再提出で何が変わったか（2つの版の違い）を欄ごとに表示する。"""
    changes = api.diff(open_workspace(workspace), form, year, *between)
    if as_json:
        _dump([c.to_dict() for c in changes])
        return
    lg = current_lang()
    if not changes:
        say("no_differences")
        return
    for c in changes:
        click.echo(f"{c.item_key}\t{c.field}\t{c.cell}\t{_short(c.old, lg)} → {_short(c.new, lg)}")


@cli.command("export")
@click.argument("form")
@year_option
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default="csv",
              show_default=True, help="出力形式")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="出力ファイル")
@handle_errors
def export_cmd(form: str, year: int, workspace: Path, fmt: str, output: Path) -> None:
    """現在のマスタを1つの表として書き出す（CSV は Excel で開ける UTF-8 BOM 付き）。"""
    path = api.export(open_workspace(workspace), form, year, output, fmt)
    say("export_done", path=path)


@cli.command("verify")
@workspace_option
@click.option("--quick", is_flag=True, help="ファイルの読み直しを省き、記録と sha256 だけを確かめる")
@json_option
@handle_errors
def verify_cmd(workspace: Path, quick: bool, as_json: bool) -> None:
    """マスタの整合性を検査する（現在の値がすべて受理ファイルに遡れるか）。"""
    rep = api.verify(open_workspace(workspace), reread=not quick)
    lg = current_lang()
    if as_json:
        _dump(rep.to_dict(lg))
        sys.exit(0 if rep.ok else 1)
    c = rep.checked
    say("verify_checked", **{k: c.get(k, 0) for k in ("submissions", "files", "values", "slots")})
    if rep.ok:
        click.secho(ui("verify_ok", lg), fg="green")
        return
    for p in rep.messages(lg):
        click.secho(f"  {p}", fg="red")
    sys.exit(1)


@cli.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-pdf", is_flag=True, help="PDF を作成しない")
@handle_errors
def demo_cmd(directory: Path, no_pdf: bool) -> None:
    """同梱のサンプルデータで一連の流れ（作成→記入→取込→集計）を実行する。"""
    from .demo import run_demo

    if directory.exists() and any(directory.iterdir()):
        raise FujimiError(code="demo_not_empty", directory=directory)
    run_demo(directory, want_pdf=not no_pdf, say=click.echo, lang=current_lang())
