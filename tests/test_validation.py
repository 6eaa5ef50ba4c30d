"""Conversations kept for the user stay within the service's limits."""

from __future__ import annotations

from assistant.validation import fit_history


def _turns(*sizes: int) -> list[dict[str, str]]:
    return [
        {"role": "user" if i % 2 == 0 else "assistant", "content": "x" * n}
        for i, n in enumerate(sizes)
    ]


def test_fit_history__drops_the_oldest_turns_until_both_limits_hold() -> None:
    history = _turns(50, 60, 70, 80)
    kept = fit_history(history, max_turns=3, max_chars=160)
    assert kept == history[2:]
    assert fit_history(history, max_turns=10, max_chars=1000) == history


def test_fit_history__no_turns_allowed_gives_no_history() -> None:
    assert fit_history(_turns(5, 5), max_turns=0, max_chars=1000) == []
    assert fit_history(_turns(500), max_turns=4, max_chars=100) == []
