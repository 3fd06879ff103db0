"""`neuroedit export FILE --format onnx|pytorch|keras -o OUT`: the network as ONNX or a training script."""

from __future__ import annotations

import argparse

from .common import load_document
from .errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="write a network as ONNX, a PyTorch script or a Keras script",
        description="Export a .nedit network: `onnx` writes an ONNX model (opset 17, weights embedded, "
        "dynamic batch axis); `pytorch` and `keras` write a standalone Python script plus its weights "
        "(OUT with .npz) that rebuilds the network and trains it as the document says "
        "(`python OUT.py --data SPEC`; the PyTorch script also runs under `torchrun --nproc_per_node=N`).",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--format", "-f", required=True, choices=("onnx", "pytorch", "keras"), help="what to write")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (default: FILE.onnx, FILE_torch.py or FILE_keras.py beside FILE)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..api.bridge import GraphProblem
    from ..api.session import ensure_weights
    from ..interop import InteropError, default_output, export_network

    doc = load_document(args.file)
    out = args.output or str(default_output(args.file, args.format))
    try:
        ensure_weights(doc)
        written = export_network(doc, out, args.format)
    except (GraphProblem, InteropError) as e:
        raise CliError(f"{args.file}: {e}") from None
    except OSError as e:
        raise CliError(f"{out}: {e.strerror or e}") from None
    print("wrote " + " and ".join(str(p) for p in written))
    return 0
