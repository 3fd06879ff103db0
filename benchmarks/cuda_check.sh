#!/usr/bin/env bash
# On a CUDA machine (numba, numba-cuda, NumPy, pytest, PyTorch with CUDA; no PySide6 needed, nothing installed):
#   bash benchmarks/cuda_check.sh [python]
# 1. the CUDA tests on the real GPU (the suite normally runs them on the simulator),
# 2. benchmarks/cuda_vs_torch.py: steps/s against PyTorch CUDA eager, and parity with the CPU backend.
# Each part has a time limit so the whole check stays under 10 minutes.
# Without a GPU, `bash benchmarks/cuda_check.sh --smoke [python]` runs the same two parts on Numba's
# CUDA simulator (the benchmark at tiny sizes), to check the script itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=""
if [[ "${1:-}" == "--smoke" ]]; then
    SMOKE="--smoke"
    shift
fi
PY="${1:-python}"
export PYTHONPATH="$PWD"
if [[ -n "$SMOKE" ]]; then
    export NUMBA_ENABLE_CUDASIM=1
    echo "== on Numba's CUDA simulator (no speed figures)"
else
    export NUMBA_ENABLE_CUDASIM=0
    "$PY" -c "from neuroedit.engine.devices import cuda_status; s = cuda_status(); print(s.describe()); raise SystemExit(not s.usable or s.simulator)"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
fi
echo "== CUDA tests on the ${SMOKE:+simulated }GPU"
timeout 300 "$PY" -m pytest tests/cuda -q -p no:pytestqt -p no:cacheprovider
echo "== CUDA backend vs PyTorch CUDA eager"
timeout 240 "$PY" benchmarks/cuda_vs_torch.py $SMOKE --steps 300 --rounds 3
