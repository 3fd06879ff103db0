#!/usr/bin/env bash
# On a CUDA machine (numba, numba-cuda, NumPy, pytest, PyTorch with CUDA; no PySide6 needed, nothing installed):
#   bash benchmarks/cuda_check.sh [python]
# 1. the CUDA tests on the real GPU (the suite normally runs them on the simulator),
# 2. benchmarks/cuda_vs_torch.py: steps/s against PyTorch CUDA eager, and parity with the CPU backend.
# Each part has a time limit so the whole check stays under 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python}"
export PYTHONPATH="$PWD" NUMBA_ENABLE_CUDASIM=0
"$PY" -c "from neuroedit.engine.devices import cuda_status; s = cuda_status(); print(s.describe()); raise SystemExit(not s.usable or s.simulator)"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
echo "== CUDA tests on the GPU"
timeout 300 "$PY" -m pytest tests/cuda -q -p no:pytestqt -p no:cacheprovider
echo "== CUDA backend vs PyTorch CUDA eager"
timeout 240 "$PY" benchmarks/cuda_vs_torch.py --steps 300 --rounds 3
