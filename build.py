#!/usr/bin/env python3
"""Build the site: the same as `beijing-econ-site build`, with the same options.

On a fresh machine, `python3 tasks.py site` sets up the environment first.
"""

import sys
from pathlib import Path


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    try:
        from beijing_econ_site.cli import main as cli
    except ImportError as missing:  # the dependencies are not installed in this Python
        sys.exit(f"build.py: {missing}. Run `python3 tasks.py site` to set up and build.")
    return cli(["build", *sys.argv[1:]])


# Guarded: chart-rendering worker processes import this file again as their main module.
if __name__ == "__main__":
    sys.exit(main())
