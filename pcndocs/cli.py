"""The pcndocs command line: the only module that talks to the terminal."""

from __future__ import annotations

import json
import logging
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from pcndocs import __version__
from pcndocs.documents import DOCUMENTS, FORMATS
from pcndocs.errors import PcndocsError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("pcndocs")


@contextmanager
def user_errors(ctx: click.Context) -> Iterator[None]:
    """Turn a user's error into its one-line message and exit code 1; bugs keep tracebacks."""
    try:
        yield
    except PcndocsError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        if ctx.find_root().obj and ctx.find_root().obj.get("verbose"):
            # The detail a bug report needs: which check refused the input, and where.
            detail = traceback.format_exception(exc)
            click.echo(f"({type(exc).__name__}; raised at)\n{''.join(detail[1:-1])}", err=True)
        ctx.exit(1)
    except KeyboardInterrupt:
        click.echo(
            "interrupted: documents already written are complete; none is half-written", err=True
        )
        ctx.exit(130)


def _split_formats(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    formats = [part.strip().lower() for item in value for part in item.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise click.BadParameter(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    return tuple(dict.fromkeys(formats)) or ("docx", "pdf")


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pcndocs")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what is happening.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Write the governance documents of a Primary Care Network from one YAML profile.

    Start with `pcndocs build` to build the example network, then copy
    profiles/example.yaml, describe your own network in it, and build that.
    """
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    ctx.obj = {"verbose": verbose, "quiet": quiet}


@cli.command()
# Not readable=True: a profile that cannot be read is the user's error (exit 1), said by
# the reader in the same words as every other, not a usage error.
@click.argument("profiles", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder to write the documents into.",
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    callback=_split_formats,
    metavar="FMT",
    help="docx, pdf or html; repeat or give a list (-f pdf,docx). Default: docx and pdf.",
)
@click.option(
    "-d",
    "--doc",
    "docs",
    multiple=True,
    callback=_split_docs,
    metavar="NAME",
    help="Build only this document (see `pcndocs docs`); repeat for several.",
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="A folder of your own templates; a file there replaces the built-in one of the same name.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes to build with (networks, or one network's documents, at once). "
    "Default: one per core.",
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
    from pcndocs.batch import Batch, Outcome, build_many, default_jobs, expand_profiles
    from pcndocs.build import BuildOptions
    from pcndocs.resources import example_profile

    quiet = ctx.obj["quiet"]
    options = BuildOptions(
        out=out,
        formats=formats,
        documents=docs,
        templates=templates,
        blank=blank,
        force=force,
        overwrite_edited=overwrite_edited,
    )
    batch = Batch()
    with user_errors(ctx):
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
            elif not many and done[0].error:
                raise_for(done[0])

        if bar is not None:
            with bar:
                outcomes = build_many(paths, options, jobs or default_jobs(), report, batch=batch)
        else:
            outcomes = build_many(paths, options, jobs or default_jobs(), report, batch=batch)
        failed = [o for o in outcomes if o.result is None]
        warned = _print_outcomes(outcomes, quiet=quiet, many=many)
        if batch.index is not None and batch.index.kept is not None:
            click.secho(
                f"kept: {batch.index.path} had been changed since pcndocs wrote it; your copy "
                f"is {batch.index.kept}, and {batch.index.path} lists the documents again",
                fg="yellow",
                err=True,
            )
        if failed:
            raise PcndocsError(
                f"{len(failed)} of {len(outcomes)} network"
                f"{'s' if len(outcomes) != 1 else ''} failed; see above"
            )
        if strict and warned:
            raise PcndocsError(
                f"--strict: {warned} warning{'s' if warned != 1 else ''}; "
                "documents were written but need attention"
            )


def raise_for(outcome: Any) -> None:
    """Re-raise a single profile's failure as the one-line error (or the bug) it was."""
    if outcome.exception is not None:
        raise outcome.exception
    if outcome.bug:
        raise RuntimeError(f"pcndocs failed on {outcome.path} (a bug):\n{outcome.error}")
    raise PcndocsError(outcome.error)


def _print_outcomes(outcomes: list[Any], quiet: bool, many: bool) -> int:
    """Print warnings, files written and, for many networks, a summary; return warnings."""
    warned = 0
    for outcome in outcomes:
        if outcome.result is None:
            click.secho(f"failed: {outcome.path}: {outcome.error}", fg="red", err=True)
            continue
        result = outcome.result
        for edited, beside in result.kept:  # said even with --quiet: a file was not replaced
            click.secho(
                f"kept: {edited} was changed since pcndocs wrote it, so it was not replaced; "
                f"the new one is {beside} (--overwrite-edited replaces it)",
                fg="yellow",
                err=True,
            )
        for warning in result.warnings:
            if not many or not quiet:
                click.secho(f"warning: {warning}", fg="yellow", err=True)
        warned += len(result.warnings)
        if not quiet and not many and result.up_to_date:
            click.echo(
                f"{result.network}: up to date, {len(result.written)} files in {result.folder} "
                "(nothing changed since the last build; --force builds it again)"
            )
        elif not quiet and not many:
            click.echo(f"{result.network}: {len(result.written)} files in {result.folder}")
            for written in result.written:
                click.echo(f"  {written}")
            if result.gaps:
                click.echo(f"Still to agree ({len(result.gaps)}), shown as placeholders:")
                for gap in result.gaps:
                    click.echo(f"  line {gap.line}: {gap.key}" if gap.line else f"  {gap.key}")
    if many and not quiet:
        done = [o.result for o in outcomes if o.result is not None]
        built = [r for r in done if not r.up_to_date]
        documents = sum(len(r.written) for r in built)
        current = len(done) - len(built)
        click.echo(
            f"Built {len(built)} of {len(outcomes)} networks: {documents} files; "
            + (f"{current} already up to date; " if current else "")
            + f"{warned} warnings; {len(outcomes) - len(done)} failed."
        )
    return warned


@cli.command()
@click.argument(
    "profiles", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False)
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) if there is any warning.")
@click.pass_context
def check(ctx: click.Context, profiles: tuple[Path, ...], strict: bool) -> None:
    """Check profiles and summarise them, without building documents."""
    from datetime import date

    from pcndocs.build import load
    from pcndocs.checks import advice, assumed_values, warnings_for
    from pcndocs.facts import load_facts
    from pcndocs.funding import director_funding

    facts = load_facts()
    failed = warned = 0
    for path in profiles:
        try:
            loaded = load(path, facts)
        except PcndocsError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            failed += 1
            continue
        profile = loaded.profile
        funding = director_funding(profile, facts)
        click.echo(f"{path}: {profile.network.name}")
        click.echo(
            f"  practices: {len(profile.practices)}, registered patients: "
            f"{profile.population:,} at {profile.network.population_date}"
        )
        benchmark = "funded time" if funding.payment_made else "benchmark time"
        click.echo(
            f"  contract year {funding.year}; clinical director {benchmark}: "
            f"{funding.funded_wte:.4f} WTE = {funding.funded_sessions_per_week:.2f} sessions a "
            f"week; agreed: {funding.agreed_sessions_per_week:.2f}"
        )
        if funding.payment and funding.payment.amount:
            amount = funding.payment.amount
            note = " (indicative)" if amount.indicative else ""
            months = "a year" if funding.months == 12 else f"for {funding.months} months"
            click.echo(f"  clinical director payment: £{amount.low:,.2f} {months}{note}")
        pay = funding.pay_per_year
        click.echo(
            f"  clinical director pay: £{pay:,.2f} a year"
            if pay is not None
            else "  clinical director pay: to be agreed"
        )
        click.echo(f"  leads: {len(profile.leads)}")
        assumed = assumed_values(profile)
        if assumed:
            click.echo(
                f"  assumed ({len(assumed)} values the profile does not set; "
                "the documents use these defaults, so confirm them or set your own):"
            )
            for value in assumed:
                click.echo(f"    {value.key}: {value.words()}")
        for warning in warnings_for(loaded, facts, date.today()):
            click.secho(f"warning: {warning}", fg="yellow", err=True)
            warned += 1
    if profiles and failed < len(profiles):
        click.echo("The LMC's advice on the clinical director's role:")
        for text in advice(facts):
            click.echo(f"  - {text}")
    if failed or (strict and warned):
        ctx.exit(1)


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
            f"Imported {report.networks} networks, {report.practices} practices, "
            f"{report.population:,} registered patients; {len(report.written)} profiles "
            f"written to {out}"
        )
        if report.kept:
            click.echo(
                f"{len(report.kept)} profiles already existed and were kept "
                "(use --force to replace them)"
            )
        if report.missing_list_sizes:
            click.echo(
                f"{report.missing_list_sizes} practices have no list size: "
                "their profiles mark it as still to be filled in"
            )


@cli.command()
@click.argument(
    "path", type=click.Path(path_type=Path, dir_okay=False), default=Path("network.yaml")
)
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@click.pass_context
def new(ctx: click.Context, path: Path, force: bool) -> None:
    """Write a new network profile by answering a few questions.

    The profile goes to PATH (network.yaml if not given). Each answer is checked as
    it is typed; answers can also be piped in, one a line.
    """
    import shlex
    from datetime import date

    from pcndocs.facts import load_facts
    from pcndocs.files import write_atomically
    from pcndocs.newprofile import LineAsker, ask_profile, profile_text

    def read(prompt: str) -> str | None:
        try:
            # Click's own line reader: readline at a terminal, and the test runner's input.
            return click.termui.visible_prompt_func(prompt)
        except EOFError:
            click.echo()
            return None

    with user_errors(ctx):
        if path.exists() and not force:
            raise PcndocsError(f"{path} already exists; give another name or add --force")
        facts = load_facts()
        today = date.today()
        try:
            profile = ask_profile(LineAsker(read, click.echo), click.echo, facts, today)
        except KeyboardInterrupt:
            click.echo("\ninterrupted; nothing was written", err=True)
            ctx.exit(130)
        text = profile_text(profile, facts, path.name, today)
        write_atomically(path, text.encode("utf-8"))
        quoted = shlex.quote(str(path))
        click.echo(f"Wrote {path}")
        click.echo(f"Next: pcndocs check {quoted}")
        click.echo(f"      pcndocs build {quoted}")


@cli.command()
@click.argument(
    "profile", required=False, type=click.Path(path_type=Path, dir_okay=False, readable=False)
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on. Default: 8765, or the next free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but this machine's own needs the token.",
)
@click.option("--token", help="The token other machines must give (default: one is generated).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option(
    "--templates",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="A folder of your own templates, as for build.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Documents to build at once, in parallel processes. Default: one per core.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    profile: Path | None,
    port: int | None,
    host: str,
    token: str | None,
    no_browser: bool,
    templates: Path | None,
    jobs: int | None,
) -> None:
    """Open pcndocs in a web browser: a form, live checks, previews and downloads.

    With PROFILE, the form starts from that profile. The server listens on this
    machine only unless --host says otherwise; then the address it prints carries a
    token that every request must give. Ctrl-C stops it.
    """
    from pcndocs.web.app import Settings, token_for
    from pcndocs.web.server import serve as run_server

    settings = Settings(
        host=host,
        token=token_for(host, token),
        templates=templates,
        workers=jobs,
        profile=profile,
    )
    with user_errors(ctx):
        run_server(settings, port, open_browser=not no_browser, say=click.echo)


@cli.command()
def docs() -> None:
    """List the documents pcndocs writes, with their names for --doc."""
    width = max(len(d.name) for d in DOCUMENTS)
    for kind in DOCUMENTS:
        each = " (one per lead)" if kind.per_lead else ""
        click.echo(f"{kind.name:<{width}}  {kind.summary}{each}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a profile, for editors' YAML autocompletion."""
    from pcndocs.profile.model import Profile

    document = Profile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "pcndocs network profile"
    click.echo(json.dumps(document, indent=2))


@cli.group()
def templates() -> None:
    """Copy the built-in templates, to change them and build with --templates DIR."""


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
    from pcndocs.errors import OutputError
    from pcndocs.files import write_atomically
    from pcndocs.resources import builtin_templates

    source = builtin_templates()
    names = sorted(
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file() and path.suffix in (".md", ".css", ".docx")
    )
    with user_errors(ctx):
        if folder.exists() and not folder.is_dir():
            raise OutputError(folder, "is a file, not a folder")
        present = [name for name in names if (folder / name).exists()]
        if present and not force:
            others = f" and {len(present) - 1} more" if len(present) > 1 else ""
            raise OutputError(
                folder / present[0], f"already exists{others}; use --force to overwrite"
            )
        for name in names:
            write_atomically(folder / name, (source / name).read_bytes())
        if not ctx.find_root().obj["quiet"]:
            click.echo(f"copied {len(names)} files to {folder}")
            for name in names:
                click.echo(f"  {folder / name}")


def _terminated(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C, so a document being written removes its temporary file.
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the CLI (the `pcndocs` console script)."""
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="pcndocs")


if __name__ == "__main__":
    main()
