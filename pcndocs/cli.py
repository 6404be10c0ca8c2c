"""The pcndocs command line: the only module that talks to the terminal."""

from __future__ import annotations

import json
import logging
import signal
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
@click.option("--strict", is_flag=True, help="Fail (exit 1) if there is any warning.")
@click.pass_context
def build(
    ctx: click.Context,
    profiles: tuple[Path, ...],
    out: Path,
    formats: tuple[str, ...],
    docs: tuple[str, ...],
    templates: Path | None,
    strict: bool,
) -> None:
    """Build the documents of one or more network profiles.

    With no PROFILE, builds the example network shipped with pcndocs. Documents are
    written to OUT/<network>/<document>.<format>.
    """
    from pcndocs.build import BuildOptions, build_profile
    from pcndocs.resources import example_profile

    quiet = ctx.obj["quiet"]
    options = BuildOptions(out=out, formats=formats, documents=docs, templates=templates)
    with user_errors(ctx):
        warned = 0
        for path in profiles or (example_profile(),):
            result = build_profile(path, options)
            for warning in result.warnings:
                click.secho(f"warning: {warning}", fg="yellow", err=True)
            warned += len(result.warnings)
            if not quiet:
                click.echo(f"{result.network}: {len(result.written)} files in {result.folder}")
                for written in result.written:
                    click.echo(f"  {written}")
        if strict and warned:
            raise PcndocsError(
                f"--strict: {warned} warning{'s' if warned != 1 else ''}; "
                "documents were written but need attention"
            )


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
    from pcndocs.checks import warnings_for
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
            f"{profile.population:,} at {profile.network.population_date.isoformat()}"
        )
        click.echo(
            f"  clinical director funded time: {funding.funded_wte:.4f} WTE = "
            f"{funding.funded_sessions_per_week:.2f} sessions a week; agreed: "
            f"{funding.agreed_sessions_per_week:.2f}"
        )
        if funding.funded_amount is not None:
            note = " (indicative)" if funding.rate.indicative else ""
            click.echo(f"  clinical director funding: £{funding.funded_amount:,.2f} a year{note}")
        click.echo(f"  leads: {len(profile.leads)}")
        for warning in warnings_for(loaded, facts, date.today()):
            click.secho(f"warning: {warning}", fg="yellow", err=True)
            warned += 1
    if failed or (strict and warned):
        ctx.exit(1)


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


def _terminated(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C, so a document being written removes its temporary file.
    raise SystemExit(128 + signum)


def main() -> None:
    """Run the CLI (the `pcndocs` console script)."""
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="pcndocs")


if __name__ == "__main__":
    main()
