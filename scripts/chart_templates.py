"""Write the chart templates shipped with the package (src/beijing_econ_site/site/chart_templates.json).

Run after any change to src/beijing_econ_site/site/charts.py or an Altair upgrade; a test fails
until the shipped templates are those the code makes.
"""

from __future__ import annotations

import json

from beijing_econ_site.build.renderer import PACKAGED_TEMPLATES, packaged_templates

if __name__ == "__main__":
    templates = packaged_templates()
    PACKAGED_TEMPLATES.write_text(json.dumps(templates, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(templates)} templates to {PACKAGED_TEMPLATES}")
