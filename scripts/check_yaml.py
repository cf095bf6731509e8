"""Each YAML file named on the command line parses; a problem is reported as path:line:column.

    python scripts/check_yaml.py FILE...    exit 0 if all parse, 1 otherwise

A pre-commit hook for every YAML file in the repository. Files under data/ get the stricter
reading of `beijing-econ-site check` as well (no tags, aliases or duplicate keys).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def problem(path: Path) -> str | None:
    try:
        list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError:
        return f"{path}: error: not UTF-8 text"
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "1:1"
        return f"{path}:{where}: error: {exc.problem or exc}"
    except yaml.YAMLError as exc:
        return f"{path}: error: {exc}"
    return None


def main(paths: list[str]) -> int:
    problems = [p for p in (problem(Path(name)) for name in paths) if p]
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
