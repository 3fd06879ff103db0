"""Regenerate the sample networks in `samples/` from `neuroedit.model.samples`.

Run from the repository root:  python tools/make_samples.py [OUT_DIR]

`tests/test_samples.py` checks that the stored files still match what the
builders produce, so edit the builders, then rerun.
"""

from __future__ import annotations

import sys
from pathlib import Path

from neuroedit.io import save
from neuroedit.model.samples import SAMPLES


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "samples"
    out.mkdir(parents=True, exist_ok=True)
    for filename, build in SAMPLES.items():
        save(build(), out / filename)
        print(f"wrote {out / filename}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
