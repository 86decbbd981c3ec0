#!/usr/bin/env bash
# Execute the teaching notebooks headless with the tslab TypeScript kernel and Debian's Jupyter
# (apt-get install -y jupyter-nbconvert python3-ipython). `--inplace` saves the outputs into notebooks/ (so they read on
# GitHub); without it the executed copies go to a temporary directory (CI: the notebooks must not rot).
# tslab lives in its own prefix (.cache/tslab): it pins an older TypeScript that must not replace ours.
set -euo pipefail
cd "$(dirname "$0")/.."
tslab_dir=.cache/tslab
if [ ! -x "$tslab_dir/node_modules/.bin/tslab" ]; then
  npm install --prefix "$tslab_dir" --no-audit --no-fund --no-save tslab@1.0.22 >/dev/null
fi
export PATH="$PWD/$tslab_dir/node_modules/.bin:$PATH"
if [ "$(id -u)" -eq 0 ]; then tslab install --python=/usr/bin/python3 >/dev/null; else tslab install --python=/usr/bin/python3 --user >/dev/null; fi
npm run build >/dev/null
if [ "${1:-}" = "--inplace" ]; then
  jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 notebooks/*.ipynb
else
  out=$(mktemp -d)
  jupyter nbconvert --to notebook --execute --output-dir "$out" --ExecutePreprocessor.timeout=600 notebooks/*.ipynb
  echo "notebooks executed: $(ls "$out" | wc -l) (copies in $out)"
fi
