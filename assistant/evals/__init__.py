"""The eval suite: question sets in ``evals/``, deterministic metrics, reports, baselines.

Modules, in the order a run uses them: :mod:`schema` (load and check the question sets),
:mod:`targets` (an Assistant in this process, or a deployment over HTTP), :mod:`runner` (ask and
score), :mod:`metrics` (pure scoring functions), :mod:`baselines` (BM25-only, dense-only, a
plain LangChain retriever), :mod:`assemble` (the scored cases into a report), :mod:`report_model`
(the report as typed data: report.json), :mod:`compare` (two runs compared),
:mod:`side_by_side` (an extractive and a generative run in one report), :mod:`report`
(report.md and report.html from the templates in ``templates/``) and :mod:`command`
(``assistant eval``).
"""
