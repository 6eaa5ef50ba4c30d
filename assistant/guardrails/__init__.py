"""Guardrails applied in code after an answer is composed: triage, efficacy caveat."""
