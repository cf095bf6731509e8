"""The JSON Schema of a data file, generated from the models, for editors' YAML language servers."""

from __future__ import annotations

import json
from pathlib import Path

from beijing_econ_site.data.models import DataFile
from beijing_econ_site.data.profile import Currency, DatasetInfo, Place, SiteProfile, Topic

SCHEMA_PATH = Path("schema/data-file.schema.json")
PROFILE_SCHEMA_NAME = "site.schema.json"  # beside the data files' schema


def data_file_schema() -> str:
    schema = DataFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "beijing-econ-site data file"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def profile_schema() -> str:
    """The JSON Schema of data/site.yaml, the site profile."""
    schema = SiteProfile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "beijing-econ-site site profile"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> None:
    """The data files' schema at path, and the profile's beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_file_schema(), encoding="utf-8")
    path.with_name(PROFILE_SCHEMA_NAME).write_text(profile_schema(), encoding="utf-8")


REFERENCE_PATH = Path("docs/data-model.md")


def data_model_reference() -> str:
    """The data model for editors, in Markdown, from the models' own field descriptions."""
    from beijing_econ_site.data.models import Figure, Indicator, Kind, Omission, Qualifier, Source, Unit

    lines = [
        "# Data model",
        "",
        "Generated from the models in `src/beijing_econ_site/models.py` by `beijing-econ-site schema`;",
        "a test keeps it current. Every `*.yaml` file under `data/` may hold a `source:`, a list of",
        "`indicators:` and a list of `figures:`, except `data/site.yaml`, the site profile (below).",
        "Unknown keys are errors.",
    ]
    for title, model in (
        ("source", Source),
        ("omitted (in a source)", Omission),
        ("indicators", Indicator),
        ("figures", Figure),
        ("data/site.yaml: the site profile", SiteProfile),
        ("place and scopes (in the profile)", Place),
        ("topics (in the profile)", Topic),
        ("currencies (in the profile)", Currency),
        ("dataset (in the profile)", DatasetInfo),
    ):
        lines += [
            "",
            f"## `{title}`",
            "",
            (model.__doc__ or "").strip(),
            "",
            "| key | required | description |",
            "|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            required = "yes" if field.is_required() else "no"
            lines.append(f"| `{name}` | {required} | {field.description} |")
    lines += ["", "## Values", ""]
    for enum in (Unit, Kind, Qualifier):
        lines.append(f"- **{enum.__name__.lower()}**: " + ", ".join(f"`{member.value}`" for member in enum))
    lines.append("- **unit** may also be the code of a currency the profile declares; **scope** is the profile's")
    lines.append("  `place` id or one of its `scopes`; **topic** one of its `topics`.")
    return "\n".join(lines) + "\n"


def write_reference(path: Path = REFERENCE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_model_reference(), encoding="utf-8")
