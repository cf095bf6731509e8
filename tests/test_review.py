"""`diff`: what a change does to the site, read on a fixture repository with a commit per kind
of edit. Each change is listed once, with its before and after as the page shows them, and
nothing else is listed."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from beijing_econ_site.cli import main
from beijing_econ_site.review.run import CHARTS_MANIFEST
from beijing_econ_site.site.theme import DEFAULT_THEME
from tests.helpers import ARTICLE, FIGURES, dataset_files, sha256, source_yaml, write_tree

ROOT = Path(__file__).resolve().parent.parent

REVISED_ARTICLE = ARTICLE + "Revised figures put the digital economy at 40.5% of GDP.\n"
SECOND_ARTICLE = "Second Daily. In 2021 the digital economy achieved an added value of 1.6 trillion yuan.\n"
SECOND_SOURCE = source_yaml(
    SECOND_ARTICLE,
    id="second-daily",
    title="A second article",
    publisher="Second Daily",
    published='"2023-01-05"',
    archive="second-daily.txt",
)
SECOND_FIGURES = """\
figures:
  - id: digital-value-added-2021-second
    indicator: digital-value-added
    value: 1600000000000
    unit: CNY
    qualifier: exact
    period: 2021
    scope: beijing
    source: second-daily
    quote: "In 2021 the digital economy achieved an added value of 1.6 trillion yuan."
"""
STORY = (
    "# 2021\n\n"
    "The digital economy was {{fig:digital-share-gdp-2021}} of GDP.\n"
    "Its core industries alone added {{fig:digital-core-value-added-2021}}.\n\n"
    "A second paragraph says nothing new.\n"
)
REVISED_QUOTE = '"Revised figures put the digital economy at 40.5% of GDP."'
OLD_QUOTE = '"the digital economy achieved an added value of 1.6 trillion yuan, accounting for 40.4% of GDP."'
FIVE_G = FIGURES[FIGURES.index("  - id: 5g-added-target-2020") :]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


# the fixture curates only the figures its commits edit: the article's other numbers are accepted uncovered
ACCEPT_UNCOVERED = (
    "  accept:\n"
    "    - rule: number-not-covered\n"
    "      reason: The review's fixture curates only the figures its commits edit.\n"
)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A repository whose commits, in order: the base; one value changed (with its quote); a
    confirming source added; a story sentence edited; a template edited; a figure deleted."""
    repo = tmp_path_factory.mktemp("history")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "editor@example.org")
    git(repo, "config", "user.name", "Editor")
    (repo / "templates").mkdir()
    (repo / "templates" / "README.md").write_text("The site's own templates.\n", encoding="utf-8")
    files = dataset_files(
        **{
            "data/sources/sample-news.txt": REVISED_ARTICLE,
            "data/sources/sample-news.yaml": source_yaml(REVISED_ARTICLE) + ACCEPT_UNCOVERED,
            "data/stories/2021.md": STORY,
        }
    )
    write_tree(repo, files)
    commits = {"base": commit(repo, "base")}
    figures = repo / "data/figures/sample-news.yaml"
    text = figures.read_text(encoding="utf-8")
    start = text.index("  - id: digital-share-gdp-2021")
    end = text.index("  - id: digital-value-added-2021")
    block = text[start:end].replace("value: 40.4", "value: 40.5").replace(OLD_QUOTE, REVISED_QUOTE)
    figures.write_text(text[:start] + block + text[end:], encoding="utf-8")
    commits["value"] = commit(repo, "a value changed")
    write_tree(
        repo,
        {
            "data/sources/second-daily.txt": SECOND_ARTICLE,
            "data/sources/second-daily.yaml": SECOND_SOURCE,
            "data/figures/second-daily.yaml": SECOND_FIGURES,
        },
    )
    commits["source"] = commit(repo, "a confirming source")
    story = repo / "data/stories/2021.md"
    story.write_text(STORY.replace("alone added", "by themselves added"), encoding="utf-8")
    commits["story"] = commit(repo, "a story sentence edited")
    sources_page = repo / "templates/sources.html"  # an override of the default theme's page
    page = (DEFAULT_THEME / "sources.html").read_text(encoding="utf-8")
    assert "<h1>" in page
    sources_page.write_text(page.replace("<h1>", "<p>Every article the site quotes.</p>\n<h1>", 1), encoding="utf-8")
    commits["template"] = commit(repo, "a template edited")
    figures.write_text(figures.read_text(encoding="utf-8").replace(FIVE_G, ""), encoding="utf-8")
    commits["delete"] = commit(repo, "a figure deleted")
    return repo, commits


@pytest.fixture
def checkout(history, tmp_path, monkeypatch):
    """A clone of the history with a commit checked out, as the working directory."""
    repo, commits = history

    def at(name: str) -> Path:
        work = tmp_path / "work"
        subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
        git(work, "checkout", "-q", commits[name])
        monkeypatch.chdir(work)
        return work

    return at


def diff(*args: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["diff", *args])
    captured = capsys.readouterr()
    assert code != 1 or not captured.out, captured.err
    return code, captured.out if code == 0 else captured.err


def review_json(base: str, capsys) -> dict:
    code, out = diff("--base", base, "--json", capsys=capsys)
    assert code == 0, out
    return json.loads(out)


def listed(result: dict) -> list[tuple[str, str]]:
    return [(change["kind"], change["subject"]) for change in result["changes"]]


def details(change: dict) -> dict[str, tuple[str, str]]:
    return {d["field"]: (d["before"], d["after"]) for d in change["details"]}


def test_each_commit_s_change_is_listed_once_and_nothing_else(history, checkout, capsys):
    _, commits = history
    checkout("delete")
    result = review_json(commits["base"], capsys)
    assert listed(result) == [
        ("figure-changed", "digital-share-gdp-2021"),
        ("fact-changed", "digital-value-added--2021--beijing"),
        ("figure-removed", "5g-added-target-2020"),
        ("source-added", "second-daily"),
        ("story-changed", "2021"),
        ("page-text-changed", "sources.html"),
    ]
    value, source, removed, article, story, template = result["changes"]
    assert details(article)["publisher"] == ("", "Second Daily")
    assert details(article)["figures"] == ("", "1")
    assert details(value)["value"] == ("40.4%", "40.5%")
    assert details(value)["quote"] == (f"“{OLD_QUOTE[1:-1]}”", f"“{REVISED_QUOTE[1:-1]}”")
    assert value["location"].startswith("data/figures/sample-news.yaml:")
    assert details(source)["fact"] == ("stated by 1 source", "confirmed by 2 sources")
    assert details(source)["figure added"] == (
        "",
        "digital-value-added-2021-second: 1.6 trillion yuan (Second Daily, 5 January 2023, a new source)",
    )
    assert details(removed)["value"] == ("13,000", "")
    assert details(story)["sentence"] == (
        "Its core industries alone added over 890 billion yuan.",
        "Its core industries by themselves added over 890 billion yuan.",
    )
    assert story["location"] == "data/stories/2021.md:4"
    assert details(template)["text"] == ("", "Every article the site quotes.")
    assert template["pages"] == ["sources/"]
    assert [(c["id"], c["status"]) for c in result["charts"]] == [("chart-digital-share-gdp", "changed")]
    assert [(d["field"], d["before"], d["after"]) for d in result["charts"][0]["marks"]] == [
        ("mark", "2021: 40.4% (without a qualifier)", "2021: 40.5% (without a qualifier)")
    ]


def test_a_published_value_changed_without_a_correction_warns_on_its_yaml_line(history, checkout, capsys):
    _, commits = history
    work = checkout("value")
    result = review_json(commits["base"], capsys)
    [warning] = result["warnings"]
    assert warning["rule"] == "uncorrected-change"
    lines = (work / "data/figures/sample-news.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[warning["location"]["line"] - 1].strip() == "value: 40.5"


def test_an_archive_replaced_since_the_deployed_branch_is_named_with_its_yaml_line(history, checkout, capsys):
    _, commits = history
    work = checkout("base")
    archive = work / "data/sources/sample-news.txt"
    text = archive.read_text(encoding="utf-8") + "A sentence added after publication.\n"
    archive.write_text(text, encoding="utf-8")
    source = work / "data/sources/sample-news.yaml"
    source.write_text(source_yaml(text), encoding="utf-8")
    result = review_json(commits["base"], capsys)
    [warning] = [w for w in result["warnings"] if w["rule"] == "archive-changed"]
    assert "is not the text the site published" in warning["message"]
    assert warning["location"]["path"].endswith("data/sources/sample-news.yaml")


def test_a_correction_entry_silences_the_warning(history, checkout, capsys):
    _, commits = history
    work = checkout("value")
    figures = work / "data/figures/sample-news.yaml"
    text = figures.read_text(encoding="utf-8")
    correction = (
        "    corrections:\n"
        '      - date: "2026-12-01"\n'
        "        what: value 40.4% -> 40.5%\n"
        "        why: the revised figure of the same article\n"
    )
    anchor = f"    quote: {REVISED_QUOTE}\n"
    figures.write_text(text.replace(anchor, anchor + correction), encoding="utf-8")
    result = review_json(commits["base"], capsys)
    assert result["warnings"] == []
    change = result["changes"][0]
    assert details(change)["corrections"] == ("", "Corrected 2026-12-01: value 40.4% -> 40.5%")


def test_the_pull_request_of_three_changes_shows_those_three_in_markdown(history, checkout, capsys, tmp_path):
    _, commits = history
    checkout("story")
    charts = tmp_path / "chart-diff"
    code, out = diff("--base", commits["base"], "--markdown", "--charts", str(charts), capsys=capsys)
    assert code == 0
    assert "4 changes a reader would see, 1 chart redrawn" in out
    assert out.count("- **") == 5  # three changes, the new article they come with, and one chart
    assert "- **Source added**: " in out
    assert "- **Figure changed**: Digital economy, share of GDP, 2021 `digital-share-gdp-2021`" in out
    assert "  - value: 40.4% → **40.5%**" in out
    assert "- **Fact changed**: Digital economy, value added, 2021" in out
    assert "  - fact: stated by 1 source → **confirmed by 2 sources**" in out
    assert "- **Story edited**: Story on /2021/ `2021`" in out
    assert "    - before: Its core industries ~~alone~~ added over 890 billion yuan." in out  # the words marked
    assert "    - after: Its core industries **by themselves** added over 890 billion yuan." in out
    assert sorted(p.name for p in charts.iterdir() if p.name != CHARTS_MANIFEST) == [
        "chart-digital-share-gdp.after.png",
        "chart-digital-share-gdp.before.png",
    ]
    before, after = (charts / f"chart-digital-share-gdp.{s}.png" for s in ("before", "after"))
    assert before.read_bytes()[:8] == after.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert before.read_bytes() != after.read_bytes()


def test_no_change_says_so(history, checkout, capsys):
    checkout("delete")
    code, out = diff("--base", "HEAD", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0].endswith(": no change a reader would see.")  # check's warnings may follow


def test_a_whitespace_only_yaml_edit_is_no_change(history, checkout, capsys):
    work = checkout("delete")
    figures = work / "data/figures/sample-news.yaml"
    text = figures.read_text(encoding="utf-8")
    reflowed = "\n\n".join(text.replace("\n  - id:", "\n\n  - id:").splitlines()) + "\n\n# a comment\n"
    reflowed = reflowed.replace("qualifier: exact", "qualifier:   'exact'   ")
    figures.write_text(reflowed, encoding="utf-8")
    assert git(work, "status", "--porcelain")  # the file did change
    story = work / "data/stories/2021.md"
    story.write_text(story.read_text(encoding="utf-8").replace(" of GDP.\n", "\nof   GDP.\n"), encoding="utf-8")
    code, out = diff("--base", "HEAD", capsys=capsys)
    assert (code, out.splitlines()[0].split(": ", 1)[1]) == (0, "no change a reader would see.")


def test_the_base_is_read_from_git_without_touching_the_working_tree(history, checkout, capsys):
    _, commits = history
    work = checkout("delete")
    (work / "data/stories/2021.md").write_text(STORY + "\nAn unsaved edit.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file() and ".git" not in p.parts}
    head = git(work, "rev-parse", "HEAD")
    review_json(commits["base"], capsys)
    after = {p: p.read_bytes() for p in work.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert {p: b for p, b in after.items() if ".cache" not in p.parts} == before
    assert git(work, "rev-parse", "HEAD") == head
    assert "An unsaved edit." in json.dumps(review_json("HEAD", capsys)["changes"])


def test_a_published_export_is_a_base_too(history, checkout, capsys):
    _, commits = history
    work = checkout("base")
    main(["build", "--out", "published", "--quiet"])
    git(work, "checkout", "-q", commits["source"])
    code, out = diff("--base-export", "published/data/figures.json", "--json", capsys=capsys)
    assert code == 0
    result = json.loads(out)
    assert listed(result) == [
        ("figure-changed", "digital-share-gdp-2021"),
        ("fact-changed", "digital-value-added--2021--beijing"),
        ("source-added", "second-daily"),
    ]
    assert [c["id"] for c in result["charts"]] == ["chart-digital-share-gdp"]
    assert result["notes"] == [
        "the export published/data/figures.json holds figures only: stories, templates and style files were not compared"
    ]
    assert result["warnings"][0]["rule"] == "uncorrected-change"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-ref"], "'no-such-ref' is not a commit"),
        (["--base=--output=/tmp/x"], "is not a commit"),
        (["--base-export", "missing.json"], "cannot read the export missing.json"),
        (["--base", "HEAD", "--base-export", "x.json"], "not allowed with argument"),
        (["--json", "--markdown"], "not allowed with argument"),
    ],
)
def test_bad_usage_exits_2_with_a_message(history, checkout, capsys, args, message):
    checkout("delete")
    capsys.readouterr()
    try:
        code = main(["diff", *args])
    except SystemExit as stop:  # argparse's own refusals
        code = stop.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_a_data_error_exits_1_naming_the_line(history, checkout, capsys):
    work = checkout("delete")
    figures = work / "data/figures/sample-news.yaml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("value: 40.5", "value: 40.6"), encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "--base", "HEAD"]) == 1
    assert "data/figures/sample-news.yaml:" in capsys.readouterr().err


def test_text_from_the_data_cannot_inject_markup_into_the_pull_request(history, checkout, capsys):
    _, commits = history
    work = checkout("story")
    story = work / "data/stories/2021.md"
    story.write_text(
        story.read_text(encoding="utf-8") + "\n<img src=x onerror=alert()> [click](https://evil.example) `code`\n",
        encoding="utf-8",
    )
    code, out = diff("--base", commits["base"], "--markdown", capsys=capsys)
    assert code == 0
    [line] = [line for line in out.splitlines() if "onerror" in line]
    assert not re.search(r"(?<!\\)[<>\[\]`()]", line)
    assert "\\<img src=x onerror=alert\\(\\)\\>" in out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_second_source_stating_another_value_is_a_conflict(history, checkout, capsys):
    work = checkout("delete")
    edit(work / "data/sources/second-daily.txt", "1.6 trillion", "1.7 trillion")
    text = (work / "data/sources/second-daily.txt").read_text(encoding="utf-8")
    edit(work / "data/sources/second-daily.yaml", SECOND_SOURCE.split("sha256: ")[1].split("\n")[0], sha256(text))
    edit(work / "data/figures/second-daily.yaml", "value: 1600000000000", "value: 1700000000000")
    edit(work / "data/figures/second-daily.yaml", "1.6 trillion", "1.7 trillion")
    with (work / "data/figures/second-daily.yaml").open("a", encoding="utf-8") as figures:
        figures.write("    note: The two articles differ.\n")
    result = review_json("HEAD", capsys)
    assert listed(result) == [("figure-changed", "digital-value-added-2021-second"), ("source-changed", "second-daily")]
    found = details(result["changes"][0])
    assert found["value"] == ("1.6 trillion yuan", "1.7 trillion yuan")
    assert found["note"] == ("", "The two articles differ.")
    assert found["fact"] == (
        "confirmed by 2 sources",
        "sources differ: 1.6 trillion yuan (Sample News); 1.7 trillion yuan (Second Daily)",
    )
    assert details(result["changes"][1])["sha256"][0].startswith("archived text ")


def test_a_half_year_beside_a_year_is_another_fact(history, checkout, capsys):
    work = checkout("delete")
    edit(work / "data/figures/second-daily.yaml", "period: 2021", "period: 2021-H1")
    result = review_json("HEAD", capsys)
    assert listed(result) == [("figure-changed", "digital-value-added-2021-second")]
    found = details(result["changes"][0])
    assert found["period"] == ("2021", "H1 2021")
    assert found["fact"] == ("confirmed by 2 sources", "stated by 1 source")


def test_a_renamed_figure_is_one_change_of_its_fact(history, checkout, capsys):
    work = checkout("delete")
    edit(work / "data/figures/second-daily.yaml", "id: digital-value-added-2021-second", "id: second-daily-value-2021")
    result = review_json("HEAD", capsys)
    assert listed(result) == [("fact-changed", "digital-value-added--2021--beijing")]
    found = [(d["field"], d["before"][:25], d["after"][:25]) for d in result["changes"][0]["details"]]
    assert found == [
        ("figure added", "", "second-daily-value-2021: "),
        ("figure removed", "digital-value-added-2021-", ""),
    ]


def test_an_indicator_label_is_told_once_and_redraws_its_charts(history, checkout, capsys):
    work = checkout("delete")
    edit(
        work / "data/indicators/all.yaml",
        "label: Digital economy, share of GDP",
        "label: Digital economy's share of GDP",
    )
    result = review_json("HEAD", capsys)
    assert listed(result) == [("indicator-changed", "digital-share-gdp")]
    assert details(result["changes"][0])["label"] == ("Digital economy, share of GDP", "Digital economy's share of GDP")
    assert sorted(result["changes"][0]["pages"]) == ["2019/", "2021/"]
    [chart] = result["charts"]
    assert (chart["id"], chart["marks"][0]["field"]) == ("chart-digital-share-gdp", "title")


def test_a_note_edited_shows_as_the_page_renders_it(history, checkout, capsys):
    work = checkout("delete")
    edit(
        work / "data/figures/sample-news.yaml",
        "note: Percentage points, though the article writes %.",
        "note: '*Percentage points*, though the article writes %.'",
    )
    result = review_json("HEAD", capsys)
    assert listed(result) == [("figure-changed", "gdp-growth-change-2020-h1")]
    assert details(result["changes"][0]) == {
        "note, formatting only": (
            "Percentage points, though the article writes %.",
            "*Percentage points*, though the article writes %.",
        )
    }


def test_under_actions_the_warnings_are_annotations_and_stdout_stays_markdown(history, checkout, capsys, monkeypatch):
    _, commits = history
    checkout("value")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    capsys.readouterr()
    assert main(["diff", "--base", commits["base"], "--markdown"]) == 0
    captured = capsys.readouterr()
    [annotation] = captured.err.splitlines()
    assert annotation.startswith("::warning file=data/figures/sample-news.yaml,line=")
    assert ",title=uncorrected-change::" in annotation
    assert "::" not in captured.out and captured.out.startswith("### What readers would see change\n")


def test_the_pull_request_workflow_posts_the_review(tmp_path):
    import shlex

    import yaml

    from beijing_econ_site.cli import build_parser

    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["review"]
    assert job["if"] == "github.event_name == 'pull_request'"
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    [run] = [step["run"] for step in steps if "diff" in step.get("run", "")]
    command, summary = run.replace("\\\n", " ").split(">>")
    assert summary.strip() == '"$GITHUB_STEP_SUMMARY"'
    words = shlex.split(command)
    assert words[:3] == ["python3", "tasks.py", "diff"]
    args = build_parser().parse_args(words[2:])
    assert (args.command, args.markdown, args.base) == ("diff", True, "origin/$BASE_REF")
    [upload] = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"].rstrip("/") == str(args.charts)


def test_a_review_too_long_for_a_job_summary_says_how_much_it_leaves_out():
    from beijing_econ_site.review.compare import Change, Detail, Review
    from beijing_econ_site.review.report import as_markdown

    changes = [
        Change("figure-changed", f"figure-{n}", "A figure", [Detail("value", "1", "2")], "data/figures/x.yaml:1")
        for n in range(1000)
    ]
    out = as_markdown(Review("main", changes, [], [], []), limit=10_000)
    assert len(out.encode()) < 11_000
    shown = out.count("- **Figure changed**")
    assert 50 < shown < 1000
    assert f"- and {1000 - shown} more changes not shown here" in out


@pytest.mark.parametrize("folder", [".", "data", "data/charts", "templates", ".git/x", ".."])
def test_chart_images_go_to_a_folder_of_their_own(history, checkout, capsys, folder):
    _, commits = history
    work = checkout("story")
    before = sorted(p.relative_to(work) for p in work.rglob("*") if ".cache" not in p.parts)
    capsys.readouterr()
    assert main(["diff", "--base", commits["base"], "--charts", folder]) == 2
    assert "a folder of their own" in capsys.readouterr().err
    assert sorted(p.relative_to(work) for p in work.rglob("*") if ".cache" not in p.parts) == before


def test_the_chart_folder_holds_the_last_review_s_images_alone(history, checkout, capsys, tmp_path):
    _, commits = history
    checkout("story")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "notes.txt").write_text("kept", encoding="utf-8")
    assert main(["diff", "--base", commits["base"], "--charts", str(charts)]) == 0
    assert len(list(charts.glob("*.png"))) == 2
    assert main(["diff", "--base", commits["value"], "--charts", str(charts)]) == 0  # no chart redrawn since
    assert sorted(p.name for p in charts.iterdir() if p.name != CHARTS_MANIFEST) == ["notes.txt"]


def test_the_chart_folder_keeps_images_no_review_wrote(history, checkout, capsys, tmp_path):
    _, commits = history
    checkout("story")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "mine.before.png").write_bytes(b"the user's own image")
    assert main(["diff", "--base", commits["base"], "--charts", str(charts)]) == 0
    assert main(["diff", "--base", commits["value"], "--charts", str(charts)]) == 0
    assert (charts / "mine.before.png").read_bytes() == b"the user's own image"


def _chart_names(commits, capsys) -> list[str]:
    assert main(["diff", "--base", commits["base"], "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    return [f"{chart['id']}.after.png" for chart in found["charts"]]


def test_a_file_no_review_wrote_under_a_chart_s_name_is_refused_not_replaced(history, checkout, capsys, tmp_path):
    _, commits = history
    checkout("story")
    [name, *_] = _chart_names(commits, capsys)
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / name).write_bytes(b"someone else's")
    assert main(["diff", "--base", commits["base"], "--charts", str(charts)]) == 2
    assert "which no review wrote" in capsys.readouterr().err
    assert (charts / name).read_bytes() == b"someone else's"


@pytest.mark.parametrize("listed", [False, True])
def test_a_link_planted_under_a_chart_s_name_is_never_written_through(history, checkout, capsys, tmp_path, listed):
    _, commits = history
    checkout("story")
    [name, *_] = _chart_names(commits, capsys)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / name).symlink_to(victim)
    if listed:  # the planted list of a previous review names the link as one of its images
        (charts / CHARTS_MANIFEST).write_text(json.dumps([name, "../victim.txt"]), encoding="utf-8")
    code = main(["diff", "--base", commits["base"], "--charts", str(charts)])
    assert victim.read_text(encoding="utf-8") == "precious"
    if listed:
        assert code == 0 and not (charts / name).is_symlink() and (charts / name).read_bytes()[:4] == b"\x89PNG"
    else:
        assert code == 2 and (charts / name).is_symlink()


def test_tasks_diff_prints_the_command_s_output_alone():
    import sys

    done = subprocess.run(
        [sys.executable, "tasks.py", "diff", "--base", "HEAD", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["base"].startswith("HEAD (")


def test_long_texts_mark_the_words_that_changed_and_nothing_else():
    from beijing_econ_site.review.report import escape, marked_words

    before = "The report says *now*; in a review of 2023 this is read as the share for 2023."
    after = "The report says *now*; in the work report of 2023 this is read as the share for 2023."
    old, new = marked_words(before, after, escape, ("~~", "~~"), ("**", "**"))
    assert old == "The report says \\*now\\*; in ~~a review~~ of 2023 this is read as the share for 2023."
    assert new == "The report says \\*now\\*; in **the work report** of 2023 this is read as the share for 2023."
    assert marked_words("same words", "same  words", str, ("[-", "-]"), ("{+", "+}")) == ("same words", "same words")


def test_the_terminal_shows_each_change_before_and_after(history, checkout, capsys):
    _, commits = history
    checkout("story")
    code, out = diff("--base", commits["base"], capsys=capsys)
    assert code == 0
    assert out.startswith(f"Compared with {commits['base']} ({commits['base'][:12]}): 4 changes a reader would see")
    assert "Figure changed: Digital economy, share of GDP, 2021 [digital-share-gdp-2021]\n" in out
    assert "  value: 40.4% -> 40.5%\n" in out
    assert "  fact: stated by 1 source -> confirmed by 2 sources\n" in out
    assert "    before: Its core industries [-alone-] added over 890 billion yuan.\n" in out
    assert "    after:  Its core industries {+by themselves+} added over 890 billion yuan.\n" in out
    assert "Warnings:\n  data/figures/sample-news.yaml:" in out


def test_a_base_with_broken_files_is_compared_for_what_it_holds(history, checkout, capsys):
    work = checkout("delete")
    bomb = "a: &a [" + ",".join(["*a"] * 50) + "]\n"
    write_tree(work, {"data/figures/broken.yaml": bomb, "data/figures/huge.yaml": "# x\n" * 300_000})
    commit(work, "broken files")
    (work / "data/figures/broken.yaml").unlink()
    (work / "data/figures/huge.yaml").unlink()
    result = review_json("HEAD", capsys)
    assert listed(result) == []
    [note] = result["notes"]
    assert "has 2 data error(s)" in note and "the figures of the files that failed are not in the base" in note


@pytest.mark.parametrize(
    ("export", "message"),
    [
        ('{"not": "a list"}', "is not a figures.json export"),
        ('[{"id": "x"}]', "row 1 is not a figure of an export"),
        ("[1, 2]", "row 1 is not a figure of an export"),
        ("not json", "cannot read the export"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_an_export_that_is_not_one_is_bad_usage(history, checkout, capsys, export, message):
    work = checkout("delete")
    (work / "figures.json").write_text(export, encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "--base-export", "figures.json"]) == 2
    assert message in capsys.readouterr().err


def test_a_paragraph_split_in_a_story_is_a_change_and_a_reflowed_line_is_not(history, checkout, capsys):
    work = checkout("delete")
    story = work / "data/stories/2021.md"
    edit(story, "of GDP.\nIts core", "of GDP.\n\nIts   core")
    result = review_json("HEAD", capsys)
    assert listed(result) == [("story-changed", "2021")]
    assert details(result["changes"][0]) == {
        "paragraph break": ("", "before “Its core industries by themselves added over 890 billion yuan.”")
    }
    assert result["changes"][0]["location"] == "data/stories/2021.md:5"


def test_outside_a_repository_the_base_must_be_an_export(project, capsys):
    capsys.readouterr()
    assert main(["diff"]) == 2
    assert "is not in a git repository: give --base-export PATH instead" in capsys.readouterr().err


def test_a_new_indicator_is_listed_with_its_definition_and_checks_warnings_come_with_the_review(
    history, checkout, capsys
):
    work = checkout("delete")
    indicators = work / "data/indicators/all.yaml"
    indicators.write_text(
        indicators.read_text(encoding="utf-8") + "  - id: services-share-gdp\n"
        "    label: Services, share of GDP\n"
        "    unit: percent\n"
        "    kind: share\n"
        "    topic: services-trade\n"
        "    description: The services' share of the city's GDP.\n",
        encoding="utf-8",
    )
    figures = work / "data/figures/sample-news.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8") + "  - id: services-share-gdp-2022\n"
        "    indicator: services-share-gdp\n"
        "    value: 20\n"
        "    unit: percent\n"
        "    qualifier: approximately\n"
        "    period: 2022-11-11\n"
        "    scope: beijing\n"
        "    source: sample-news\n"
        '    quote: "Beijing has about one-fifth of the country’s total trade in services."\n',
        encoding="utf-8",
    )
    result = review_json("HEAD", capsys)
    added = next(c for c in result["changes"] if c["kind"] == "indicator-added")
    assert added["subject"] == "services-share-gdp"
    assert details(added)["label"] == ("", "Services, share of GDP")
    assert ("figure-added", "services-share-gdp-2022") in listed(result)
    assert "unused-indicator" in {w["rule"] for w in result["warnings"]}  # as check prints it


THIRD_ARTICLE = (
    "Third Daily. In 2022 the digital economy accounted for 41.2% of the city's GDP.\n"
    "The city's GDP grew 5.2% in 2024.\n"
)


def test_a_new_year_its_navigation_a_line_drawn_and_the_compare_page_are_listed(history, checkout, capsys):
    work = checkout("delete")
    write_tree(
        work,
        {
            "data/sources/third-daily.txt": THIRD_ARTICLE,
            "data/sources/third-daily.yaml": source_yaml(
                THIRD_ARTICLE,
                id="third-daily",
                title="A third article",
                publisher="Third Daily",
                published='"2025-01-20"',
                archive="third-daily.txt",
            ),
            "data/figures/third-daily.yaml": (
                "figures:\n"
                "  - id: third-daily-digital-share-2022\n    indicator: digital-share-gdp\n    value: 41.2\n"
                "    unit: percent\n    qualifier: exact\n    period: 2022\n    scope: beijing\n"
                "    source: third-daily\n"
                '    quote: "In 2022 the digital economy accounted for 41.2% of the city\'s GDP."\n'
                "  - id: third-daily-gdp-growth-2024\n    indicator: gdp-growth\n    value: 5.2\n"
                "    unit: percent\n    qualifier: exact\n    period: 2024\n    scope: beijing\n"
                "    source: third-daily\n"
                '    quote: "The city\'s GDP grew 5.2% in 2024."\n'
            ),
        },
    )
    result = review_json("HEAD", capsys)
    [page] = [c for c in result["changes"] if c["kind"] == "page-added"]
    assert page["subject"] == "2024/" and page["pages"] == ["2024/"]
    [navigation] = [c for c in result["changes"] if c["kind"] == "navigation-changed"]
    before, after = details(navigation)["years"]
    assert after == before + " · 2024"
    [series] = [c for c in result["charts"] if c["id"] == "chart-digital-share-gdp"]
    assert series["pages"] == ["compare/"]
    lines = [(m["before"], m["after"]) for m in series["marks"] if m["field"] == "line"]
    assert lines == [("", "2021 – 2022")]
    code, text = diff("--base", "HEAD", capsys=capsys)
    assert code == 0
    assert "shown on /compare/" in text and "line: + 2021 – 2022" in text
    assert "Navigation changed" in text


def test_a_confirming_source_dated_earlier_takes_over_the_mark_and_no_mark_is_told_removed(history, checkout, capsys):
    work = checkout("delete")
    edit(work / "data/sources/second-daily.yaml", 'published: "2023-01-05"', 'published: "2021-01-05"')
    result = review_json("HEAD", capsys)
    assert ("source-changed", "second-daily") in listed(result)
    moved = [m for chart in result["charts"] for m in chart["marks"] if m["field"] == "mark"]
    assert all(m["before"] and m["after"] for m in moved), moved  # the fact's mark, drawn by another figure


EXPORT_ROW = {
    "id": "digital-share-gdp-2021",
    "indicator": "digital-share-gdp",
    "label": "Digital economy, share of GDP",
    "value": 40.4,
    "unit": "percent",
    "qualifier": "exact",
    "period": "2021",
    "scope": "beijing",
    "source": "sample-news",
    "source_title": "Sample article",
    "published": "2022-11-11",
    "quote": "the digital economy achieved an added value of 1.6 trillion yuan, accounting for 40.4% of GDP.",
    "corrections": 0,
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"corrections": 10**12}, "corrections is '1000000000000': a count from 0 to 1000"),
        ({"corrections": -1}, "a count from 0 to 1000"),
        ({"corrections": "many"}, "a count from 0 to 1000"),
        ({"published": "2022-13-45"}, "is not a date"),
        ({"published": "yesterday"}, "is not a date"),
        ({"value": "NaN"}, "row 1 is not a figure of an export"),
    ],
)
def test_an_export_s_rows_are_validated_and_bounded_before_any_use(history, checkout, capsys, change, message):
    """A huge count once allocated a list of that many corrections; a bad date crashed the pages."""
    work = checkout("delete")
    (work / "figures.json").write_text(json.dumps([{**EXPORT_ROW, **change}]), encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "--base-export", "figures.json"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_base_branch_s_archives_and_oversized_files_are_not_read(history, checkout, capsys, monkeypatch):
    """A 300 MB file nobody references was read into memory whole: now only what is compared is."""
    from beijing_econ_site.review import base as review_base

    work = checkout("delete")
    write_tree(work, {"data/sources/unreferenced.txt": "x" * 3_000_000, "templates/static/big.bin": "y" * 6_000_000})
    commit(work, "big files")
    asked: list[bytes] = []
    real_git = review_base._git

    def recording_git(cwd, *args, stdin=None):
        if args[:2] == ("cat-file", "--batch"):
            asked.append(stdin)
        return real_git(cwd, *args, stdin=stdin)

    monkeypatch.setattr(review_base, "_git", recording_git)
    result = review_json("HEAD", capsys)
    listing = git(work, "ls-tree", "-r", "HEAD", "--", "data/sources/unreferenced.txt", "templates/static/big.bin")
    shas = [line.split()[2] for line in listing.splitlines()]
    assert asked and not any(sha.encode() in b"".join(asked) for sha in shas)
    assert any("templates/static/big.bin" in note and "not compared" in note for note in result["notes"])
    assert listed(result) == []  # the file left unread on both sides is no change


def test_a_base_file_whose_name_is_not_utf8_is_read_not_a_crash(history, checkout, capsys):
    work = checkout("delete")
    name = os.path.join(os.fsencode(work), b"data", b"figures", b"caf\xe9.yaml")
    with open(name, "wb") as handle:
        handle.write(b"figures: [\n")  # broken: the review's note names the file
    commit(work, "a file name in Latin-1")
    os.remove(name)
    code, out = diff("--base", "HEAD", "--json", capsys=capsys)
    assert code == 0 and json.loads(out)["changed"] is False
    assert any("caf\ufffd.yaml" in note for note in json.loads(out)["notes"])
