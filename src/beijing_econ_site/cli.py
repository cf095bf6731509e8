"""The command line: thin wrappers over the pipeline's modules.

Exit codes: 0 success, 1 bad data, 2 bad usage, 3 internal error (a bug).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn, TextIO

from beijing_econ_site.diagnostics import DataError, Diagnostic, printable, render_report
from beijing_econ_site.environment import BadSiteUrl, BuildRunning, check_site_url, environment_message

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
log = logging.getLogger("beijing_econ_site")


def _version() -> str:
    try:
        return version("beijing-econ-site")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


def _paint(text: str, code: str, stream: TextIO) -> str:
    return f"\033[{code}m{text}\033[0m" if _use_colour(stream) else text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a hint, as argparse does, but never a traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="beijing-econ-site",
        description="Build a data-journalism site from hand-curated, source-checked figures: the site's profile "
        "(data/site.yaml) says what it is about.",
        epilog="examples:\n  beijing-econ-site new my-site\n  beijing-econ-site check\n"
        "  beijing-econ-site build --out _site\n  beijing-econ-site serve\n  beijing-econ-site diff --base origin/main",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check",
        help="check every figure's citation and the data's consistency",
        description="Load data/, validate it and verify every citation. Prints one problem per line; exit 1 on errors.",
        epilog="examples:\n  beijing-econ-site check\n  beijing-econ-site check --data data --json",
        formatter_class=formatter,
    )
    check.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        help="the site's own templates, whose words are checked too (default: templates; may be missing)",
    )
    check.add_argument(
        "--published",
        type=Path,
        metavar="PATH",
        help="the deployed site's data/archives.json (with its figures.json beside it): refuse a changed archive "
        "and warn of a published figure changed without a correction (default: none; a local build is not a "
        "publication; `diff --base` compares with the branch that is deployed)",
    )

    build = commands.add_parser(
        "build",
        help="check the data, then build the site",
        description="Check the data, then render the whole site into a temporary directory and swap it in.",
        epilog="examples:\n  beijing-econ-site build\n  beijing-econ-site build --data data --out public --quiet",
        formatter_class=formatter,
    )
    build.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    build.add_argument("--out", type=Path, default=Path("_site"), help="output directory (default: _site)")
    build.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        help="the site's own templates, over the default theme (default: templates; may be missing)",
    )
    build.add_argument(
        "--published", type=Path, metavar="PATH", help="the deployed site's data/archives.json, as for check"
    )
    build.add_argument("--force", action="store_true", help="build even if nothing changed since the last build")
    build.add_argument(
        "--no-cache", action="store_true", help="render every chart and the Vega bundle afresh, using no cache"
    )
    loudness = build.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    loudness.add_argument("--verbose", "-v", action="store_true", help="print every step")

    serve = commands.add_parser(
        "serve",
        help="serve the site locally and rebuild on change",
        description="Build, serve on 127.0.0.1 and rebuild when data/ or templates/ change; the browser reloads.",
        epilog="examples:\n  beijing-econ-site serve\n  beijing-econ-site serve --port 8001",
        formatter_class=formatter,
    )
    serve.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    serve.add_argument("--out", type=Path, default=Path("_site"), help="output directory (default: _site)")
    serve.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        help="the site's own templates, over the default theme (default: templates; may be missing)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    diff = commands.add_parser(
        "diff",
        help="what a change does to the site: figures, facts, charts and text, before and after",
        description="Compare the working data with a base (a git ref, read from git without touching the working "
        "tree, or a published site's data/figures.json) and list what a reader would see change. "
        "Exit 0 whether or not anything changed, 1 on a data error, 2 on bad usage.",
        epilog="examples:\n  beijing-econ-site diff\n  beijing-econ-site diff --base origin/main --markdown\n"
        "  beijing-econ-site diff --base-export _site/data/figures.json --json\n"
        "  beijing-econ-site diff --base origin/main --charts chart-diff",
        formatter_class=formatter,
    )
    diff.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")
    diff.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        help="the site's own templates, over the default theme (default: templates; may be missing)",
    )
    base = diff.add_mutually_exclusive_group()
    base.add_argument("--base", metavar="REF", help="the git ref to compare with (default: HEAD)")
    base.add_argument(
        "--base-export", type=Path, metavar="PATH", help="a published site's data/figures.json to compare with"
    )
    shape = diff.add_mutually_exclusive_group()
    shape.add_argument("--markdown", action="store_true", help="print Markdown, for a pull request")
    shape.add_argument("--json", action="store_true", help="print JSON")
    diff.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        help="write each redrawn chart's PNG before and after into DIR (<chart>.before.png, <chart>.after.png)",
    )

    cite = commands.add_parser(
        "cite",
        help="turn a quote into a figure block to paste into YAML",
        description="Find the quote in SOURCE's archived text, read its numbers (value, unit, scale, sign, qualifier) "
        "and print a figure block for each, ready to paste into data/figures/SOURCE.yaml.",
        epilog='example:\n  beijing-econ-site cite city-daily-2025-01-05 "accounting for 40.4% of the city’s GDP"',
        formatter_class=formatter,
    )
    cite.add_argument("source", help="the source id, e.g. city-daily-2025-01-05")
    cite.add_argument("quote", help="the words that state the number, verbatim")
    cite.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")

    add_source = commands.add_parser(
        "add-source",
        help="archive a new article and write its metadata stub",
        description="Copy FILE unchanged to data/sources/<id>.txt, record its sha256 and write data/sources/<id>.yaml "
        "for you to fill in. Never overwrites.",
        epilog="example:\n  beijing-econ-site add-source ~/articles/report.txt --id city-daily-2025-01-05",
        formatter_class=formatter,
    )
    add_source.add_argument("file", type=Path, help="the article's text, UTF-8")
    add_source.add_argument("--id", dest="source_id", help="the source's slug (default: from the file name)")
    add_source.add_argument("--data", type=Path, default=Path("data"), help="data directory (default: data)")

    new = commands.add_parser(
        "new",
        help="start a site about another place or subject",
        description="Write a new site into DIR: a profile (data/site.yaml) whose example values check flags, "
        "the data folders with one fictional article, an indicator, two figures and a story, and an empty "
        "theme folder. It passes check and builds as it is. DIR must be new or empty.",
        epilog="example:\n  beijing-econ-site new lyon-housing && cd lyon-housing && beijing-econ-site build",
        formatter_class=formatter,
    )
    new.add_argument("folder", type=Path, metavar="DIR", help="the new site's folder")

    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema of data files",
        description="Write the JSON Schema that editors' YAML files reference and the data model reference "
        "(docs/data-model.md), both generated from the models.",
        epilog="example:\n  beijing-econ-site schema",
        formatter_class=formatter,
    )
    schema.add_argument("--out", type=Path, default=Path("schema/data-file.schema.json"), help="JSON Schema file")
    schema.add_argument("--reference", type=Path, default=Path("docs/data-model.md"), help="Markdown reference file")
    return parser


class Terminated(BaseException):
    """SIGTERM (a service manager's stop, `kill`), raised where the program is, so that it ends as
    on Ctrl-C: a build being published finishes its journal, its staging folder, search work
    folder and render processes are cleaned up; serve stops its server."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if on_main_thread else None
    try:
        return _run(args)
    except DataError as exc:
        _report(exc.diagnostics, as_json=False)
        return EXIT_DATA
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 128 + signal.SIGTERM
    except BadSiteUrl as exc:
        print(f"beijing-econ-site: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, BuildRunning) as exc:  # the machine's problem (disk full, read-only, a port), not a bug
        print(f"beijing-econ-site: {environment_message(exc)}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:
        if os.environ.get("BEIJING_ECON_SITE_DEBUG"):
            traceback.print_exc()
        else:
            kind = type(exc).__name__
            print(
                f"beijing-econ-site: internal error ({kind}): this is a bug, please report it "
                "(set BEIJING_ECON_SITE_DEBUG=1 to see the traceback)",
                file=sys.stderr,
            )
        return EXIT_BUG
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.INFO if args.command in ("build", "serve") else logging.WARNING
    if getattr(args, "quiet", False):
        level = logging.WARNING
    elif getattr(args, "verbose", False):
        level = logging.DEBUG
    # Only this package's records below WARNING: libraries' debug output (markdown-it logs
    # every rule it tries) would bury ours.
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr, force=True)
    logging.getLogger("beijing_econ_site").setLevel(level)


def _report(diagnostics: list[Diagnostic], *, as_json: bool) -> None:
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    report = render_report(diagnostics, as_json=as_json, github=github and not as_json)
    if not report:
        return
    if as_json:
        print(report)
        return
    for line in report.splitlines():
        if "error[" in line:
            line = _paint(line, "31", sys.stderr)
        elif "warning[" in line:
            line = _paint(line, "33", sys.stderr)
        print(line, file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    _setup_logging(args)
    if args.command in ("build", "serve"):
        check_site_url(os.environ.get("SITE_URL"))  # before any work: its pages would link to it
    if args.command == "check":
        from beijing_econ_site.build.fingerprint import site_cache
        from beijing_econ_site.checks.run import check_data
        from beijing_econ_site.memo import Memo

        cache = site_cache(args.data)
        memo = Memo(cache / "memo")
        checked = check_data(args.data, published=args.published, memo=memo)
        if args.templates.is_dir():
            from beijing_econ_site.checks.prose import check_templates

            checked.diagnostics = sorted(checked.diagnostics + check_templates(args.templates, str(args.templates)))
        if not checked.errors:  # the charts are made only from data that is sound
            from beijing_econ_site.build.renderer import ChartTemplates
            from beijing_econ_site.site.chart_rules import check_charts

            templates = ChartTemplates(cache / "chart-templates")
            checked.diagnostics = sorted(
                checked.diagnostics + check_charts(checked.dataset, checked.locator, templates, memo)
            )
        _report(checked.diagnostics, as_json=args.json)
        if not args.json:
            summary = (
                f"{len(checked.dataset.figures)} figures, {len(checked.dataset.indicators)} indicators, "
                f"{len(checked.dataset.sources)} sources: "
                f"{len(checked.errors)} error(s), {len(checked.warnings)} warning(s)"
                + (f", {len(checked.accepted)} accepted" if checked.accepted else "")
            )
            print(summary, file=sys.stderr)
        return EXIT_DATA if checked.errors else EXIT_OK
    if args.command == "build":
        from beijing_econ_site.build import fingerprint

        cache = fingerprint.site_cache(args.data)
        inputs = fingerprint.inputs_fingerprint(args.data, args.templates)  # before the build reads them
        up_to_date = fingerprint.is_up_to_date(cache, inputs, args.out)
        if not args.force and not args.no_cache and args.published is None and up_to_date:
            log.info("nothing changed since the last build of %s", args.out)
            return EXIT_OK
        from beijing_econ_site.build.run import build_site

        result = build_site(
            args.data, args.out, args.templates, cache_dir=None if args.no_cache else cache, published=args.published
        )
        _report(result.warnings, as_json=False)
        fingerprint.record(cache, inputs, args.out)
        return EXIT_OK
    if args.command == "serve":
        from beijing_econ_site.serve import serve

        return serve(args.data, args.out, args.templates, port=args.port)
    if args.command == "schema":
        from beijing_econ_site.data.schema import write_reference, write_schema

        write_schema(args.out)
        write_reference(args.reference)
        log.info("wrote %s and %s", args.out, args.reference)
        return EXIT_OK
    if args.command == "diff":
        return _diff(args)
    if args.command == "cite":
        return _cite(args)
    if args.command == "add-source":
        return _add_source(args)
    if args.command == "new":
        return _new(args)
    raise AssertionError(f"unknown command {args.command}")  # pragma: no cover


def _diff(args: argparse.Namespace) -> int:
    from beijing_econ_site.build.fingerprint import site_cache
    from beijing_econ_site.review import report
    from beijing_econ_site.review.base import BadBase
    from beijing_econ_site.review.run import make_review, write_chart_pngs

    cache = site_cache(args.data)
    try:
        result = make_review(
            args.data, args.templates, base_ref=args.base, base_export=args.base_export, cache_dir=cache
        )
        pngs = write_chart_pngs(result, args.charts, [args.data, args.templates], cache) if args.charts else None
    except BadBase as problem:
        print(f"beijing-econ-site: {printable(str(problem))}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        sys.stdout.write(report.as_json(result, pngs))
    elif args.markdown:
        sys.stdout.write(report.as_markdown(result, pngs, artifact=os.environ.get("CHART_DIFF_ARTIFACT", "")))
    else:
        sys.stdout.write(report.as_text(result, pngs))
    if os.environ.get("GITHUB_ACTIONS") == "true":  # the warnings as annotations on the YAML lines
        for warning in result.warnings:
            print(warning.github_annotation(), file=sys.stderr)
    return EXIT_OK


def _cite(args: argparse.Namespace) -> int:
    from beijing_econ_site.checks.run import check_data
    from beijing_econ_site.cite import QuoteNotFound, draft_figures, figure_block, unfinished_fields
    from beijing_econ_site.data.numbers import LONG_NUMBER, MAX_DIGITS, elided

    checked = check_data(args.data)
    archive = checked.archives.get(args.source)
    source = checked.dataset.sources.get(args.source)
    if archive is None or source is None:
        unfinished = unfinished_fields(args.data, args.source)
        if unfinished:
            fields = ", ".join(f"{name} (line {line})" for name, line in unfinished)
            print(
                f"beijing-econ-site: the metadata of '{args.source}' still holds FILL IN: {fields}. "
                f"Fill them in data/sources/{args.source}.yaml from the article, then cite again.",
                file=sys.stderr,
            )
            return EXIT_DATA
        known = ", ".join(sorted(checked.dataset.sources)) or "none"
        problems = [d for d in checked.errors if f"sources/{args.source}." in d.location.path]
        if problems:
            print(f"beijing-econ-site: '{args.source}' cannot be read until these are fixed:", file=sys.stderr)
            for problem in problems:
                print("  " + problem.format(), file=sys.stderr)
        else:
            print(
                f"beijing-econ-site: no archived source '{args.source}' (sources: {known}); "
                "add the article first with: beijing-econ-site add-source FILE",
                file=sys.stderr,
            )
        return EXIT_DATA
    try:
        drafts = draft_figures(args.quote, archive.text, source, checked.dataset)
    except QuoteNotFound as missing:
        print(f"beijing-econ-site: the quote is not in {args.source}'s archived text.", file=sys.stderr)
        if missing.nearest:
            print(f'nearest passage: "{printable(missing.nearest)}"', file=sys.stderr)
        print("Copy the words exactly from the archive, typos included.", file=sys.stderr)
        return EXIT_DATA
    if not drafts:
        too_long = LONG_NUMBER.search(args.quote)
        why = (
            f"its number {elided(too_long[0])} is longer than {MAX_DIGITS} digits"
            if too_long
            else "years and dates are not figures"
        )
        print(f"beijing-econ-site: the quote is in the text but states no number ({why}).", file=sys.stderr)
        return EXIT_DATA
    print("\n".join(figure_block(draft, args.source, args.quote) for draft in drafts))
    return EXIT_OK


def _add_source(args: argparse.Namespace) -> int:
    from beijing_econ_site.add_source import ArchiveError, add_source

    try:
        archive, metadata, figures = add_source(args.file, args.data, args.source_id)
    except ArchiveError as problem:
        print(f"beijing-econ-site: {printable(str(problem))}", file=sys.stderr)
        return EXIT_DATA
    print(
        f"archived {archive}\nwrote {metadata}: fill in its title, publisher, date and notes, then run check\n"
        f"wrote {figures}: paste the figure blocks that cite prints under figures:"
    )
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    from beijing_econ_site.scaffold import ScaffoldError, new_site

    try:
        new_site(args.folder)
    except ScaffoldError as problem:
        print(f"beijing-econ-site: {printable(str(problem))}", file=sys.stderr)
        return EXIT_DATA
    print(
        f"wrote a new site in {args.folder}: its values marked (EXAMPLE) in data/site.yaml and its fictional "
        f"article are the scaffold's.\nnext: cd {args.folder} && beijing-econ-site check && beijing-econ-site build"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
