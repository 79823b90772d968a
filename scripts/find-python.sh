#!/usr/bin/env bash
# Print the path of a Python interpreter of the wanted minor version, or explain what to install.
#   scripts/find-python.sh 3.10        exactly 3.10 (the Rasa engine's environment)
#   scripts/find-python.sh 3.11+       3.11 or newer (the app's environment)
set -euo pipefail
want=${1:?usage: find-python.sh 3.10|3.11+}

matches() {  # matches PYTHON: true when PYTHON runs and is the wanted version
  local version
  version=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  case $want in
    *+) [ "$(printf '%s\n%s\n' "${want%+}" "$version" | sort -V | head -n1)" = "${want%+}" ] ;;
    *) [ "$version" = "$want" ] ;;
  esac
}

candidates=()
if [ "${want%+}" = "$want" ]; then
  # An exact version: pyenv first (it may have several), then PATH.
  if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for dir in "$root"/versions/"$want".*; do
      [ -x "$dir/bin/python$want" ] && candidates+=("$dir/bin/python$want")
    done
  fi
  candidates+=("python$want")
else
  candidates+=(python3 python3.13 python3.12 python3.11)
  if command -v pyenv >/dev/null 2>&1; then
    for dir in "$(pyenv root)"/versions/3.1[1-9].*; do
      [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
    done
  fi
fi

for candidate in "${candidates[@]}"; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if matches "$path"; then
    echo "$path"
    exit 0
  fi
done

if [ "$want" = "3.10" ]; then
  cat >&2 <<'MSG'
Python 3.10 was not found. The Rasa engine (rasa 3.6.21) runs only on Python 3.10.
Install it, then run the same command again:
  with pyenv:   pyenv install 3.10
  on Debian/Ubuntu (if your release packages it):   apt-get install python3.10 python3.10-venv
MSG
else
  echo "Python $want was not found. Install Python 3.11 or newer and run the same command again." >&2
fi
exit 1
