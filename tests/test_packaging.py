"""The package as it is installed: the dependency locks agree with pyproject.toml, and a built
wheel carries its prompts, evidence registry and eval data and answers from outside the
repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
NOT_LOCKED = {"torch"}
"""Installed first by scripts/setup from its CPU build, so it stays out of the hashed locks."""
GPU_ONLY = re.compile(r"^(nvidia-.*|triton|cuda-.*)$")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    out = {}
    for line in requirements:
        match = _PIN.match(line.strip())
        assert match, f"not pinned with ==: {line!r}"
        out[_name(match.group(1))] = match.group(2)
    return out


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """Each locked package: its version and the number of hashes allowed for it."""
    out: dict[str, tuple[str, int]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = _name(match.group(1))
            assert current not in out, f"{path.name}: {current} twice"
            out[current] = (match.group(2), 0)
        hashes = len(_HASH.findall(line))
        if hashes and current:
            version, count = out[current]
            out[current] = (version, count + hashes)
    return out


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"runtime": data["dependencies"], "dev": data["optional-dependencies"]["dev"]}


def test_runtime_lock_has_each_pyproject_pin_at_its_version() -> None:
    locked = _lock(LOCK)
    for name, version in _pins(_project()["runtime"]).items():
        if name in NOT_LOCKED:
            assert name not in locked
        else:
            assert locked.get(name, ("missing",))[0] == version, name


def test_dev_lock_is_the_runtime_lock_plus_the_dev_pins() -> None:
    runtime, dev = _lock(LOCK), _lock(DEV_LOCK)
    for name, (version, _) in runtime.items():
        assert dev.get(name, ("missing",))[0] == version, name
    for name, version in _pins(_project()["dev"]).items():
        assert dev.get(name, ("missing",))[0] == version, name


@pytest.mark.parametrize("path", [LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_lock_hashes_every_package_and_holds_no_gpu_build(path: Path) -> None:
    locked = _lock(path)
    assert len(locked) > 50
    for name, (_, hashes) in locked.items():
        assert hashes >= 1, f"{name} has no hash"
        assert not GPU_ONLY.match(name), name
        assert name not in NOT_LOCKED, name


# ---- where the data is read from -------------------------------------------------------------
def test_shipped_data_is_the_repository_folders() -> None:
    from assistant import paths

    for name in ("knowledge", "prompts", "evals"):
        shipped = paths.bundled(name)
        files = sorted(p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*.*"))
        assert files and all(
            (shipped / f).read_bytes() == (ROOT / name / f).read_bytes() for f in files
        ), name


def test_eval_files_of_the_working_directory_come_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import paths

    monkeypatch.chdir(tmp_path)
    shipped = paths.eval_path("thresholds.yaml")
    assert shipped.read_text("utf-8") == (ROOT / "evals" / "thresholds.yaml").read_text("utf-8")
    assert paths.eval_data_dir() == paths.bundled("evals")

    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "thresholds.yaml").write_text("hit_at_5: {min: 0.5}\n", "utf-8")
    assert paths.eval_path("thresholds.yaml").read_text("utf-8") == "hit_at_5: {min: 0.5}\n"
    assert paths.eval_path("cases.yaml") == paths.bundled("evals") / "cases.yaml"
    assert paths.eval_data_dir().resolve() == (tmp_path / "evals").resolve()


def test_registry_of_the_knowledge_folder_else_the_shipped_one(tmp_path: Path) -> None:
    from assistant.service import Assistant
    from assistant.settings import Settings

    def registry_text(knowledge: Path) -> str:
        settings = Settings(knowledge_dir=knowledge, data_dir=tmp_path / "data")
        return Assistant(settings).registry_path.read_text("utf-8")

    shipped = (ROOT / "knowledge" / "evidence-registry.yaml").read_text("utf-8")
    assert registry_text(tmp_path) == shipped
    own = tmp_path / "own"
    own.mkdir()
    (own / "evidence-registry.yaml").write_text("version: 1\nprocedures: []\n", "utf-8")
    assert registry_text(own) == "version: 1\nprocedures: []\n"


def test_prompts_shipped_unless_a_folder_is_given(tmp_path: Path) -> None:
    from assistant.prompts import PromptSet

    assert PromptSet.load().system.text in (ROOT / "prompts" / "system.md").read_text("utf-8")
    for name in ("system", "answer", "rewrite"):
        text = (ROOT / "prompts" / f"{name}.md").read_text("utf-8")
        (tmp_path / f"{name}.md").write_text(text.replace("version: 1", "version: 7"), "utf-8")
    assert PromptSet.load(tmp_path).version == "system@7+answer@7+rewrite@7"


# ---- the wheel ------------------------------------------------------------------------------
SOURCES = ("pyproject.toml", "README.md", "assistant", "knowledge", "prompts", "evals")
EFFICACY_QUESTION = "Does the M.I.G.O.N.E. procedure work?"


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _wheel(tmp: Path) -> Path:
    """Build the wheel from a copy of the sources (the links under assistant/bundled/ kept)."""
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(
                origin, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(origin, src / name)
    dist = tmp / "dist"
    python = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    _run([*python, "--no-index", "-w", str(dist), str(src)], cwd=tmp)
    (wheel,) = dist.glob("*.whl")
    return wheel


def _venv(tmp: Path, wheel: Path) -> Path:
    """A fresh virtual environment with the wheel installed; its dependencies come from the
    project's environment through a .pth file, so nothing is downloaded."""
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    python = venv / "bin" / "python"
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.strip(), "project-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    pip = [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed"]
    _run([*pip, str(wheel)], cwd=tmp)
    return venv


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "CHROMA_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
        **extra,
    )
    return env


PACKAGE_DATA = """
import json
from assistant import paths
from assistant.prompts import PromptSet
from assistant.evals.guardrail_sets import load_set
from assistant.evals.patient_set import load_items, split_path
import assistant
print(json.dumps({
    "package": assistant.__file__,
    "prompts": PromptSet.load().version,
    "registry": paths.registry_file().read_text(encoding="utf-8"),
    "thresholds": paths.eval_path("thresholds.yaml").read_text(encoding="utf-8"),
    "cases": paths.eval_path("cases.yaml").read_text(encoding="utf-8"),
    "patients": len(load_items(split_path("dev"))),
    "triage": len(load_set("triage", "dev")),
}))
"""


@pytest.mark.slow
def test_installed_wheel_answers_from_outside_the_repository(tmp_path: Path) -> None:
    from assistant.evals.guardrail_sets import load_set
    from assistant.evals.patient_set import load_items
    from assistant.prompts import PromptSet

    venv = _venv(tmp_path, _wheel(tmp_path))
    work = tmp_path / "work"
    knowledge = work / "my-knowledge"
    # The corpus without its registry: the answer's caveat then comes from the shipped one.
    shutil.copytree(
        ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("evidence-registry.yaml")
    )
    env = _env(ASSISTANT_KNOWLEDGE_DIR=str(knowledge), ASSISTANT_DATA_DIR=str(work / "data"))

    shipped = json.loads(_run([str(venv / "bin" / "python"), "-c", PACKAGE_DATA], work, env))
    assert Path(shipped["package"]).is_relative_to(venv)
    assert shipped["prompts"] == PromptSet.load(ROOT / "prompts").version
    for key, path in [
        ("registry", "knowledge/evidence-registry.yaml"),
        ("thresholds", "evals/thresholds.yaml"),
        ("cases", "evals/cases.yaml"),
    ]:
        assert shipped[key] == (ROOT / path).read_text(encoding="utf-8"), key
    outside = ROOT / "evals" / "outside"
    assert shipped["patients"] == len(load_items(outside / "patient_questions.dev.yaml"))
    assert shipped["triage"] == len(load_set("triage", "dev", outside))

    assistant = str(venv / "bin" / "assistant")
    report = json.loads(_run([assistant, "ingest", "--json"], work, env).strip().splitlines()[-1])
    assert report["errors"] == [] and report["documents"] >= 4

    answer = json.loads(_run([assistant, "ask", EFFICACY_QUESTION, "--json"], work, env))
    assert answer["status"] == "answered"
    assert answer["citations"], answer["answer"]
    first = answer["citations"][0]
    assert f"[{first['n']}]" in answer["answer"]
    assert first["quote"] in (knowledge / f"{first['doc_id']}.md").read_text(encoding="utf-8")
    assert answer["efficacy_question"] is True
    registry = yaml.safe_load((ROOT / "knowledge" / "evidence-registry.yaml").read_text("utf-8"))
    cited = [r["citation"] for r in registry["references"].values()]
    assert any(c in (answer["caveat"] or "") for c in cited), answer["caveat"]
