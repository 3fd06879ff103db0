"""`neuroedit train FILE`: train a network headless, with Keras-like epoch lines."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

from ..engine.names import OPTIMIZERS
from .common import load_document, load_graph_and_data
from .errors import CliError
from .evaluate_cmd import add_device_argument

EXIT_OK, EXIT_NONFINITE = 0, 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a network file headless",
        description="Train the network in FILE on its data set (or --data), printing one line per epoch "
        "(loss, accuracy or mae, val_*, lr) and a progress bar when attached to a terminal. Settings "
        "not given on the command line come from the file.",
        epilog="The trained network is written only with --out PATH or --in-place (atomically). "
        "Exit status: 0 when training finished or stopped early, 1 if the loss or the weights "
        "became NaN/Inf, 2 for bad arguments, unreadable files, unusable data or impossible networks.",
    )
    p.add_argument("file", metavar="FILE", help="a .nedit network file")
    p.add_argument("--data", metavar="SPEC", help="data set, e.g. xor, weather, csv:data.csv (default: the file's)")
    p.add_argument("--epochs", type=int, metavar="N", help="passes over the training data")
    p.add_argument("--batch-size", type=int, metavar="B", help="samples per step (mini-batch mode)")
    p.add_argument("--full-batch", action="store_true", help="one step per epoch on all samples")
    p.add_argument("--optimizer", choices=OPTIMIZERS, metavar="NAME", help=f"one of {', '.join(OPTIMIZERS)}")
    p.add_argument("--lr", type=float, metavar="LR", help="learning rate")
    p.add_argument("--seed", type=int, metavar="S", help="random seed (initial weights, shuffling, dropout)")
    p.add_argument("--reset", action="store_true", help="start from fresh initial weights instead of the stored ones")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--out", metavar="PATH", help="write the trained network here")
    out.add_argument("--in-place", action="store_true", help="write the trained network back into FILE")
    p.add_argument("--log-json", metavar="PATH", help="write one JSON object per epoch (JSON Lines)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the final result")
    add_device_argument(p)
    p.add_argument("--backend", choices=("numba", "reference"), default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def _overrides(args: argparse.Namespace) -> dict:
    over: dict = {}
    if args.epochs is not None:
        if args.epochs < 1:
            raise CliError("--epochs must be at least 1")
        over["epochs"] = args.epochs
    if args.batch_size is not None:
        if args.batch_size < 1:
            raise CliError("--batch-size must be at least 1")
        over["batch_mode"], over["batch_size"] = "minibatch", args.batch_size
    if args.full_batch:
        over["batch_mode"] = "full"
    if args.optimizer:
        over["optimizer"] = args.optimizer
    if args.lr is not None:
        if not (math.isfinite(args.lr) and args.lr > 0):  # nan, inf and 1e309 (which parses as inf)
            raise CliError("--lr must be a positive number")
        over["learning_rate"] = args.lr
    if args.seed is not None:
        if args.seed < 0:
            raise CliError("--seed must be 0 or more")
        over["seed"] = args.seed
    return over


def run(args: argparse.Namespace) -> int:
    from ..api.session import TrainingSession, reset_weights
    from ..engine import EngineError
    from ..engine.trainer import Epochs, Progress, Stopped
    from ..model.runs import epochs_in, history_since, record_run, run_settings

    over = _overrides(args)
    doc = load_document(args.file)
    _, data = load_graph_and_data(args.file, doc, args.data)
    for k, v in over.items():
        doc.set_setting(k, v)
    if args.reset:
        reset_weights(doc)
    if args.data:
        doc.set_dataset({**(doc.dataset if isinstance(doc.dataset, dict) else {}), "spec": args.data})
    log = open(args.log_json, "w", encoding="utf-8") if args.log_json else None  # noqa: SIM115
    tty = sys.stdout.isatty() and not args.quiet
    from ..engine.numba_backend import add_compile_listener, remove_compile_listener

    def notice(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    add_compile_listener(notice)
    try:
        try:
            session = TrainingSession(
                doc,
                data.train[0],
                data.train[1],
                data.val,
                backend=args.backend,
                device=None if args.backend else args.device,
                task=data.task,
            )
            session.trainer.config.layer_stats = False  # nobody looks at them here
        except (EngineError, ValueError) as e:
            raise CliError(f"{args.file}: {e}") from None
        trainer = session.trainer
        total = trainer.epoch_offset + trainer.config.epochs
        first_epoch, settings = epochs_in(doc.training_history), run_settings(doc)
        started = time.perf_counter()
        final: Stopped | None = None
        last_logs: dict = {}
        if not args.quiet:
            print(
                f"Training {args.file} on {data.spec}: {len(data.train[0])} samples, "
                f"{trainer.steps_per_epoch} step{'' if trainer.steps_per_epoch == 1 else 's'} per epoch, "
                f"{trainer.config.optimizer.name}, "
                f"lr {trainer.lr0:g}",
                flush=True,
            )
        for event in trainer.run_iter():
            if isinstance(event, Progress) and tty:
                done = (event.step_in_epoch + len(event.losses) - 1) % event.steps_per_epoch + 1
                epoch = event.epoch + (event.step_in_epoch + len(event.losses) - 1) // event.steps_per_epoch
                _bar(epoch, total, done, event.steps_per_epoch, float(event.losses[-1]))
            elif isinstance(event, Epochs):
                rows = list(event.rows())
                last_logs = rows[-1][1]
                if tty:
                    sys.stdout.write("\r\033[K")
                if not args.quiet:
                    print("\n".join(_epoch_line(epoch, logs, total) for epoch, logs in rows), flush=True)
                if log:
                    log.write("".join(json.dumps({"epoch": epoch, **logs}) + "\n" for epoch, logs in rows))
            elif isinstance(event, Stopped):
                final = event
    finally:
        remove_compile_listener(notice)
        if log:
            log.close()
    session.commit()
    elapsed = time.perf_counter() - started
    record_run(doc, settings, history_since(doc.training_history, first_epoch), elapsed)
    assert final is not None
    summary = " - ".join(f"{k}: {v:.4f}" for k, v in last_logs.items() if k != "lr")
    print(f"{final.message} in {elapsed:.1f} s" + (f" - {summary}" if summary else ""), flush=True)
    target = args.file if args.in_place else args.out
    if target:
        from ..io import SaveError, save

        try:
            save(doc, target)
        except (SaveError, OSError) as e:
            raise CliError(f"{target}: cannot write: {e}") from None
        print(f"saved the trained network to {target}")
    elif not args.quiet:
        print("not saved (use --out PATH or --in-place to keep the trained weights)")
    return EXIT_NONFINITE if final.reason == "nonfinite" else EXIT_OK


def _epoch_line(epoch: int, logs: dict, total: int) -> str:
    parts = [f"Epoch {epoch}/{total}"]
    for k, v in logs.items():
        parts.append(f"lr: {v:.4g}" if k == "lr" else f"{k}: {v:.4f}")
    return " - ".join(parts)


def _bar(epoch: int, total: int, done: int, steps: int, loss: float) -> None:
    width = 30
    filled = int(width * done / max(steps, 1))
    bar = "=" * max(filled - 1, 0) + (">" if filled < width else "=") + "." * (width - filled)
    sys.stdout.write(f"\rEpoch {epoch}/{total} {done}/{steps} [{bar}] loss: {loss:.4f}")
    sys.stdout.flush()
