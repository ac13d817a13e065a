"""The command line: parse options, call one library function, print its result.

Messages are Japanese by default; ``--lang en`` gives English. ``--json`` prints the same report
object the library returns. Exit codes: 0 everything accepted, 1 something refused, 2 the
command could not run.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from xlsxwriter.exceptions import FileCreateError

from fujimi_xl import api, clicatalog, console, store
from fujimi_xl.core import fiscal
from fujimi_xl.core.errors import FujimiError, PlanError, Problem
from fujimi_xl.core.fiscal import year_label
from fujimi_xl.core.messages import UI, error_text, help_en, locate, ui, when
from fujimi_xl.forms import load_form
from fujimi_xl.lifecycle import names
from fujimi_xl.store import jp_time
from fujimi_xl.store.plans import plan_counts
from fujimi_xl.store.workspace import open_workspace

F = Callable[..., Any]

clicatalog.install()


class YearType(click.ParamType):
    name = "year"  # shown as 年度 (clicatalog), YEAR with --lang en

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


def _say_waiting(seconds: float) -> None:
    """Shown when the master is held by another program (store.on_wait)."""
    click.secho(ui("master_waiting", current_lang(), seconds=f"{seconds:.0f}"), fg="yellow",
                err=True)


def handle_errors(f: F) -> F:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        store.set_on_wait(_say_waiting)
        try:
            return f(*args, **kwargs)
        except BrokenPipeError:
            # the reader of the output went away (`| more` closed early): nobody's fault,
            # and not the master's; stop quietly, without Python's noise at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (*store.db_errors(), OSError, FileCreateError) as exc:
            # a fault of the workspace (read-only, full, a locked or damaged master): the
            # secretariat's, said in a sentence, never a traceback
            lg = current_lang()
            fault = store.fault_from(exc, _master_where(kwargs.get("workspace")))
            click.secho(ui("error", lg, message=fault.message(lg)), fg="red", err=True)
            sys.exit(2)
        except PlanError as exc:
            click.echo(exc.message(current_lang()), err=True)
            _problem_table(exc.problems, current_lang(), err=True)
            sys.exit(1)
        except FujimiError as exc:
            lg = current_lang()
            click.secho(ui("error", lg, message=exc.message(lg)), fg="red", err=True)
            sys.exit(2)

    return wrapper


def _master_where(root: Path | None) -> str | None:
    """The master as a fault names it: its file, or its database's URL without password."""
    if not root:
        return None
    try:
        return open_workspace(Path(root)).db_where
    except FujimiError:
        return str(Path(root) / "master.sqlite")


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


FORM_HELP = "様式（名前または題名）。省略すると、計画の様式・使える様式が一つだけならそれを使う"


def _form(name: str | None, workspace: Path | None = None) -> str:
    """The form's name for what the clerk typed (its name or its title); when nothing was
    typed, the only form there is, or a refusal listing them (no form is a default)."""
    root = workspace if workspace is not None and workspace.is_dir() else None
    return names.pick_form(name, root)


def _groups(workspace: Path, given: list[str]) -> list[str]:
    """The plan's group codes for what the clerk typed: codes, names, or 部名+グループ名."""
    conn = open_workspace(workspace).connect()
    try:
        return names.group_codes(conn, given)
    finally:
        conn.close()


def _arg(path: Path | str) -> str:
    """A path as it is typed on a command line (quoted when it holds a space)."""
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text


@functools.lru_cache(maxsize=64)
def _labels(form: str, year: int, root: str) -> dict[str, str]:
    try:
        f = load_form(form, Path(root))
    except FujimiError:
        return {}
    return {fid: fld.label_for(year) for fid, fld in f.by_id.items()}


def _label(form: str, year: int | None, field: str, root: Path) -> str:
    """The column heading a clerk sees for a field id (R8実施内容, 評価), else the id."""
    if not form or year is None:
        return field
    return _labels(form, year, str(root)).get(field, field)


class FujimiCommand(click.Command):
    """A subcommand: ``--lang`` written after it is explained, not just refused."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list
        try:
            return super().parse_args(ctx, args)
        except click.MissingParameter as exc:
            lg = clicatalog.get_lang()
            if isinstance(exc.param, click.Option):
                option = " / ".join([*exc.param.opts, *exc.param.secondary_opts])
                raise click.UsageError(ui("missing_option", lg, option=option,
                                          help=exc.param.help or option), ctx) from exc
            if isinstance(exc.param, click.Argument) and f"arg_{exc.param.name}" in UI:
                raise click.UsageError(ui("missing_argument", lg, name=exc.param.human_readable_name,
                                          what=ui(f"arg_{exc.param.name}", lg)), ctx) from exc
            raise
        except click.NoSuchOption as exc:
            if exc.option_name.split("=", 1)[0] != "--lang":
                raise
            value = clicatalog.lang_from_args(given)
            if value == "ja" and clicatalog.get_lang() == "en":
                value = "en"
            clicatalog.set_lang(value)
            clicatalog.relocalise(ctx.find_root().command, help_en)
            raise click.UsageError(ui("lang_goes_first", value, value=value,
                                      command=ctx.info_name or self.name), ctx) from exc


class FujimiGroup(click.Group):
    """The root command: before click parses anything, every output line is made printable
    in the console's encoding and click's own texts take the language asked for."""

    command_class = FujimiCommand

    def main(self, args: Any = None, *rest: Any, **extra: Any) -> Any:
        console.make_printable()
        argv = sys.argv[1:] if args is None else [str(a) for a in args]
        clicatalog.set_lang(clicatalog.lang_from_args(argv, list(self.commands)))
        clicatalog.relocalise(self, help_en)
        return super().main(args, *rest, **extra)


@click.group(cls=FujimiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", envvar="FUJIMI_LANG",
              help="メッセージの言語 (ja/en)。サブコマンドの前に書く: fujimi-xl --lang en status …")
@click.version_option(package_name="fujimi-xl", message="%(prog)s %(version)s")
def cli(lang: str) -> None:
    """富士見XL: 評価様式の作成・回収・取込・集計・印刷を一括で行います。

    \b
    ふだんの流れ（-w は作業フォルダ、年度は 2018・H30・令和2 など）:
      1. 作業フォルダを作る
           fujimi-xl init 作業フォルダ --plan 計画.xlsx --form 様式
      2. 担当ごとの記入用ブックを作る（作業フォルダの outbox に入る）
           fujimi-xl generate 様式 --year 年度 -w 作業フォルダ
      3. 返送されたブックを取り込む（差戻しは feedback の差戻し用ブックを送り返す）
           fujimi-xl ingest 返送フォルダ -w 作業フォルダ
      4. 提出状況と督促先を見る
           fujimi-xl status 様式 --year 年度 -w 作業フォルダ
      5. 集計表を作る
           fujimi-xl report 様式 --year 年度 -w 作業フォルダ

    \b
    様式は名前でも題名でも指定できます（fujimi-xl forms で一覧）。
    担当は担当コード・グループ名・部名とグループ名のどれでも指定できます。
    各コマンドの説明: fujimi-xl コマンド --help
    英語で表示するには: fujimi-xl --lang en コマンド …
    """
    clicatalog.set_lang(lang)


@cli.command("plan-template")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--form", default=None, help=FORM_HELP)
@click.option("-w", "--workspace", "workspace", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="作業フォルダ（その templates の様式定義も使う）")
@handle_errors
def plan_template_cmd(path: Path, form: str, workspace: Path | None) -> None:
    """空の計画ブック（計画・担当一覧・設定シート）を作成する。"""
    out = api.plan_template(path, _form(form, workspace), workspace=workspace,
                            lang=current_lang())
    say("plan_template_done", path=out)


@cli.command("init")
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--plan", "plan_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="計画ブック (.xlsx)。省略すると空の作業フォルダを作る（import-report で始める場合）")
@click.option("--form", default=None, help=FORM_HELP)
@click.option("--form-dir", "form_dir", default=None,
              type=click.Path(exists=True, path_type=Path),
              help="様式定義のフォルダ（form.json と schema.json）。作業フォルダの templates に写して使う")
@click.option("--from-backup", "from_backup", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="backup で作成したバックアップ (.zip) から作業フォルダを復元する"
                   "（既存のフォルダは上書きしない）")
@click.option("--db", "db", default=None,
              help="マスタを置く PostgreSQL の URL（postgresql://ユーザ@ホスト:ポート/DB名）。"
                   "省略すると作業フォルダの master.sqlite")
@handle_errors
def init_cmd(workspace: Path, plan_path: Path | None, form: str, form_dir: Path | None,
             from_backup: Path | None, db: str | None) -> None:
    """作業フォルダ（設定・署名鍵・マスタDB）を作成し、計画を取り込む。"""
    if from_backup is not None:
        if plan_path is not None:
            raise FujimiError(code="backup_and_plan")
        restored = api.restore_backup(from_backup, workspace)
        say("backup_restored", backup=from_backup, root=restored.root)
        return
    if form_dir is not None:
        form = api.form_from_dir(form_dir)
    elif form is not None or plan_path is not None:  # an empty workspace needs no form
        form = _form(form, workspace)
    ws = api.init(workspace, plan_path, form, form_dir=form_dir, db=db)
    conn = ws.connect()
    try:
        n_items, n_groups = plan_counts(conn)
    finally:
        conn.close()
    say("init_done", root=ws.root)
    say("init_plan", items=n_items, groups=n_groups, db=ws.db_where)
    if n_items:
        say("next_after_init", form=form, ws=_arg(workspace))
    else:
        say("next_after_empty_init", ws=_arg(workspace))


@cli.command("plan")
@click.argument("plan_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_option
@click.option("--form", default=None, help=FORM_HELP)
@handle_errors
def plan_cmd(plan_path: Path, workspace: Path, form: str) -> None:
    """作業フォルダの計画を計画ブックの内容で置き換える。"""
    form = _form(form, workspace)
    plan = api.load_plan(open_workspace(workspace), plan_path, form)
    say("plan_done", items=len(plan.items), groups=len(plan.groups))
    if plan.items:
        say("next_after_plan", form=form, ws=_arg(workspace))


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
@click.option("--group", "groups", multiple=True,
              help="この担当だけ作成する（担当コード・グループ名・部名とグループ名。複数指定可）")
@click.option("--reissue", is_flag=True,
              help="発行済みで計画に変更のない担当にも新しいブックを発行する（配布済みのブックは使えなくなる）")
@json_option
@handle_errors
def generate_cmd(form: str, year: int, workspace: Path, groups: tuple[str, ...],
                 reissue: bool, as_json: bool) -> None:
    """担当ごとの記入用ブックを作業フォルダの outbox に作成する。"""
    lg = current_lang()
    form = _form(form, workspace)
    ws = open_workspace(workspace)
    codes = _groups(workspace, list(groups)) if groups else None
    bar = Progress(ui("generating", lg))
    try:
        result = api.generate(ws, form, year, codes, progress=bar, lang=lg, reissue=reissue)
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
    if result.files:
        say("next_after_generate", ws=_arg(workspace))


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@workspace_option
@click.option("--form", default=None, help="この様式（名前または題名）のファイルだけ受け付ける")
@click.option("--year", "-y", default=None, type=YEAR, help="この年度のファイルだけ受け付ける")
@click.option("--group", default=None,
              help="この担当のファイルとして受け付ける（違えば差戻し）。担当コード・グループ名で指定")
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
    form = _form(form, workspace) if form else None
    group = _groups(workspace, [group])[0] if group else None
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
            click.echo(f"\t{k} {_label(f.form, f.year, fid, ws.root)}: {_short(old, lg)} → "
                       f"{_short(new, lg)}")
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
    _ingest_next(report, paths, lg, dry_run)
    click.echo(ui("summary", lg, n=len(report.files), accepted=report.count("accepted"),
                  rejected=report.count("rejected"), unchanged=report.count("unchanged"),
                  skipped=report.count("skipped")))
    sys.exit(0 if report.ok else 1)


def _ingest_next(report: Any, paths: tuple[Path, ...], lg: str, dry_run: bool) -> None:
    """What the clerk does next: send feedback books back, or look for the files elsewhere."""
    if not any(f.outcome != "skipped" for f in report.files):
        click.secho(ui("ingest_nothing_found", lg, paths=ui("list_sep", lg).join(
            str(p) for p in paths)), fg="yellow")
        return
    refused = [f for f in report.files if f.outcome == "rejected"]
    if not refused or dry_run:
        return
    with_book = [f for f in refused if f.feedback]
    if with_book:
        click.echo(ui("next_send_feedback", lg, n=len(with_book)))
        for f in with_book:
            click.echo(ui("next_send_feedback_file", lg, group=f.group or f.file_name,
                          path=f.feedback))
    without = [f.file_name for f in refused if not f.feedback]
    if without:
        click.echo(ui("next_tell_problems", lg, files=ui("list_sep", lg).join(without)))


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
    form = _form(form, workspace)
    st = api.status(open_workspace(workspace), form, year)
    if as_json:
        _dump(st.to_dict())
        return
    if not st.groups:
        say("status_nothing_planned", form=form, ws=_arg(workspace))
        return
    click.echo(f"{year_label(year, lg)} {form}")
    click.echo("\t".join(ui(k, lg) for k in ("group", "state", "version", "last_file",
                                             "last_time")))
    for g in st.groups:
        word = ui(f"state_{g.state}", lg)
        who = g.group if g.slot in ("", g.group) else ui("slot_who", lg, slot=g.slot,
                                                          label=g.label, group=g.group)
        click.echo(f"{who}\t{word}\t{g.version or ''}\t{g.last_file}\t"
                   f"{when(g.last_time, lg)}")
    missing = st.missing
    click.echo("")
    if not st.issued_any:
        say("status_nothing_issued", form=form, year=year, ws=_arg(workspace))
        return

    def names_of(groups: list[Any]) -> str:
        return ui("list_sep", lg).join(
            f"{g.department} {g.name}"
            + (ui("slot_of", lg, slot=g.slot, label=g.label) if g.slot != g.group else "")
            for g in groups)

    if missing:
        click.echo(ui("to_remind", lg, n=len(missing)) + names_of(missing))
    if st.not_issued:
        click.echo(ui("status_not_issued", lg, n=len(st.not_issued)) + names_of(st.not_issued))
        say("status_issue_them", form=form, year=year, ws=_arg(workspace))
        if not missing:
            say("status_issued_all_accepted")
    elif not missing:
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
    """様式の集計表を印刷用の体裁で作成する。"""
    form = _form(form, workspace)
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
@click.option("--form", default=None, help=FORM_HELP)
@click.option("--year", "-y", default=None, type=YEAR,
              help="年度（表の見出し H29実施内容 などから読めないときに指定）")
@json_option
@click.pass_context
@handle_errors
def import_report_cmd(ctx: click.Context, table: Path, workspace: Path, form: str,
                      year: int | None, as_json: bool) -> None:
    """集計表（シードの体裁。手入力の表も可）を計画とマスタに取り込む。"""
    lg = lang(ctx)
    form = _form(form, workspace)
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
    form = _form(form, workspace)
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
@click.option("--form", default=None, help="様式（名前または題名）で絞り込む")
@click.option("--year", "-y", default=None, type=YEAR, help="年度で絞り込む")
@json_option
@handle_errors
def history_cmd(item: str, workspace: Path, form: str | None, year: int | None,
                as_json: bool) -> None:
    """項目（管理番号・事業番号）の受理済みの値を、ファイル・日時・セルとともにすべて表示する。"""
    form = _form(form, workspace) if form else None
    entries = api.history(open_workspace(workspace), item, form, year)
    if as_json:
        _dump([e.to_dict() for e in entries])
        return
    lg = current_lang()
    if not entries:
        say("history_none", item=item)
        return
    say("history_header")
    for e in entries:
        mark = ui("current" if e.current else "superseded", lg)
        if e.restored_from:
            mark += "・" + ui("restored_mark", lg, version=e.restored_from)
        version = ui("history_version", lg, version=e.version, mark=mark)
        click.echo(f"{e.form} {year_label(e.year, lg)} {e.slot} {version}\t"
                   f"{_label(e.form, e.year, e.field, workspace)}\t{_short(e.value, lg)}\t"
                   f"{e.file_name} {e.sheet}!{e.cell}\t{when(e.accepted_at, lg)}")


@cli.command("restore")
@click.argument("form")
@click.argument("version", metavar="担当@版番号")
@year_option
@workspace_option
@json_option
@handle_errors
def restore_cmd(form: str, version: str, year: int, workspace: Path, as_json: bool) -> None:
    """受理済みの以前の版（担当@版番号、または受理したファイル）を現在の版に戻す。"""
    form = _form(form, workspace)
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
    form = _form(form, workspace)
    changes = api.diff(open_workspace(workspace), form, year, *between)
    if as_json:
        _dump([c.to_dict() for c in changes])
        return
    lg = current_lang()
    if not changes:
        say("no_differences")
        return
    say("diff_header")
    for c in changes:
        click.echo(f"{c.item_key}\t{_label(form, year, c.field, workspace)}\t{c.cell}\t"
                   f"{_short(c.old, lg)} → {_short(c.new, lg)}")


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
    form = _form(form, workspace)
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


@cli.command("backup")
@workspace_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="作成するバックアップ (.zip)")
@json_option
@handle_errors
def backup_cmd(workspace: Path, output: Path, as_json: bool) -> None:
    """作業フォルダのバックアップ（マスタ・保管コピー・署名鍵・設定など）を .zip に作成する。
    復元は `fujimi-xl init 新しいフォルダ --from-backup FILE`。"""
    res = api.backup(open_workspace(workspace), output)
    if as_json:
        _dump(res.to_dict())
        return
    say("backup_done", path=res.path, n=res.archived)


@cli.command("migrate")
@click.argument("workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--to", "to", required=True, metavar="URL",
              help="移行先の PostgreSQL の URL（postgresql://利用者@ホスト:ポート/データベース。パスワードは ~/.pgpass か PGPASSWORD に）")
@json_option
@handle_errors
def migrate_cmd(workspace: Path, to: str, as_json: bool) -> None:
    """作業フォルダの SQLite のマスタを、空の PostgreSQL のデータベースに移す（元のファイルは名前を変えて残す）。"""
    res = api.migrate(open_workspace(workspace), to)
    if as_json:
        _dump(res.to_dict())
        return
    say("migrate_done", where=res.where, tables=len(res.rows), rows=sum(res.rows.values()),
        kept=res.kept, root=res.root)


@cli.command("forms")
@click.option("-w", "--workspace", "workspace", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="作業フォルダ（その templates の様式定義も一覧に含める）")
@json_option
@handle_errors
def forms_cmd(workspace: Path | None, as_json: bool) -> None:
    """使える様式（名前・題名・レイアウト・定義の場所）を一覧表示する。"""
    lg = current_lang()
    entries = api.forms_list(workspace)
    if as_json:
        _dump([e.to_dict(lg) for e in entries])
        return
    if not entries:
        click.echo(error_text("forms_none", lg))
        return
    click.echo("\t".join(ui(k, lg) for k in ("form_name", "form_title", "form_layout",
                                             "form_source")))
    for e in entries:
        line = f"{e.name}\t{e.title}\t{e.layout}\t{ui('source_' + e.source, lg)} {e.folder}"
        if e.problems:
            click.secho(f"{line}\t{error_text('forms_broken', lg, folder=_arg(e.folder))}",
                        fg="red")
        else:
            click.echo(line)


class FujimiSubgroup(click.Group):
    """A group of subcommands (``form check``) whose commands are ours."""

    command_class = FujimiCommand


@cli.group("form", cls=FujimiSubgroup)
def form_group() -> None:
    """様式定義を扱う（form check: 定義の検査）。"""


@form_group.command("check")
@click.argument("definition", type=click.Path(exists=True, path_type=Path))
@json_option
@handle_errors
def form_check_cmd(definition: Path, as_json: bool) -> None:
    """様式定義（フォルダ、または form.json）を検査し、問題をすべて表示する。"""
    lg = current_lang()
    res = api.check_form(definition)
    if as_json:
        _dump(res.to_dict(lg))
        sys.exit(0 if res.ok else 1)
    if res.ok:
        click.secho(error_text("form_check_ok", lg, folder=res.folder, name=res.name,
                               title=res.title), fg="green")
        return
    for p in res.problems:
        click.echo(p.message(lg))
    click.secho(error_text("form_check_problems", lg, folder=res.folder, n=len(res.problems)),
                fg="red")
    sys.exit(1)


# -- access (issue 15): links for staff, the secretariat's accounts ---------------------------
@cli.command("links")
@click.argument("form")
@year_option
@workspace_option
@click.option("--group", "groups", multiple=True,
              help="この担当のリンクだけ（担当コード・グループ名・部名とグループ名。複数指定可）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="差し込み印刷用に書き出すファイル（.csv または .xlsx）: 担当コード・担当名・メール・リンク")
@click.option("--revoke", is_flag=True,
              help="--group の担当のリンクを無効にする（開いても何もできなくなる）")
@click.option("--renew", is_flag=True,
              help="新しいリンクを発行する（前のリンクは使えなくなる。--group がなければ全担当）")
@click.option("--public-url", "public_url", default=None, metavar="URL",
              help="職員のパソコンからサーバを開くアドレス（例 http://fujimi-srv01:8080）を"
                   "作業フォルダに設定する（一度でよい。\"\" で消す）")
@json_option
@handle_errors
def links_cmd(form: str, year: int, workspace: Path, groups: tuple[str, ...],
              output: Path | None, revoke: bool, renew: bool, public_url: str | None,
              as_json: bool) -> None:
    """担当ごとの提出用リンク（ブラウザで開くページ）を表示し、差し込み印刷用に書き出す。

    \b
    リンクはサーバ（fujimi-xl serve）の公開アドレスとともに使います。公開アドレスは
    --public-url で一度設定すれば作業フォルダに残り、generate で作るブックの記入要領にも
    リンクが入ります。--revoke で無効に、--renew で新しいリンクに替えます。"""
    lg = current_lang()
    form = _form(form, workspace)
    ws = open_workspace(workspace)
    codes = _groups(workspace, list(groups)) if groups else None
    if revoke and renew:
        raise FujimiError(code="access_revoke_and_renew")
    if revoke:
        if not codes:
            raise FujimiError(code="access_revoke_needs_group")
        refs = api.revoke_links(ws, form, year, codes)
        api.log_action(ws, api.cli_user(), "links_revoke",
                       f"{form} {year}: {', '.join(r.slot for r in refs)}")
        if as_json:
            _dump({"revoked": [r.__dict__ for r in refs]})
            return
        say("links_revoked", n=len(refs), names="、".join(
            sorted({r.group_name for r in refs})))
        return
    found = api.links(ws, form, year, codes, renew=renew, public_url=public_url)
    if renew:
        api.log_action(ws, api.cli_user(), "links_renew",
                       f"{form} {year}: {', '.join(link.ref.slot for link in found)}")
    if output is not None:
        if not api.public_url(ws):
            raise FujimiError(code="access_no_public_url")
        api.write_links(ws, found, output)
    if as_json:
        _dump({"public_url": api.public_url(ws), "links": [
            {**link.ref.__dict__, "token": link.token, "url": link.url} for link in found],
            "output": str(output) if output else None})
        return
    if public_url is not None:
        say("links_public_url_set" if public_url.strip() else "links_public_url_cleared",
            url=api.public_url(ws) or "")
    say("links_head", year=year_label(year, lg), title=ws.title_for(form) or form, n=len(found))
    for link in found:
        shown = link.url or (f"/g/{link.token}" if link.token else ui("links_revoked_mark", lg))
        label = f" {link.ref.label}" if link.ref.label else ""
        say("links_line", name=link.ref.group_name, code=link.ref.group_code, label=label,
            link=shown)
    if renew:
        say("links_renewed", n=len(found))
    if output is not None:
        say("links_written", path=output)
    if not api.public_url(ws):
        say("links_no_public_url")


@cli.group("user", cls=FujimiSubgroup)
def user_group() -> None:
    """事務局の利用者（ブラウザの管理ページにサインインする人）を登録する（user add / list / remove）。"""


@user_group.command("add")
@click.argument("name")
@workspace_option
@click.option("--password-stdin", "password_stdin", is_flag=True,
              help="パスワードを尋ねずに標準入力の1行目から読む（スクリプト用）")
@handle_errors
def user_add_cmd(name: str, workspace: Path, password_stdin: bool) -> None:
    """事務局の利用者を登録する（登録済みならパスワードを変更する）。パスワードは2回尋ねる。"""
    lg = current_lang()
    ws = open_workspace(workspace)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise FujimiError(code="access_no_password")
    else:
        password = click.prompt(ui("password_prompt", lg), hide_input=True)
        again = click.prompt(ui("password_again", lg), hide_input=True)
        if password != again:
            raise FujimiError(code="access_passwords_differ")
    new = api.add_user(ws, name, password)
    api.log_action(ws, api.cli_user(), "user_add" if new else "user_password", name.strip())
    say("user_added" if new else "user_changed", name=name.strip())


@user_group.command("list")
@workspace_option
@json_option
@handle_errors
def user_list_cmd(workspace: Path, as_json: bool) -> None:
    """登録された事務局の利用者を一覧表示する。"""
    names_ = api.users(open_workspace(workspace))
    if as_json:
        _dump(names_)
        return
    if not names_:
        say("users_none")
    for name in names_:
        click.echo(name)


@user_group.command("remove")
@click.argument("name")
@workspace_option
@handle_errors
def user_remove_cmd(name: str, workspace: Path) -> None:
    """事務局の利用者を削除する（その人はサインインできなくなる）。"""
    ws = open_workspace(workspace)
    if not api.remove_user(ws, name):
        raise FujimiError(code="access_no_user", name=name,
                          names="、".join(api.users(ws)) or "-")
    api.log_action(ws, api.cli_user(), "user_remove", name.strip())
    say("user_removed", name=name.strip())


@cli.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-pdf", is_flag=True, help="PDF を作成しない")
@handle_errors
def demo_cmd(directory: Path, no_pdf: bool) -> None:
    """同梱のサンプルデータで一連の流れ（作成→記入→取込→集計）を実行する。"""
    from fujimi_xl.demo import run_demo

    if directory.exists() and any(directory.iterdir()):
        raise FujimiError(code="demo_not_empty", directory=directory)
    run_demo(directory, want_pdf=not no_pdf, say=click.echo, lang=current_lang())


@cli.command("serve")
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="受け付けるアドレス（127.0.0.1 はこのパソコンだけ。庁内の他のパソコンからは 0.0.0.0）")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="ポート番号")
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 1024),
              help="提出できるファイルの大きさの上限（MB）")
@click.option("--trusted-header", default=None,
              help="リバースプロキシがサインインした利用者名を渡すヘッダ名（使うときだけ指定）")
@handle_errors
def serve_cmd(workspace: Path, host: str, port: int, max_upload_mb: int,
              trusted_header: str | None) -> None:
    """ブラウザで使うサーバを起動する（担当の提出ページと事務局の提出状況）。

    担当は事務局から届いたリンク（fujimi-xl links）を開き、事務局は /admin を開きます。
    """
    # Flask and waitress take a third of a second to import: only this command pays for it
    from fujimi_xl.web.serve import serve

    open_workspace(workspace)  # a missing workspace is said before anything starts
    serve(workspace, host, port, lang=current_lang(), max_upload_mb=max_upload_mb,
          trusted_header=trusted_header, say=click.echo)
