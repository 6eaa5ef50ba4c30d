"""The eval suite: question sets in ``evals/``, deterministic metrics, reports, baselines.

Modules, in the order a run uses them: :mod:`schema` (load and check the question sets),
:mod:`targets` (an Assistant in this process, or a deployment over HTTP), :mod:`runner` (ask,
score, aggregate), :mod:`metrics` (pure scoring functions), :mod:`baselines` (BM25-only,
dense-only, a plain LangChain retriever), :mod:`report` (report.json, report.md, report.html,
comparison with an earlier run) and :mod:`command` (``assistant eval``).
"""
