"""The pcndocs command line: the only module that talks to the terminal."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pcndocs import __version__
from pcndocs.errors import PcndocsError, Problem, ProfileError, Stopped
from pcndocs.render.documents import DOCUMENTS
from pcndocs.render.writers.registry import (
    WRITERS,
    UnknownFormatError,
    default_formats,
    parse_formats,
)

if TYPE_CHECKING:
    from pcndocs.compare.run import CompareResult
    from pcndocs.output.batch import Outcome
    from pcndocs.output.build import BuildResult
    from pcndocs.output.ownership import Kept
    from pcndocs.profile.load import LoadedProfile
    from pcndocs.rules.facts import Facts

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("pcndocs")


# The one map of outcomes to exit codes; the README's table says the same.
EXIT_OK = 0
EXIT_USER_ERROR = 1  # the input is wrong: a one-line message, no traceback
EXIT_USAGE = 2  # the command is mistyped (Click's own)
EXIT_BUG = 70  # a bug in pcndocs: its traceback is printed (EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_SIGNALLED = 128  # another signal that stops a run ends with 128 + its number (SIGTERM: 143)


def exit_code(error: BaseException | None) -> int:
    """Return the exit code of a command that ended with this error (None: it succeeded)."""
    if error is None:
        return EXIT_OK
    if isinstance(error, PcndocsError):
        return EXIT_USER_ERROR
    if isinstance(error, click.UsageError):
        return EXIT_USAGE
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, Stopped):
        return EXIT_SIGNALLED + error.signum
    if isinstance(error, SystemExit) and isinstance(error.code, int):
        return error.code
    return EXIT_BUG


def print_error(error: PcndocsError) -> None:
    """Print a user's error, one line a problem, each marked as an error."""
    problems = error.problems if isinstance(error, ProfileError) else [error]
    for problem in problems:
        click.secho(f"error: {problem}", fg="red", err=True)


def report_ending(error: BaseException, verbose: bool = False) -> int:
    """Print how a command ended on an error, in the user's terms, and return its exit code."""
    if isinstance(error, PcndocsError):
        print_error(error)
        if verbose:
            # The detail a bug report needs: which check refused the input, and where.
            detail = traceback.format_exception(error)
            click.echo(f"({type(error).__name__}; raised at)\n{''.join(detail[1:-1])}", err=True)
    elif isinstance(error, KeyboardInterrupt | Stopped):
        click.echo(
            "interrupted: documents already written are complete; none is half-written", err=True
        )
    else:
        click.echo("".join(traceback.format_exception(error)).rstrip(), err=True)
        click.secho(
            f"error: a bug in pcndocs ({type(error).__name__}); please report it, with the "
            "lines above and the profile",
            fg="red",
            err=True,
        )
    return exit_code(error)


def _verbose(ctx: click.Context) -> bool:
    return bool((ctx.find_root().obj or {}).get("verbose"))


@contextmanager
def user_errors(ctx: click.Context) -> Iterator[None]:
    """End a user's error or Ctrl-C with its message and exit code; bugs go on to the group."""
    try:
        yield
    except (PcndocsError, KeyboardInterrupt, Stopped) as exc:
        ctx.exit(report_ending(exc, _verbose(ctx)))


class Commands(click.Group):
    """The pcndocs commands: whatever a command raises ends with `exit_code`'s code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except (Exception, KeyboardInterrupt, Stopped) as exc:
            ctx.exit(report_ending(exc, _verbose(ctx)))


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().obj["verbose"] = True
        logging.getLogger().setLevel(logging.DEBUG)


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().obj["quiet"] = True
        logging.getLogger().setLevel(logging.ERROR)


def _verbosity_options() -> list[click.Parameter]:
    """Return -v and -q for a subcommand, so `pcndocs build -q` works as `pcndocs -q build`."""
    return [
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=_set_verbose,
            help="Say more about what is happening.",
        ),
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            callback=_set_quiet,
            help="Print only errors: no warnings, no list of files.",
        ),
    ]


def _split_formats(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    try:
        return parse_formats(value)
    except UnknownFormatError as exc:
        raise click.BadParameter(str(exc)) from None


def _formats_help() -> str:
    names = list(WRITERS)
    listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    default = " and ".join(default_formats())
    return f"{listed}; repeat or give a list (-f pdf,docx). Default: {default}."


def _split_docs(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    names = [part.strip() for item in value for part in item.split(",") if part.strip()]
    known = [d.name for d in DOCUMENTS]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown document {unknown[0]!r}; `pcndocs docs` lists them: {', '.join(known)}"
        )
    return tuple(dict.fromkeys(names))


def _templates_option() -> Callable[[F], F]:
    return click.option(
        "--templates",
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        help="A folder of your own templates; a file there replaces the built-in one of the "
        "same name.",
    )


def _wording_option() -> Callable[[F], F]:
    return click.option(
        "--wording",
        type=click.Path(path_type=Path, dir_okay=False, readable=False),
        help="A house wording file: your own text for some clauses (`pcndocs clauses`). "
        "Default: wording.yaml beside the profiles, if there is one.",
    )


def _house_wording(
    ctx: click.Context, given: Path | None, places: Sequence[Path], templates: Path | None
) -> tuple[Path | None, int]:
    """Return the house wording file to use (checked), and how many warnings it gave.

    Without --wording, a `wording.yaml` in the folder of the profiles (a workspace's) is
    used, and the output says so. Each clause whose built-in text changed since the file
    was pinned is a warning, said once for the whole run.
    """
    from pcndocs.output.build import templates_for
    from pcndocs.render.wording import WORKSPACE_FILE, load_wording, wording_notes

    path = given
    if path is None and places:
        folder = places[0] if places[0].is_dir() else places[0].parent
        beside = folder / WORKSPACE_FILE
        path = beside if beside.is_file() else None
        if path is not None and not ctx.obj["quiet"]:
            click.echo(
                f"House wording: {path} (beside the profiles; --wording FILE for another)",
                err=True,
            )
    if path is None:
        return None, 0
    chosen = templates_for(templates)
    notes = wording_notes(load_wording(path, chosen), chosen)
    if not ctx.obj["quiet"]:
        for warning in notes.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
    return path, len(notes.warnings)


def _out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "-o",
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("output"),
        show_default=True,
        help=help_text,
    )


def _jobs_option(help_text: str) -> Callable[[F], F]:
    """Return the -j option of the commands that render on worker processes."""
    return click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help=help_text)


def _document_options(doing: str, out_help: str) -> Callable[[F], F]:
    """Return a decorator adding what build and compare share: -o, -f, -d and --templates."""
    shared = [
        _out_option(out_help),
        click.option(
            "-f",
            "--format",
            "formats",
            multiple=True,
            callback=_split_formats,
            metavar="FMT",
            help=_formats_help(),
        ),
        click.option(
            "-d",
            "--doc",
            "docs",
            multiple=True,
            callback=_split_docs,
            metavar="NAME",
            help=f"{doing} only this document (see `pcndocs docs`); repeat for several.",
        ),
        _templates_option(),
        _wording_option(),
    ]

    def add(command: F) -> F:
        for option in reversed(shared):
            command = option(command)
        return command

    return add


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the version and the day the national facts were checked, then stop."""
    if not value or ctx.resilient_parsing:
        return
    from pcndocs.resources import facts_checked_date  # reads one line, loads no facts

    click.echo(f"pcndocs, version {__version__} (national facts checked {facts_checked_date()})")
    ctx.exit()


def counted(number: int, word: str) -> str:
    """Return a count with its noun, singular for one (rules.checks.counted, loaded late)."""
    from pcndocs.rules.checks import counted as words

    return words(number, word)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the date the national facts were checked, and exit.",
)
@click.option("-v", "--verbose", is_flag=True, help="Say more about what is happening.")
@click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors: no warnings, no list of files."
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Write the governance documents of a Primary Care Network from one YAML profile.

    New here? `pcndocs new` asks about your network and writes its profile; then
    `pcndocs check network.yaml` and `pcndocs build network.yaml`. `pcndocs example`
    writes the example profile to copy, and `pcndocs build` alone builds it.
    """
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    ctx.obj = {"verbose": verbose, "quiet": quiet}


@cli.command()
# Not readable=True: a profile that cannot be read is the user's error (exit 1), said by
# the reader in the same words as every other, not a usage error.
@click.argument("profiles", nargs=-1, type=click.Path(path_type=Path, readable=False))
@_document_options("Build", "Folder to write the documents into.")
@_jobs_option(
    "Processes to build with (networks, or one network's documents, at once). "
    "Default: one per core."
)
@click.option(
    "--blank",
    is_flag=True,
    help="Build from an incomplete profile: each missing value becomes a highlighted "
    "placeholder, listed in still-to-agree.txt.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) if there is any warning.")
@click.option(
    "--force",
    is_flag=True,
    help="Build every network again, even those whose inputs have not changed.",
)
@click.option(
    "--overwrite-edited",
    is_flag=True,
    help="Replace documents edited since pcndocs wrote them (kept by default, with the new "
    "one beside them as NAME.new.FORMAT).",
)
@click.pass_context
def build(
    ctx: click.Context,
    profiles: tuple[Path, ...],
    out: Path,
    formats: tuple[str, ...],
    docs: tuple[str, ...],
    templates: Path | None,
    wording: Path | None,
    jobs: int | None,
    blank: bool,
    strict: bool,
    force: bool,
    overwrite_edited: bool,
) -> None:
    """Build the documents of network profiles (files, or folders of them).

    With no PROFILE, builds the example network shipped with pcndocs. Documents are
    written to OUT/<network>/<document>.<format>, and OUT/index.csv lists them all.
    A network whose profile, templates and options have not changed since its last
    build, and whose files are as pcndocs wrote them, is not built again.
    """
    from pcndocs.output.batch import Batch, build_many, default_jobs, expand_profiles
    from pcndocs.output.build import BuildOptions
    from pcndocs.resources import example_profile

    quiet = ctx.obj["quiet"]
    batch = Batch()
    with user_errors(ctx):
        wording, house_warnings = _house_wording(ctx, wording, profiles, templates)
        options = BuildOptions(
            out=out,
            formats=formats,
            documents=docs,
            templates=templates,
            wording=wording.resolve() if wording else None,
            blank=blank,
            force=force,
            overwrite_edited=overwrite_edited,
        )
        paths = expand_profiles(profiles) if profiles else [example_profile()]
        many = len(paths) > 1
        bar = (
            click.progressbar(
                length=len(paths), label="Building networks", file=sys.stderr, show_pos=True
            )
            if many and not quiet
            else None
        )

        def report(done: list[Outcome]) -> None:
            if bar is not None:
                bar.update(len(done))

        if bar is not None:
            with bar:
                outcomes = build_many(paths, options, jobs or default_jobs(), report, batch=batch)
        else:
            outcomes = build_many(paths, options, jobs or default_jobs(), report, batch=batch)
        for note in batch.notes:  # said even with --quiet: the record was set aside
            click.secho(f"warning: {note}", fg="yellow", err=True)
        if not many and outcomes[0].result is None:
            outcomes[0].built()  # raises its failure: the user's error, or the bug
        failed = [o for o in outcomes if o.result is None]
        warned = _print_outcomes(outcomes, quiet=quiet, many=many) + house_warnings
        if batch.index is not None and batch.index.kept is not None:
            click.secho(
                f"kept: {batch.index.path} had been changed since pcndocs wrote it; your copy "
                f"is {batch.index.kept}, and {batch.index.path} lists the documents again",
                fg="yellow",
                err=True,
            )
        if failed:
            raise PcndocsError(
                f"{len(failed)} of {counted(len(outcomes), 'network')} failed; see above"
            )
        if strict and warned:
            raise PcndocsError(
                f"--strict: {counted(warned, 'warning')}; documents were written but need attention"
            )


def _say_kept(kept: Kept, remedy: str = "") -> None:
    """Say that a user's file was kept, why it is taken as theirs, and where the new one went."""
    why = (
        "was changed since pcndocs wrote it"
        if kept.recorded
        else "differs from what pcndocs writes, and pcndocs has no record of writing it "
        "(its record was lost, or the folder came from elsewhere)"
    )
    click.secho(
        f"kept: {kept.edited} {why}, so it was not replaced; the new one is {kept.beside}{remedy}",
        fg="yellow",
        err=True,
    )


def _print_outcomes(outcomes: list[Outcome], quiet: bool, many: bool) -> int:
    """Print warnings, files written and, for many networks, a summary; return warnings."""
    warned = sum(_print_outcome(outcome, quiet=quiet, many=many) for outcome in outcomes)
    if many and not quiet:
        _print_summary(outcomes, warned)
    return warned


def _print_outcome(outcome: Outcome, quiet: bool, many: bool) -> int:
    """Print one network's failure, or its kept files, warnings and files; return warnings."""
    if outcome.result is None:
        click.secho(f"failed: {outcome.path}: {outcome.error}", fg="red", err=True)
        return 0
    result = outcome.result
    for kept in result.kept:  # said even with --quiet: a file was not replaced
        _say_kept(kept, " (--overwrite-edited replaces it)")
    if not quiet:
        for warning in result.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        if not many:
            _print_files(result)
    return len(result.warnings)


def _print_files(result: BuildResult) -> None:
    """Print the files a network's build wrote (or found up to date) and what is still to agree."""
    from pcndocs.rules.checks import gap_line

    if result.up_to_date:
        click.echo(
            f"{result.network}: up to date, {counted(len(result.written), 'file')} in "
            f"{result.folder} "
            "(nothing changed since the last build; --force builds it again)"
        )
        return
    click.echo(f"{result.network}: {counted(len(result.written), 'file')} in {result.folder}")
    for written in result.written:
        click.echo(f"  {written}")
    if result.gaps:
        click.echo(f"Still to agree ({len(result.gaps)}), shown as placeholders:")
        for gap in result.gaps:
            click.echo(f"  {gap_line(gap)}")


def _print_summary(outcomes: list[Outcome], warned: int) -> None:
    """Print the one line that sums up a build of many networks."""
    done = [o.result for o in outcomes if o.result is not None]
    built = [r for r in done if not r.up_to_date]
    documents = sum(len(r.written) for r in built)
    current = len(done) - len(built)
    click.echo(
        f"Built {len(built)} of {counted(len(outcomes), 'network')}: "
        f"{counted(documents, 'file')}; "
        + (f"{current} already up to date; " if current else "")
        + f"{counted(warned, 'warning')}; {len(outcomes) - len(done)} failed."
    )


@cli.command()
@click.argument(
    "profiles", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False)
)
@click.option(
    "--blank",
    is_flag=True,
    help="Check an incomplete profile, as `build --blank` takes it: list what is still to agree.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) if there is any warning.")
@_wording_option()
@click.pass_context
def check(
    ctx: click.Context,
    profiles: tuple[Path, ...],
    blank: bool,
    strict: bool,
    wording: Path | None,
) -> None:
    """Check profiles and summarise them, without building documents.

    Ends with one line: `ready: ...` when no profile has an error, `not ready: ...` when
    one has.
    """
    from datetime import date

    from pcndocs.output.build import load
    from pcndocs.rules.checks import advice, verdict, warnings_for
    from pcndocs.rules.facts import load_facts

    quiet = ctx.obj["quiet"]
    facts = load_facts()
    errors = failed = warned = to_agree = 0
    with user_errors(ctx):
        house, warned = _house_wording(ctx, wording, profiles, None)
    if house is not None and not quiet:
        _print_house_clauses(house)
    for path in profiles:
        try:
            loaded = load(path, facts, blank=blank)
        except PcndocsError as exc:
            print_error(exc)
            errors += len(exc.problems) if isinstance(exc, ProfileError) else 1
            failed += 1
            continue
        warnings = warnings_for(loaded, facts, date.today())
        if house is not None:
            from pcndocs.output.build import DocumentOptions, house_warnings

            warnings += house_warnings(loaded, DocumentOptions(out=Path(), wording=house))
        warned += len(warnings)
        to_agree += len(loaded.gaps)
        if not quiet:
            _print_checked(path, loaded, facts, warnings)
    if not quiet and failed < len(profiles):
        click.echo("The LMC's advice on the clinical director's role:")
        for text in advice(facts):
            click.echo(f"  - {text}")
    ready = not errors and not (strict and warned)
    click.echo(verdict(len(profiles), failed, errors, warned, strict, to_agree))
    if not ready:
        ctx.exit(EXIT_USER_ERROR)


def _print_house_clauses(house: Path) -> None:
    """Print which clauses every pack takes from the house wording."""
    from pcndocs.output.build import DocumentOptions, house_lines

    used = house_lines(DocumentOptions(out=Path(), wording=house))
    click.echo(f"Every pack takes {len(used)} clauses from the house wording:")
    for line in used:
        click.echo(f"  {line}")


def _print_checked(
    path: Path, loaded: LoadedProfile, facts: Facts, warnings: Sequence[Problem]
) -> None:
    """Print one checked profile: its network, its summary and its warnings."""
    from pcndocs.rules.checks import summary

    click.echo(f"{path}: {loaded.profile.network.name or '(no name yet)'}")
    for line in summary(loaded, facts):
        click.echo(f"  {line}")
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


@cli.command("import")
@click.option(
    "--epcn",
    type=click.Path(path_type=Path),
    required=True,
    help="The ODS ePCN workbook (.xlsx): networks and their member practices.",
)
@click.option(
    "--lists",
    type=click.Path(path_type=Path),
    help="NHS Digital 'Patients Registered at a GP Practice' CSV: list sizes.",
)
@click.option("--pcn", "pcn_codes", multiple=True, metavar="CODE", help="A network's PCN code.")
@click.option(
    "--ccg",
    "ccg_codes",
    multiple=True,
    metavar="CODE",
    help="A commissioner's code (CCG or sub-ICB location): all its networks.",
)
@click.option("--all", "all_networks", is_flag=True, help="Every network in the file.")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("profiles"),
    show_default=True,
    help="Folder for the profiles.",
)
@click.option("--force", is_flag=True, help="Replace profiles that already exist.")
@click.pass_context
def import_(
    ctx: click.Context,
    epcn: Path,
    lists: Path | None,
    pcn_codes: tuple[str, ...],
    ccg_codes: tuple[str, ...],
    all_networks: bool,
    out: Path,
    force: bool,
) -> None:
    """Write a profile for each network chosen from the national files.

    Values the files do not hold (the clinical director, the appointment process) are
    marked as still to be filled in; build such a profile with `pcndocs build --blank`.
    """
    from pcndocs.importer import import_networks

    if not (pcn_codes or ccg_codes or all_networks):
        raise click.UsageError("choose networks with --pcn CODE, --ccg CODE or --all")
    with user_errors(ctx):
        report = import_networks(
            epcn, lists, pcn_codes, ccg_codes, all_networks, out, overwrite=force
        )
    for problem in report.problems:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    if not ctx.obj["quiet"]:
        click.echo(
            f"Imported {counted(report.networks, 'network')}, "
            f"{counted(report.practices, 'practice')}, "
            f"{report.population:,} registered patients; {len(report.written)} profiles "
            f"written to {out}"
        )
        if report.kept:
            click.echo(
                f"{counted(len(report.kept), 'profile')} already existed and "
                f"{'was' if len(report.kept) == 1 else 'were'} kept "
                f"(use --force to replace {'it' if len(report.kept) == 1 else 'them'})"
            )
        if report.missing_list_sizes:
            click.echo(
                f"{counted(report.missing_list_sizes, 'practice')} "
                f"{'has' if report.missing_list_sizes == 1 else 'have'} no list size: "
                "their profiles mark it as still to be filled in"
            )


@cli.command()
@click.argument(
    "path", type=click.Path(path_type=Path, dir_okay=False), default=Path("network.yaml")
)
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A profile to fill in (one `pcndocs import` wrote, say): only what it lacks or "
    "has wrong is asked, and every other value is kept.",
)
@click.pass_context
def new(ctx: click.Context, path: Path, force: bool, source: Path | None) -> None:
    """Write a new network profile by answering a few questions.

    The profile goes to PATH (network.yaml if not given). Each answer is checked as
    it is typed; answers can also be piped in, one a line. Type < to go back to the
    question before, ? for help on a question. With --from, the profile given is read
    and never changed (unless it is PATH too, with --force).
    """
    import shlex
    from datetime import date

    from pcndocs.new.fill import known_values
    from pcndocs.new.prompt import LineAsker
    from pcndocs.new.questions import ask_profile
    from pcndocs.new.write import (
        read_partial_profile,
        refuse_to_replace,
        write_filled_profile,
        write_new_profile,
    )
    from pcndocs.rules.facts import load_facts

    def read(prompt: str) -> str | None:
        try:
            # Click's own line reader: readline at a terminal, and the test runner's input.
            return click.termui.visible_prompt_func(prompt)
        except EOFError:
            click.echo()
            return None

    with user_errors(ctx):
        refuse_to_replace(path, force)
        facts = load_facts()
        today = date.today()
        partial = read_partial_profile(source, facts) if source is not None else None
        if partial is not None:
            click.echo(f"Filling in {source}: only what it lacks or has wrong is asked.")
        try:
            known = known_values(partial.document, partial.text) if partial else None
            asker = LineAsker(read, click.echo, known)
            profile = asker.run(lambda ask, say: ask_profile(ask, say, facts, today))
        except KeyboardInterrupt:
            click.echo("\ninterrupted; nothing was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        if partial is not None and not asker.answers:
            click.echo("Nothing to ask: the profile has every value the questions cover.")
        if partial is None:
            write_new_profile(path, profile, facts, today)
            left: list[Problem] = []
        else:
            left = write_filled_profile(path, partial, profile, asker.asked, facts, today)
        quoted = shlex.quote(str(path))
        click.echo(f"Wrote {path}")
        if left:
            click.echo(f"Still to mend in {path} (no question covers these):")
            for problem in left:
                click.echo(f"  {problem}")
        click.echo(f"Next: pcndocs check {quoted}")
        click.echo(f"      pcndocs build {quoted}")


@cli.command()
@click.argument(
    "path", type=click.Path(path_type=Path, dir_okay=False), default=Path("example.yaml")
)
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.pass_context
def example(ctx: click.Context, path: Path, force: bool) -> None:
    """Write the example profile to PATH (example.yaml if not given), to copy and change."""
    from pcndocs.new.write import refuse_to_replace
    from pcndocs.resources import write_example

    with user_errors(ctx):
        refuse_to_replace(path, force)
        write_example(path)
    if not ctx.obj["quiet"]:
        click.echo(f"Wrote {path}: a complete example network; change it to describe yours")


@cli.command()
@click.argument("place", required=False, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on (0: any free one). Default: 8765, or the next free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but this machine's own needs the token.",
)
@click.option("--token", help="The token other machines must give (default: one is generated).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@_templates_option()
@_wording_option()
@_out_option(
    'The folder `pcndocs build` writes into: "What changed since the last build" '
    "compares the form with the profile last built there."
)
@_jobs_option("Documents to build at once, in parallel processes. Default: one per core.")
@click.pass_context
def serve(
    ctx: click.Context,
    place: Path | None,
    port: int | None,
    host: str,
    token: str | None,
    no_browser: bool,
    templates: Path | None,
    wording: Path | None,
    out: Path,
    jobs: int | None,
) -> None:
    """Open a workspace of networks in a web browser: PROFILE or FOLDER (default ./networks).

    A workspace is a folder of profiles, one YAML file per network, made if absent; what
    is typed in the browser is saved into the network's file as it is typed. With PROFILE,
    its folder is the workspace and the page opens that network. The server listens on
    this machine only unless --host says otherwise; then the address it prints carries a
    token that every request must give. Ctrl-C stops it.
    """
    from pcndocs.web.app import Settings, token_for
    from pcndocs.web.server import serve as run_server

    with user_errors(ctx):
        folder, profile = _workspace_place(place or Path("networks"))
        if wording is not None and not wording.exists():
            house: Path | None = wording  # a new file: the wording page makes it at its first save
        else:
            house, _warned = _house_wording(ctx, wording, [folder], templates)
        if house is None:  # the workspace's own, used as soon as the browser's editor makes it
            from pcndocs.render.wording import WORKSPACE_FILE

            house = folder / WORKSPACE_FILE
        settings = Settings(
            wording=house.resolve() if house else None,
            host=host,
            token=token_for(host, token),
            templates=templates,
            workers=jobs,
            profile=profile,
            out=out,
            workspace=folder,
        )
        run_server(settings, port, open_browser=not no_browser, say=click.echo)


def _workspace_place(place: Path) -> tuple[Path, Path | None]:
    """Return the workspace folder and the profile to open, from serve's PROFILE or FOLDER."""
    if place.is_dir() or not place.suffix:
        return place, None
    if place.suffix not in (".yaml", ".yml"):
        raise PcndocsError(f"{place}: give a profile (.yaml) or a folder of profiles")
    if not place.is_file():
        raise PcndocsError(f"{place}: no such profile")
    return place.parent, place


@cli.command()
@click.argument("profiles", nargs=-1, type=click.Path(path_type=Path, readable=False))
@_document_options(
    "Compare", "Folder to write the changes into (and where --since-last-build looks)."
)
@click.option(
    "--author",
    default="pcndocs",
    show_default=True,
    help="The name Word and LibreOffice show on each tracked change.",
)
@click.option(
    "--since-last-build",
    "since_last_build",
    is_flag=True,
    help="Compare PROFILE with the profile its last build in OUT was made from.",
)
@click.option(
    "--since-agreed",
    "since_agreed",
    is_flag=True,
    help="Compare PROFILE with its last agreed version (marked in `pcndocs serve`).",
)
@_jobs_option("Processes to render the redlines with, as `build` uses. Default: one per core.")
@click.pass_context
def compare(
    ctx: click.Context,
    profiles: tuple[Path, ...],
    out: Path,
    formats: tuple[str, ...],
    docs: tuple[str, ...],
    templates: Path | None,
    wording: Path | None,
    author: str,
    since_last_build: bool,
    since_agreed: bool,
    jobs: int | None,
) -> None:
    """Show what changed between two versions of a network's profile: OLD NEW.

    Each document that changed is written as OUT/<network>/<document>-changes.<format>:
    the DOCX with Word tracked changes to accept or reject, the PDF and HTML with added
    words underlined and removed words struck through. Unchanged documents are listed
    and not written. A summary of the changes goes to OUT/<network>/changes.txt.
    """
    from pcndocs.compare.run import CompareOptions, compare_profiles, last_build, summary_text
    from pcndocs.output.workers import default_jobs

    if since_last_build and since_agreed:
        raise click.UsageError("give --since-last-build or --since-agreed, not both")
    since = "--since-last-build" if since_last_build else "--since-agreed" if since_agreed else ""
    if len(profiles) != (1 if since else 2):
        raise click.UsageError(
            f"give one PROFILE with {since}"
            if since
            else "give two profiles: the older version, then the newer"
        )
    label: str | None = None
    with user_errors(ctx):
        if since_last_build:
            old, new = last_build(out, profiles[0]), profiles[0]
        elif since_agreed:
            old, label = _last_agreed(profiles[0])
            new = profiles[0]
        else:
            old, new = profiles
        wording, _warned = _house_wording(ctx, wording, [new], templates)
        options = CompareOptions(
            out=out,
            formats=formats,
            documents=docs,
            templates=templates,
            wording=wording.resolve() if wording else None,
            author=author,
        )
        result = compare_profiles(old, new, options, label, jobs or default_jobs())
    _print_compared(result, summary_text(result, label or old, new), ctx.obj["quiet"])


def _print_compared(result: CompareResult, summary: str, quiet: bool) -> None:
    """Print what compare kept of a user's (even with --quiet), its warnings and its files."""
    for kept in result.kept:  # said even with --quiet: a file was not replaced
        _say_kept(kept)
    for edited in result.kept_stale:
        click.secho(
            f"kept: {edited} is not as pcndocs wrote it, so it was not removed; it is out "
            "of date, since its document no longer changes (delete it if you do not need it)",
            fg="yellow",
            err=True,
        )
    if quiet:
        return
    for warning in result.warnings:  # as `build` says them
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    click.echo(summary, nl=False)
    click.echo(f"{counted(len(result.written), 'file')} in {result.folder}")
    for written in result.written:
        click.echo(f"  {written}")
    for removed in result.removed:
        click.echo(f"removed {removed}: its document has not changed, so it was out of date")


def _last_agreed(profile: Path) -> tuple[Path, str]:
    """Return the kept copy of a profile's last agreed version, and how to name it."""
    from pcndocs.output.workspace import workspace_of

    if not profile.is_file():
        raise PcndocsError(f"{profile}: no such profile")
    space, name = workspace_of(profile)
    agreed = space.last_agreed(name)
    if agreed is None:
        raise PcndocsError(
            f"{profile}: no version of it has been agreed (looked in "
            f"{space.root / '.pcndocs' / 'versions' / profile.stem}); mark one as agreed "
            "in `pcndocs serve` first"
        )
    return space.version_path(name, agreed.id), agreed.label


@cli.command()
@click.argument(
    "document",
    required=False,
    metavar="[DOC]",
    callback=lambda c, p, v: _split_docs(c, p, (v,))[0] if v else None,
)
@click.option("--fields", "show_fields", is_flag=True, help="List the fields a house text may use.")
@click.option(
    "--pin",
    is_flag=True,
    help="Record in the wording file the built-in text each of its clauses replaces.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Show, as a redline, the built-in text that changed under each clause the wording "
    "file replaces.",
)
@_wording_option()
@_templates_option()
@click.pass_context
def clauses(
    ctx: click.Context,
    document: str | None,
    show_fields: bool,
    pin: bool,
    changed: bool,
    wording: Path | None,
    templates: Path | None,
) -> None:
    """List the clauses of every document (or DOC) with their ids and built-in wording.

    A house wording file (wording.yaml) gives some of them your own text, omits them, or adds
    a clause after them, for every network you build; `--pin` records which built-in text
    each replaces, so `check` and `build` tell you when a new version changes it, and
    `--changed` shows what changed.
    """
    from pcndocs.output.build import templates_for
    from pcndocs.render import wording as house
    from pcndocs.render.clauses import (
        document_clauses,
        document_named,
        documents_once,
        load_catalogue,
        redline,
    )

    chosen = templates_for(templates)
    with user_errors(ctx):
        if show_fields:
            width = max(len(f.name) for f in house.FIELDS) + 2
            for item in house.FIELDS:
                click.echo(f"{{{item.name}}}".ljust(width) + f"  {item.description}")
            return
        path = wording or (Path(house.WORKSPACE_FILE) if (pin or changed) else None)
        if (pin or changed) and path is not None and not path.is_file():
            raise PcndocsError(f"{path}: no such wording file; give it with --wording FILE")
        if pin and path is not None:
            pinned = house.pin(path, chosen)
            click.echo(
                f"{path}: pinned {len(pinned)} clause{'s' if len(pinned) != 1 else ''} to "
                "the built-in text they replace" + (": " + ", ".join(pinned) if pinned else "")
            )
            return
        if changed and path is not None:
            _print_changed(house.load_wording(path, chosen), chosen, load_catalogue(), redline)
            return
        entries = house.load_wording(path, chosen).entries if path else {}
        kinds = [document_named(document)] if document else documents_once()
        lines: list[str] = []
        for kind in kinds:
            for clause in document_clauses(chosen, kind):
                entry = entries.get(clause.id)
                mark = f"  [house wording: {entry.describe()}]" if entry else ""
                repeated = (
                    "  (repeated: once per item; each item below has its own id)"
                    if clause.per_item
                    else "  (repeated: once per item)"
                    if clause.repeated
                    else "  (one item of the list above, its text from pcndocs' data)"
                    if clause.item_of
                    else ""
                )
                lines.append(f"{clause.id}{mark}{repeated}")
                lines += [f"    {line}" for line in clause.source.split("\n")]
                if entry is not None and entry.text is not None:
                    lines += ["  house wording:", *(f"    {t}" for t in entry.text.split("\n"))]
    try:
        click.echo("\n".join(lines))
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _wrapped(text: str) -> str:
    return textwrap.fill(text, width=96, initial_indent="    ", subsequent_indent="    ")


def _print_changed(wording: Any, templates: Any, catalogue: Any, redline: Any) -> None:
    """Print, for each clause the wording replaces whose built-in text moved, a redline."""
    from pcndocs.render.wording import current_clauses

    clauses = current_clauses(templates)
    shown = 0
    for ident, entry in wording.entries.items():
        clause = clauses.get(ident)
        if clause is None or not entry.changes_text or entry.pinned in ("", clause.fingerprint):
            continue
        shown += 1
        then = catalogue.version(ident, entry.pinned)
        now = catalogue.version(ident, clause.fingerprint)
        when = f"in {now[1].since}" if now else "in your templates folder"
        click.echo(f"{ident}: the built-in text changed {when}")
        if then is None:
            click.echo("  (the text you pinned is not one pcndocs recorded; the text now is:)")
            click.echo(_wrapped(" ".join(clause.source.split())))
        else:
            click.echo("  the built-in text, [-taken out-] {+put in+}:")
            click.echo(_wrapped(redline(then[1].text, clause.source)))
        yours = " ".join(entry.text.split()) if entry.text is not None else "(omitted)"
        click.echo("  your wording:")
        click.echo(_wrapped(yours))
    if not shown:
        click.echo(f"{wording.path}: no clause it replaces has changed since it was pinned")


@cli.command()
def docs() -> None:
    """List the documents pcndocs writes, with their names for --doc."""
    width = max(len(d.name) for d in DOCUMENTS)
    for kind in DOCUMENTS:
        each = " (one per lead)" if kind.per_lead else ""
        click.echo(f"{kind.name:<{width}}  {kind.summary}{each}")


@cli.command()
@click.argument("year", required=False)
@click.pass_context
def facts(ctx: click.Context, year: str | None) -> None:
    """Print every national figure the documents use for YEAR (default: this year's).

    Each with its confidence (confirmed, reported or estimate) and its sources in full, so an
    adviser can check them before a board.
    """
    from datetime import date

    from pcndocs import years
    from pcndocs.rules.facts import load_facts
    from pcndocs.rules.factsreport import report

    with user_errors(ctx):
        chosen = year.strip() if year else str(years.containing(date.today()))
        wrong = years.problem(chosen)
        if wrong:
            raise PcndocsError(f"YEAR: {wrong}")
        lines = report(chosen, load_facts())
    try:
        click.echo("\n".join(lines))
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a profile, for editors' YAML autocompletion."""
    from pcndocs.profile.schema import profile_schema
    from pcndocs.rules.facts import load_facts

    click.echo(json.dumps(profile_schema(load_facts().known_ids()), indent=2))


@cli.group()
def templates() -> None:
    """Copy the built-in templates to change them, and list what a template can use."""


@templates.command("export", short_help="Copy the built-in templates into FOLDER to change them.")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files already in FOLDER.")
@click.pass_context
def templates_export(ctx: click.Context, folder: Path, force: bool) -> None:
    """Copy the built-in templates, partials, pdf.css and reference.docx into FOLDER.

    Change the copies (the Markdown wording, pdf.css for the PDF and HTML, and
    reference.docx in Word for the DOCX styles), add a logo.png if you like, then
    build with `pcndocs build --templates FOLDER`. A file you delete from FOLDER
    falls back to the built-in one.
    """
    from pcndocs.resources import export_templates

    with user_errors(ctx):
        written = export_templates(folder, force)
    if not ctx.find_root().obj["quiet"]:
        click.echo(f"copied {counted(len(written), 'file')} to {folder}")
        for path in written:
            click.echo(f"  {path}")


@templates.command(
    "reference", short_help="List every name and filter a template can use, in plain words."
)
def templates_reference() -> None:
    """Print every name a template can use and every filter, with what each means.

    The same text is docs/templates.md, in Markdown.
    """
    from pcndocs.render.reference import reference

    click.echo(reference(), nl=False)


def _add_verbosity(group: click.Group) -> None:
    for command in group.commands.values():
        command.params.extend(_verbosity_options())
        if isinstance(command, click.Group):
            _add_verbosity(command)


_add_verbosity(cli)


def _terminated(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C, so a document being written removes its temporary file.
    raise Stopped(signum)


def _never_fail_to_print() -> None:
    """Show what a terminal cannot encode as escapes, so printing never stops a run.

    A Windows console or a redirected stream may be cp1252: a name such as Łukasz would
    otherwise end a build that has written everything with a UnicodeEncodeError.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main() -> None:
    """Run the CLI (the `pcndocs` console script)."""
    _never_fail_to_print()
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli(prog_name="pcndocs")
    except Stopped as stopped:  # before or after a command runs: nothing to report
        sys.exit(exit_code(stopped))


if __name__ == "__main__":
    main()
