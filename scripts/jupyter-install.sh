#!/usr/bin/env bash
# `npm run jupyter:install`: the Python side of iwlab in one command, idempotent.
#   1. a venv at $IWLAB_JUPYTER_VENV (default ~/.cache/iwlab/jupyter) with JupyterLab 4, Notebook 7,
#      nbconvert 7, nbclient and plotly (whose jupyterlab-plotly extension draws the figures), from
#      pip's configured index; reused when those are already there;
#   2. the iwlab kernelspec inside that venv (npm run kernel:install --prefix), so its `jupyter`
#      lists "TypeScript (iwlab)" even without JUPYTER_PATH;
#   3. the git clean filter that strips notebook outputs on `git add` (.gitattributes names it).
# `npm run lab`, `npm run report`, the browser tests and .ci/run find Jupyter in that venv.
# Knobs: IWLAB_JUPYTER_VENV (venv path), IWLAB_VENV_PYTHON (the python that makes it),
# IWLAB_GIT_FILTER=0 (leave git's config alone).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=${IWLAB_JUPYTER_VENV:-$HOME/.cache/iwlab/jupyter}
PYTHON=${IWLAB_VENV_PYTHON:-python3}
REQUIREMENTS=('jupyterlab>=4,<5' 'notebook>=7,<8' 'nbconvert>=7,<8' 'nbclient>=0.7' 'plotly')

say() { printf 'jupyter:install: %s\n' "$*"; }
fail() {
  printf 'jupyter:install: %s\n' "$*" >&2
  exit 1
}

# On a closed network pip's default index is unreachable and a configured extra index (a local
# mirror) is the real one: make it the index so pip does not spend minutes retrying the default.
# On a user's machine nothing is configured and plain pip runs.
pip_index_args() {
  [ -n "${PIP_INDEX_URL:-}" ] && return
  local extra first
  extra=$("$VENV/bin/pip" config get global.extra-index-url 2>/dev/null || true)
  first=${extra%% *}
  [ -n "$first" ] && printf -- '--index-url\n%s\n' "$first"
}

pip_install() {
  local args=()
  mapfile -t args < <(pip_index_args)
  if [ ${#args[@]} -gt 0 ] && "$VENV/bin/pip" install --disable-pip-version-check -q "${args[@]}" "$@"; then return; fi
  "$VENV/bin/pip" install --disable-pip-version-check -q "$@"
}

CHECK='import jupyterlab, notebook, nbconvert, nbclient, plotly, sys
major = lambda m: int(m.__version__.split(".")[0])
found = (major(jupyterlab), major(notebook), major(nbconvert))
sys.exit(0 if found == (4, 7, 7) else "found jupyterlab %d, notebook %d, nbconvert %d; need 4, 7, 7" % found)'

if [ ! -x "$VENV/bin/python" ]; then
  command -v "$PYTHON" >/dev/null || fail "no '$PYTHON' on PATH: install Python 3 (Debian: apt-get install python3 python3-venv) or set IWLAB_VENV_PYTHON."
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || fail "'$PYTHON' cannot make a venv (no venv/ensurepip): Debian: apt-get install python3-venv."
  say "creating the venv $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
fi
if "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
  say "reusing $VENV"
else
  say "installing ${REQUIREMENTS[*]} into $VENV (pip's configured index)"
  pip_install "${REQUIREMENTS[@]}" || fail "pip could not install ${REQUIREMENTS[*]}; its message is above. Check pip's index (pip config list) or set PIP_INDEX_URL."
  "$VENV/bin/python" -c "$CHECK" || fail "the venv $VENV still lacks what iwlab needs (see above)."
fi
"$VENV/bin/jupyter" --version | sed -n 's/^\(jupyterlab\|notebook\|nbconvert\|nbclient\) *: */  \1 /p'

# The rest runs on the repo's Node packages; .ci/run calls this before `npm ci`, and its Jupyter
# finds the repo's kernelspec through JUPYTER_PATH anyway.
if [ ! -x node_modules/.bin/tsx ]; then
  say "no node_modules yet: kernelspec and git filter skipped (run \`npm ci\`, then this again)"
  exit 0
fi

# The kernelspec, for this venv's Jupyter (npm run lab also finds the repo's own through JUPYTER_PATH).
node_modules/.bin/tsx scripts/kernel-install.ts --prefix "$VENV" | sed 's/^/  /'

# Outputs never reach a commit: git runs the clean filter on every notebook it stages or diffs.
if [ "${IWLAB_GIT_FILTER:-1}" = 0 ]; then
  say "IWLAB_GIT_FILTER=0: git filter left as it is"
elif git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$ROOT" config filter.iwlab-notebook.clean 'node --import tsx scripts/notebook-clean.ts'
  git -C "$ROOT" config filter.iwlab-notebook.required true
  say "git filter iwlab-notebook installed (strips outputs from notebooks/*.ipynb on git add and git diff)"
else
  say "not a git checkout: no git filter installed"
fi
say "done. Start JupyterLab with: npm run lab   (Notebook 7: JUPYTER_APP=notebook npm run lab)"
