#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter: first python3.13, python3.12, python3.14 and
# python3 on PATH, then pyenv's installed versions (newest first). Exits 1 with a message if none.
set -u
ok() { "$1" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in python3.13 python3.12 python3.14 python3; do
  p=$(command -v "$c" 2>/dev/null) || continue
  # a pyenv shim exists for every installed version but fails unless that version is selected
  if ok "$p"; then "$p" -c 'import sys; print(sys.executable)'; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
if [ -d "$root/versions" ]; then
  for d in $(ls -1 "$root/versions" | grep -E '^3\.[0-9]+\.[0-9]+$' | sort -t. -k1,1nr -k2,2nr -k3,3nr); do
    p="$root/versions/$d/bin/python3"
    if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
  done
fi
echo "No Python 3.12 or newer found (looked for python3.13, python3.12, python3.14 and python3 on PATH, then in pyenv's versions). Install Python 3.12+ (e.g. 'pyenv install 3.13') and run make again." >&2
exit 1
