"""`neuroedit import MODEL.onnx -o OUT.nedit`: an ONNX model as a laid-out network with its weights."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import EXIT_UNREADABLE
from .errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import",
        help="turn an ONNX model into a .nedit network",
        description="Read an ONNX model (MLPs and computation graphs of Gemm/MatMul, Add, Sub, Mul, Max, Sum, "
        "Concat, Flatten/Reshape, BatchNormalization, Dropout and the common activations) and write it as "
        "a .nedit network with its weights. Operations NeuroEdit has no node for are listed in one message.",
    )
    p.add_argument("model", metavar="MODEL.onnx", help="an ONNX model file")
    p.add_argument("-o", "--output", metavar="OUT.nedit", help="output file (default: MODEL.nedit beside MODEL)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..interop import InteropError, import_onnx
    from ..io import SaveError, save

    out = Path(args.output or Path(args.model).with_suffix(".nedit"))
    try:
        doc = import_onnx(args.model)
    except InteropError as e:
        raise CliError(str(e), EXIT_UNREADABLE) from None
    try:
        save(doc, out)
    except (SaveError, OSError) as e:
        raise CliError(f"{out}: {getattr(e, 'strerror', None) or e}") from None
    nodes = sum(1 for n in doc.nodes.values() if n.type != "Loss")
    print(f"wrote {out} ({nodes} nodes; loss {next(n.params['loss'] for n in doc.nodes.values() if n.type == 'Loss')})")
    return 0
