"""The JSON Schema of a data file, generated from the models, for editors' YAML language servers."""

from __future__ import annotations

import json
from pathlib import Path

from beijing_econ_site.data.models import DataFile

SCHEMA_PATH = Path("schema/data-file.schema.json")


def data_file_schema() -> str:
    schema = DataFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "beijing-econ-site data file"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_file_schema(), encoding="utf-8")


REFERENCE_PATH = Path("docs/data-model.md")


def data_model_reference() -> str:
    """The data model for editors, in Markdown, from the models' own field descriptions."""
    from beijing_econ_site.data.models import Figure, Indicator, Kind, Omission, Qualifier, Scope, Source, Unit

    lines = [
        "# Data model",
        "",
        "Generated from the models in `src/beijing_econ_site/models.py` by `beijing-econ-site schema`;",
        "a test keeps it current. Every `*.yaml` file under `data/` may hold a `source:`, a list of",
        "`indicators:` and a list of `figures:`. Unknown keys are errors.",
    ]
    for title, model in (
        ("source", Source),
        ("omitted (in a source)", Omission),
        ("indicators", Indicator),
        ("figures", Figure),
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
    for enum in (Unit, Kind, Qualifier, Scope):
        lines.append(f"- **{enum.__name__.lower()}**: " + ", ".join(f"`{member.value}`" for member in enum))
    return "\n".join(lines) + "\n"


def write_reference(path: Path = REFERENCE_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_model_reference(), encoding="utf-8")
