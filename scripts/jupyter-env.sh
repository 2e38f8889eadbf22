# Source this before starting an interactive Jupyter (`source scripts/jupyter-env.sh && jupyter lab`):
# it makes the project's tslab kernel (registered by scripts/setup.sh under build/jupyter) visible and
# raises the server's output rate limit so the inline plotly.js bundle is not dropped.
_seer_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JUPYTER_PATH="$_seer_root/build/jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export JUPYTER_CONFIG_PATH="$_seer_root/build/jupyter/etc/jupyter${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
export PYDEVD_DISABLE_FILE_VALIDATION=1
unset _seer_root
