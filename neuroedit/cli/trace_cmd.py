"""`neuroedit trace FILE`: one training step laid open as tables (forward, loss, backward, update)."""

from __future__ import annotations

import argparse
import re

from ..model.catalog import OPTIMIZERS
from .common import load_document
from .errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "trace",
        help="print backpropagation step by step for one sample",
        description="Run one training step of the network in FILE on one sample (in float64, without changing "
        "the file) and print every forward value, the loss, every backward gradient with its chain-rule factors "
        "and every parameter update, as tables.",
        epilog="Examples: neuroedit trace samples/xor_single_neuron.nedit --sample 0;  "
        "neuroedit trace samples/compute_graph.nedit --inputs x=4,y=-2,z=5,w=-1 --format markdown. "
        "Vector inputs: --inputs input_1=[0,1]. Exit status 2 for bad arguments, unreadable files or networks "
        "that cannot run.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument(
        "--sample",
        metavar="I",
        help="index of the training sample of the file's data set (default 0); "
        "several, like 0,1,2,3, make a mini-batch",
    )
    p.add_argument("--inputs", metavar="NAME=VALUE,...", help="explicit inputs by Input node id, e.g. x=4,y=-2")
    p.add_argument("--target", metavar="T", help="the target: a number, a class index, or a list like 0.2,0.5")
    p.add_argument("--format", choices=("text", "markdown", "latex"), default="text", help="output format")
    p.add_argument("--lr", metavar="LR", help="learning rate for the update (default: the file's)")
    p.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        metavar="NAME",
        help=f"update rule for the step (default: the file's): {', '.join(OPTIMIZERS)}",
    )
    p.add_argument("--digits", metavar="N", default="3", help="decimals shown (default 3, as on the slides)")
    p.add_argument(
        "--max-units",
        metavar="N",
        default="8",
        help="layers with more neurons show the first few and a summary (default 8)",
    )
    p.add_argument(
        "--data",
        metavar="SPEC",
        help="take --sample from this data set instead of the file's (as `train --data`: xor, weather, csv:PATH, ...)",
    )
    p.add_argument(
        "--notation",
        choices=("standard", "lecture"),
        default="standard",
        help="lecture: the lectures' symbols: w_kj (neuron k, input j; the bias is w_k0), δ_out and "
        "δ_hidden for dL/dz, and the updates from the last layer back",
    )
    p.add_argument(
        "--gradcheck",
        action="store_true",
        help="append a gradient check (backprop vs central finite differences) for every parameter",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..api.bridge import GraphProblem
    from ..api.gradcheck import gradient_check
    from ..api.walkthrough import NumberFormat, WalkthroughError, base_dir_of, walkthrough
    from .trace_format import format_gradcheck, format_walkthrough

    if args.sample is not None and args.inputs is not None:
        raise CliError("give either --sample or --inputs, not both")
    sample = _samples(args.sample) if args.sample is not None else None
    inputs = parse_inputs(args.inputs) if args.inputs is not None else None
    target = parse_numbers(args.target, "--target") if args.target is not None else None
    lr = _positive(args.lr, "--lr") if args.lr is not None else None
    digits = _integer(args.digits, "--digits", 0, 12)
    max_units = _integer(args.max_units, "--max-units", 1)
    doc = load_document(args.file)
    if args.data is not None:
        if args.inputs is not None:
            raise CliError("give either --data (with --sample) or --inputs, not both")
        doc.set_dataset({**(doc.dataset if isinstance(doc.dataset, dict) else {}), "spec": args.data})
    if args.optimizer is not None and args.optimizer != doc.settings.get("optimizer"):
        doc.set_setting("optimizer", args.optimizer)
        doc.optimizer_state = {}  # another rule's state does not carry over
    base_dir = base_dir_of(args.file)
    try:
        w = walkthrough(
            doc,
            sample=sample,
            inputs=inputs,
            target=target,
            base_dir=base_dir,
            learning_rate=lr,
            number=NumberFormat(digits),
            max_units=max_units,
            preview=min(3, max_units),
            notation=args.notation,
        )
        out = format_walkthrough(w, args.format, args.file)
        if args.gradcheck:
            check = gradient_check(doc, sample=sample, inputs=inputs, target=target, base_dir=base_dir)
            out += "\n" + format_gradcheck(check, args.format, NumberFormat(digits))
    except (GraphProblem, WalkthroughError) as e:
        raise CliError(f"{args.file}: {e}") from None
    print(out, end="")
    return 0


def parse_inputs(text: str) -> dict[str, float | list[float]]:
    """`x=4,y=-2` or `input_1=[0,1]` (also `input_1=0;1`) -> {"x": 4.0, ..., "input_1": [0.0, 1.0]}."""
    out: dict[str, float | list[float]] = {}
    for item in _split_top(text):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"--inputs: {item.strip()!r} is not NAME=VALUE (e.g. --inputs x=4,y=-2)")
        if name in out:
            raise CliError(f"--inputs: {name} is given twice")
        numbers = parse_numbers(value, f"--inputs {name}")
        out[name] = numbers[0] if len(numbers) == 1 and "[" not in value else numbers
    if not out:
        raise CliError("--inputs: give NAME=VALUE pairs, e.g. --inputs x=4,y=-2")
    return out


def parse_numbers(text: str, what: str) -> list[float]:
    """`0.2,0.5`, `[0.2, 0.5]`, `0.2;0.5` or one number -> a list of floats."""
    body = text.strip().removeprefix("[").removesuffix("]")
    parts = [p for p in re.split(r"[,;\s]+", body) if p]
    if not parts:
        raise CliError(f"{what}: no number given")
    try:
        return [float(p) for p in parts]
    except ValueError:
        bad = next(p for p in parts if not _is_float(p))
        raise CliError(f"{what}: {bad!r} is not a number") from None


def _split_top(text: str) -> list[str]:
    """Split at commas outside square brackets."""
    items, depth, cur = [], 0, ""
    for c in text:
        depth += (c == "[") - (c == "]")
        if c == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += c
    items.append(cur)
    return [i for i in items if i.strip()]


def _samples(text: str) -> int | list[int]:
    """`3` -> 3; `0,1,2,3` -> a mini-batch of those samples."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not parts:
        raise CliError("--sample: no sample index given")
    indices = [_integer(p, "--sample", 0) for p in parts]
    return indices[0] if len(indices) == 1 and "," not in text else indices


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _integer(text: str, what: str, lo: int, hi: int | None = None) -> int:
    try:
        v = int(str(text).strip())
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a whole number") from None
    if v < lo or (hi is not None and v > hi):
        raise CliError(f"{what} must be {lo}..{hi}" if hi is not None else f"{what} must be at least {lo}")
    return v


def _positive(text: str, what: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a number") from None
    if not v > 0:
        raise CliError(f"{what} must be a positive number")
    return v
