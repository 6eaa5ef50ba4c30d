"""The pieces every command of ``assistant`` uses.

:class:`State` carries what the top-level callback (``--knowledge-dir``, ``--data-dir``) or an
in-process caller (a test's Assistant, a bench's embedder) hands down to a sub-command.
:class:`CommandGroup` turns bad input into one ``error: ...`` line and exit status 2, with no
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from assistant.errors import AssistantError

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


@dataclass
class State:
    """Handed down the command tree as the Click context object."""

    knowledge_dir: str | None = None
    data_dir: str | None = None
    assistant: Any = None
    """An Assistant already built by the caller (tests, the bench): used, never closed."""
    embedder: Any = None
    """An embedder already loaded by the caller, for the Assistants a command builds."""


def state(ctx: typer.Context) -> State:
    """The :class:`State` of this command line (a fresh one when no caller gave one)."""
    found = ctx.find_object(State)
    if found is None:
        found = ctx.ensure_object(State)
    return found


def folders(
    ctx: typer.Context, knowledge_dir: str | None, data_dir: str | None
) -> tuple[str | None, str | None]:
    """The folders of this command: its own options first, then the top-level ones."""
    shared = state(ctx)
    return knowledge_dir or shared.knowledge_dir, data_dir or shared.data_dir


KnowledgeDir = Annotated[
    str | None,
    typer.Option("--knowledge-dir", help="folder of documents (ASSISTANT_KNOWLEDGE_DIR)"),
]
DataDir = Annotated[
    str | None, typer.Option("--data-dir", help="folder of the index (ASSISTANT_DATA_DIR)")
]


def given_arguments(ctx: typer.Context) -> list[str]:
    """The options and arguments given on the command line, as a command line (for the record
    a report keeps of how it was made); defaults are left out."""
    out: list[str] = []
    arguments: list[str] = []
    for param in ctx.command.params:
        name = param.name
        source = ctx.get_parameter_source(name) if name else None
        if name is None or source is None or source.name != "COMMANDLINE":
            continue
        value = ctx.params[name]
        if param.param_type_name == "argument":
            arguments.append(str(value))
            continue
        opts, negative = param.opts, getattr(param, "secondary_opts", [])
        if getattr(param, "is_flag", False):
            out.append(negative[0] if negative and not value else opts[0])
            continue
        for item in value if param.multiple else [value]:
            out += [opts[0], str(item)]
    return out + arguments


def say(message: str) -> None:
    """A progress or error line for the operator, on stderr."""
    print(message, file=sys.stderr, flush=True)


def _error(exc: typer.TyperException) -> int:
    """A usage error (unknown option, missing or bad value) as one line, with where to look."""
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    message = " ".join(exc.format_message().split()).replace("Value error, ", "")
    say(f"error: {message}{hint}")
    return int(exc.exit_code)


class CommandGroup(TyperGroup):
    """The command group of ``assistant``: bad input (an unknown option, a missing value, an
    unreadable file, a refused folder) is one ``error:`` line on stderr and exit status 2, with
    no traceback, however the app is run (console script, ``python -m``, a test's CliRunner);
    a command's own status comes back as is."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
            code = result if isinstance(result, int) else EXIT_OK
        except typer.TyperException as exc:
            code = _error(exc)
        except typer.Abort:
            say("error: interrupted")
            code = 130
        except (AssistantError, OSError) as exc:
            say(f"error: {exc}")
            code = EXIT_INPUT
        if standalone_mode:
            sys.exit(code)
        return code
