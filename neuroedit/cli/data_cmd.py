"""`neuroedit data info SPEC` and `neuroedit data list`: inspect data sets without the editor."""

from __future__ import annotations

import argparse

from .errors import CliError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "data",
        help="inspect data sets (built-in, CSV, NPZ, IDX, scikit-learn); download MNIST / Fashion-MNIST",
        description="Inspect the data sets NeuroEdit can train on. A SPEC is e.g. `xor`, "
        "`spiral:n=500,noise=0.1,seed=3`, `csv:file.csv:target=label`, `npz:file.npz:x=images,y=labels`, "
        "`idx:fashion-mnist:classes=2,6` or `sklearn:digits`; common options: split=75:10:15, seed=N, "
        "scale=standard|minmax|none, classes=A,B, features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2.",
    )
    sub = p.add_subparsers(dest="data_command", metavar="ACTION")
    info = sub.add_parser(
        "info",
        help="split sizes, input shape, classes and counts, value ranges",
        description="Load a data set and describe it.",
        epilog="Exit status: 0 on success, 2 if the data set cannot be built.",
    )
    info.add_argument("spec", metavar="SPEC", help="data-set spec string")
    info.add_argument(
        "--base-dir",
        metavar="DIR",
        default=None,
        help="folder that relative file paths start from (default: the current folder)",
    )
    info.set_defaults(handler=run_info)
    lst = sub.add_parser(
        "list",
        help="built-in data sets and import formats, with availability",
        description="List built-in data sets, scikit-learn sets and file formats.",
    )
    lst.set_defaults(handler=run_list)
    from ..data.downloads import CACHE_ENV, DATASETS

    dl = sub.add_parser(
        "download",
        help="download MNIST or Fashion-MNIST into the data cache",
        description="Download the four IDX files of a data set, each checked against its "
        f"published SHA-256, into the data cache (set {CACHE_ENV} to choose the folder). "
        "Files already there and intact are kept; an interrupted download can simply be "
        "run again. `idx:NAME` then finds the data set from any network.",
        epilog="Exit status: 0 on success, 2 if a file cannot be downloaded or verified.",
    )
    dl.add_argument(
        "name", choices=sorted(DATASETS), metavar="NAME", help=f"the data set: {' or '.join(sorted(DATASETS))}"
    )
    dl.add_argument(
        "--mirror",
        metavar="URL",
        help="a folder URL serving the same four files (a mirror); behind a proxy, set "
        "HTTPS_PROXY / HTTP_PROXY as usual",
    )
    dl.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    dl.set_defaults(handler=run_download)
    p.set_defaults(handler=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def run_info(args: argparse.Namespace) -> int:
    from ..data import DataError, load

    try:
        ds = load(args.spec, args.base_dir)
    except DataError as e:
        raise CliError(str(e)) from None
    print("\n".join(describe(ds)))
    return 0


def describe(ds) -> list[str]:
    """Lines of the `data info` report (also useful to other front ends)."""
    from ..data import format_shape

    sizes = ds.split_sizes()
    lines = [f"Data set: {ds.spec}"]
    task = ds.task + (f", {ds.num_classes} classes" if ds.task == "classification" else "")
    lines.append(f"Task: {task}")
    shape = format_shape(ds.input_shape)
    names = ""
    if ds.feature_names and not ds.is_image:
        shown = ", ".join(ds.feature_names[:10]) + (", ..." if len(ds.feature_names) > 10 else "")
        names = f"  (inputs: {shown})"
    lines.append(f"Input shape: {shape}{' image' if ds.is_image else ''}{names}")
    lines.append(f"Splits: train {sizes['train']}, validation {sizes['val']}, test {sizes['test']}")
    if ds.task == "classification":
        lines.append("Classes (train / validation / test):")
        counts = {s: ds.class_counts(s) for s in ("train", "val", "test")}
        width = max(len(n) for n in ds.class_names) if ds.class_names else 0
        for i, name in enumerate(ds.class_names):
            lines.append(
                f"  {i:>3}  {name:<{width}}  {counts['train'][i]:>7} / {counts['val'][i]:>6} / {counts['test'][i]:>6}"
            )
    x, y = ds.train
    if x.size:
        lines.append(
            f"Input values (train): min {x.min():.4g}, max {x.max():.4g}, "
            f"mean {x.mean(dtype='float64'):.4g}, std {x.std(dtype='float64'):.4g}"
        )
    if ds.task == "regression" and y.size:
        target = ", ".join(ds.target_names) or "target"
        lines.append(
            f"Target values (train, {target}): min {y.min():.4g}, max {y.max():.4g}, mean {y.mean(dtype='float64'):.4g}"
        )
    lines.append(f"Scaling: {ds.scaling.get('method', 'none')}")
    lines += [f"Note: {n}" for n in ds.notes]
    return lines


def run_list(args: argparse.Namespace) -> int:
    from ..data import available_sources

    sources = available_sources()
    width = max(len(s.name) for s in sources)
    group = None
    titles = {
        "logic": "Logic gates",
        "synthetic": "Synthetic (seeded; options n=, noise=, seed=)",
        "sklearn": "scikit-learn",
        "file": "Files",
    }
    for s in sources:
        if s.group != group:
            group = s.group
            print(("" if s is sources[0] else "\n") + titles.get(group, group) + ":")
        status = "" if s.available else f"  [unavailable: {s.reason}]"
        print(f"  {s.name:<{width}}  {s.task:<14}  {s.description}{status}")
        if s.group == "file" or s.name == "values":
            print(f"  {'':<{width}}  {'':<14}  e.g. {s.example}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    import sys

    from ..data import DataError
    from ..data.downloads import download

    shown_file: list[str] = []

    def progress(file: str, done: int, total: int) -> None:
        if shown_file and shown_file[-1] != file:
            print(file=sys.stderr)
        shown_file[:] = [file]
        amount = f"{done * 100 // total:3d}%" if total else f"{done // 1024} KiB"
        print(f"\r  {file}  {amount}", end="", file=sys.stderr, flush=True)

    try:
        folder = download(args.name, args.mirror, None if args.quiet else progress)
    except DataError as e:
        raise CliError(str(e)) from None
    finally:
        if shown_file:
            print(file=sys.stderr)
    print(f"{args.name}: the four files are in {folder}")
    return 0
