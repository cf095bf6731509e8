"""The field types every data file shares: slugs, plain text, Markdown, and the frozen base model."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
MAX_ABS_VALUE = 1e16

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="A slug: lower-case ASCII letters, digits and hyphens; it becomes part of a URL."),
]


def not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must have some text, not only spaces")  # a blank note would silence conflicting-values
    return value


PLACEHOLDER = "FILL IN"  # what add-source writes into a new source's stub


def filled_in(value: str) -> str:
    if PLACEHOLDER in value:
        raise ValueError(f"still holds the '{PLACEHOLDER}' placeholder from add-source: write the real text")
    return value


PlainText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(not_blank), AfterValidator(filled_in)
]
Markdown = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(filled_in)]


class StrictModel(BaseModel):
    """Frozen, and no key it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)
