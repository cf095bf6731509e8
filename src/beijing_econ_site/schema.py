"""The JSON Schema of a data file, generated from the models, for editors' YAML language servers."""

from __future__ import annotations

import json
from pathlib import Path

from .models import DataFile

SCHEMA_PATH = Path("schema/data-file.schema.json")


def data_file_schema() -> str:
    schema = DataFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "beijing-econ-site data file"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_file_schema(), encoding="utf-8")
