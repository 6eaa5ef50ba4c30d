# Sourced by the scripts: everything runs offline, with no telemetry.
# The variables are assistant.runtime.OFFLINE_ENV, the one list of them.
_assistant_root=$(cd "$(dirname "${BASH_SOURCE[0]:-scripts/env.sh}")/.." && pwd)
_assistant_python=$_assistant_root/.venv/bin/python
[ -x "$_assistant_python" ] || _assistant_python=python3
_assistant_exports=$(cd "$_assistant_root" && "$_assistant_python" -c \
  'from assistant.runtime import shell_exports; print(shell_exports())') || {
  echo "error: scripts/env.sh could not read assistant/runtime.py with $_assistant_python" >&2
  return 1
}
eval "$_assistant_exports"
unset _assistant_root _assistant_python _assistant_exports
