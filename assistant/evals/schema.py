"""Schemas of the eval data files, and loaders whose errors name the file, the line and the field.

The YAML question sets are composed into nodes first (PyYAML keeps each node's line), then
each item is checked by a pydantic model that rejects unknown fields. A pydantic error's
location (``history[0].role``) is walked back through the nodes to the line that holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assistant.jsonl import json_lines
from assistant.types import Status

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


class _Strict(BaseModel):
    # strict: a YAML "yes" or "1" is not silently read as a boolean or a string.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            "use letters, digits, '-', '_', '.' or ':' only, starting with a letter or digit"
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _check_phrases(values: list[str]) -> list[str]:
    for value in values:
        if not value.strip():
            raise ValueError("an entry is empty")
    if len({v.strip().casefold() for v in values}) != len(values):
        raise ValueError("an entry is listed twice")
    return values


class HistoryTurn(_Strict):
    """One earlier turn of the conversation, as the Assistant takes it."""

    role: Literal["user", "assistant"]
    content: str

    _content = field_validator("content")(_check_text)


class EvalCase(_Strict):
    """One question of the main set (``evals/cases.yaml``) and what a good answer looks like."""

    id: str = Field(description="Unique name of the case, e.g. wiki-definition-01.")
    question: str = Field(description="The question exactly as a patient would type it.")
    history: list[HistoryTurn] = Field(
        default_factory=list, description="Earlier turns, for a follow-up question."
    )
    expected_docs: list[str] = Field(
        default_factory=list, description="doc_ids of the sources that hold the answer."
    )
    expected_support: list[str] = Field(
        default_factory=list,
        description="Phrases found verbatim (case-insensitive) in an expected doc; the answer "
        "and its cited quotes should contain them.",
    )
    efficacy: bool = Field(
        description="True when the question asks whether or how well "
        "a treatment works (the answer must carry the evidence caveat)."
    )
    expected_status: Status = Field(
        description="answered | no_evidence | emergency | urgent | declined"
    )
    tags: list[str] = Field(default_factory=list, description="Labels for the per-tag tables.")

    _id = field_validator("id")(_check_id)
    _question = field_validator("question")(_check_text)
    _lists = field_validator("expected_docs", "expected_support", "tags")(_check_phrases)

    @field_validator("expected_support")
    @classmethod
    def _support_needs_docs(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if value and not info.data.get("expected_docs"):
            raise ValueError(
                "phrases are given but expected_docs is empty: name the document that holds them"
            )
        return value


class EfficacyItem(_Strict):
    """One labelled question of the efficacy-detection set (``evals/efficacy_detection.yaml``)."""

    id: str
    question: str
    history: list[HistoryTurn] = Field(default_factory=list)
    efficacy: bool
    lang: str = "en"
    tags: list[str] = Field(default_factory=list)

    _id = field_validator("id")(_check_id)
    _question = field_validator("question")(_check_text)
    _tags = field_validator("tags")(_check_phrases)

    @field_validator("lang")
    @classmethod
    def _check_lang(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", value):
            raise ValueError("use a language code such as en, es, de or pt-BR")
        return value


class RetrievalQuestion(BaseModel):
    """A line of questions.jsonl for ``assistant eval retrieval``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    relevant: list[str] = Field(min_length=1, description="doc ids that answer the question")
    tags: list[str] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("relevant", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    _question = field_validator("question")(_check_text)


class CorpusDoc(BaseModel):
    """A line of corpus.jsonl for ``assistant eval retrieval``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str | None = None
    url: str | None = None
    text: str
    publisher: str | None = None
    source_kind: str | None = None
    date: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    _text = field_validator("text")(_check_text)


class Threshold(_Strict):
    """A bound on one metric: ``{min: 0.9}`` or ``{max: 0.05}``."""

    min: float | None = None
    max: float | None = None

    @field_validator("min", "max", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("give min or max, e.g. {min: 0.9}")
        return self


# ---- errors -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file, with where it is."""

    path: str
    line: int | None
    message: str
    field: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        parts = [where]
        if self.item:
            parts.append(f"case {self.item!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts) + f": {self.message}"


class EvalDataError(ValueError):
    """A data file could not be used; ``problems`` lists everything found, each located."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """An item with the file and line it was read from."""

    item: T
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _field_name(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: Any) -> str:
    msg = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see evals/README.md for the fields)"
    if error["type"] == "missing":
        return "is required but missing"
    return msg.removeprefix("Value error, ")


def _validation_problems(
    exc: ValidationError,
    label: str,
    node: yaml.Node,
    prefix: tuple[str, ...],
    item: str | None,
) -> list[Problem]:
    """One problem per pydantic error, at the line of the YAML node it points to."""
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = _field_name((*prefix, *loc)) or None
        problems.append(Problem(label, _line(_node_at(node, loc)), _message(error), field, item))
    return problems


# ---- YAML ---------------------------------------------------------------------------------
def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _node_at(node: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """The deepest node along a pydantic error location (the key's node for a bad key)."""
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node = (
                        key
                        if i == len(loc) - 1 and not isinstance(value, yaml.ScalarNode)
                        else value
                    )
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _duplicate_keys(node: yaml.Node, path: str, item: str | None) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(Problem(path, _line(key), "is given twice", key.value, item))
                seen.add(key.value)
            problems += _duplicate_keys(value, path, item)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            problems += _duplicate_keys(child, path, item)
    return problems


def _compose(path: Path, label: str) -> tuple[yaml.Node | None, Any]:
    """The root node of a YAML file and the data built from it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError([Problem(label, None, f"cannot be read ({exc})")]) from exc
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise EvalDataError(
            [Problem(label, line, f"is not valid YAML: {exc.problem or exc.context}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise EvalDataError([Problem(label, None, f"is not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return root, data


def display_path(path: Path) -> str:
    """The path as the user would write it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml_items(path: Path, model: type[T]) -> list[Sourced[T]]:
    """Read a YAML list of items; raise :class:`EvalDataError` naming every bad line and field."""
    label = display_path(path)
    root, data = _compose(path, label)
    if root is None or data is None:
        raise EvalDataError(
            [
                Problem(
                    label,
                    1,
                    "holds no items: write a list of cases ('- id: ...'), see evals/README.md",
                )
            ]
        )
    if not isinstance(root, yaml.SequenceNode) or not isinstance(data, list):
        raise EvalDataError(
            [Problem(label, _line(root), "must be a list of items, each starting with '- id:'")]
        )
    problems: list[Problem] = []
    items: list[Sourced[T]] = []
    seen: dict[str, int] = {}
    for node, raw in zip(root.value, data, strict=True):
        line = _line(node)
        item_id = raw.get("id") if isinstance(raw, dict) else None
        name = str(item_id) if item_id is not None else None
        if not isinstance(raw, dict):
            problems.append(Problem(label, line, "each item must be a mapping of field: value"))
            continue
        if name is not None:
            if name in seen:
                problems.append(
                    Problem(
                        label, line, f"duplicate id (first used at line {seen[name]})", "id", name
                    )
                )
            seen.setdefault(name, line)
        dups = _duplicate_keys(node, label, name)
        problems += dups
        try:
            parsed = model.model_validate(raw)
        except ValidationError as exc:
            problems += _validation_problems(exc, label, node, (), name)
            continue
        if not dups:
            items.append(Sourced(parsed, label, line))
    if problems:
        raise EvalDataError(problems)
    return items


def load_mapping(path: Path, model: type[T]) -> dict[str, Sourced[T]]:
    """Read a YAML mapping of name -> item (e.g. the thresholds file)."""
    label = display_path(path)
    root, data = _compose(path, label)
    if root is None or data is None:
        return {}
    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise EvalDataError([Problem(label, _line(root), "must be a mapping of name: value")])
    problems = _duplicate_keys(root, label, None)
    out: dict[str, Sourced[T]] = {}
    for key, value in root.value:
        name = key.value
        try:
            out[name] = Sourced(model.model_validate(data[name]), label, _line(key))
        except ValidationError as exc:
            problems += _validation_problems(exc, label, value, (name,), None)
    if problems:
        raise EvalDataError(problems)
    return out


# ---- JSONL --------------------------------------------------------------------------------
def load_jsonl_items(path: Path, model: type[T]) -> list[Sourced[T]]:
    """Read a JSONL file of items, one JSON object a line, checked like the YAML sets."""
    label = display_path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError([Problem(label, None, f"cannot be read ({exc})")]) from exc
    problems: list[Problem] = []
    items: list[Sourced[T]] = []
    seen: dict[str, int] = {}
    for lineno, raw in json_lines(lines):
        if isinstance(raw, json.JSONDecodeError):
            problems.append(Problem(label, lineno, f"is not valid JSON ({raw.msg})"))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(label, lineno, "each line must be a JSON object"))
            continue
        name = str(raw["id"]) if "id" in raw else None
        try:
            parsed = model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(
                    Problem(
                        label,
                        lineno,
                        _message(error),
                        _field_name(tuple(error["loc"])) or None,
                        name,
                    )
                )
            continue
        item_id = str(getattr(parsed, "id", ""))
        if item_id in seen:
            problems.append(
                Problem(
                    label,
                    lineno,
                    f"duplicate id (first used at line {seen[item_id]})",
                    "id",
                    item_id,
                )
            )
            continue
        seen[item_id] = lineno
        items.append(Sourced(parsed, label, lineno))
    if not items and not problems:
        problems.append(Problem(label, None, "holds no items"))
    if problems:
        raise EvalDataError(problems)
    return items


def check_unique_ids(groups: Sequence[Sequence[Sourced[Any]]]) -> None:
    """Reject an id used in two files of one run."""
    seen: dict[str, Sourced[Any]] = {}
    problems: list[Problem] = []
    for group in groups:
        for entry in group:
            item_id = entry.item.id
            if item_id in seen and seen[item_id].path != entry.path:
                problems.append(
                    Problem(
                        entry.path,
                        entry.line,
                        f"duplicate id (also used at {seen[item_id].where})",
                        "id",
                        item_id,
                    )
                )
            seen.setdefault(item_id, entry)
    if problems:
        raise EvalDataError(problems)
