"""Compile a GraphSpec into a tape: rows of op codes and buffer offsets that one Numba kernel runs.

The tape is plain integer/float arrays, so a changed graph needs a new tape but no
new machine code. A Dense layer with an activation becomes two rows (the linear
part and the activation), so the activation's input z is kept for the backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..vocabulary import (
    ACT,
    ACTIVATIONS,
    ADD,
    BATCHNORM,
    BINARY,
    BINARY_OPS,
    CONCAT,
    COPY,
    DENSE,
    DROPOUT,
    INPUT,
    LOSSES,
    METRICS,
    NO_METRIC,
    PRELU,
    SQUARE,
)
from .layout import ParamLayout
from .names import activation_alpha
from .spec import GraphSpec, size_of

BINARY_CODES = {name: code for code, name in enumerate(BINARY_OPS)}

# Columns of the integer tape.
(C_OP, C_OFF, C_N, C_IN0, C_NIN, C_P0, C_P1, C_P2, C_P3, C_AUX0, C_AUX1, C_SOFF, C_NEED, C_OPIDX, C_BWD, C_FANOUT) = (
    range(16)
)
NCOLS = 16
# Columns of the float tape.
F_ALPHA, F_RATE, F_MOMENTUM, F_EPS, F_L1, F_L2 = range(6)
NFCOLS = 6
# Entries of the loss vector.
L_CODE, L_SRC, L_FUSED, L_LOGITS, L_OUTPUTS, L_TARGETS, L_OUT_ROW, L_METRIC = range(8)


@dataclass
class Tape:
    rows: np.ndarray  # (nrows, NCOLS) int64
    fpar: np.ndarray  # (nrows, NFCOLS) float64
    ins: np.ndarray  # (ninputs, 3) int64: source row, index-map offset or -1, assign flag
    imap: np.ndarray  # int64 index maps (broadcasting, concatenation)
    loss: np.ndarray  # int64: loss code, source row, fused, logits, outputs, target columns, output row, metric code
    value_row: dict[str, int]  # op id -> row holding its output
    pre_row: dict[str, int]  # Dense/Activation op id -> row holding its pre-activation z
    buf_size: int  # per-sample floats in the value buffer
    sbuf_size: int  # per-sample floats of scratch (+ sbuf_extra)
    sbuf_extra: int


def compile_tape(graph: GraphSpec, layout: ParamLayout, op_params: dict[str, dict]) -> Tape:
    rows: list[list[int]] = []
    fpar: list[list[float]] = []
    ins: list[list[int]] = []
    imap: list[np.ndarray] = []
    imap_len = 0
    value_row: dict[str, int] = {}
    pre_row: dict[str, int] = {}
    pos = 0
    spos = 0
    sextra = 0
    logits, fused = graph.loss_mode()

    def param_off(op_id: str, name: str) -> int:
        try:
            trainable, seg = layout.find(op_id, name)
        except KeyError:
            return -1
        return seg.start

    def add_row(code: int, n: int, sources: list[tuple[int, int]], opidx: int, **cols) -> int:
        nonlocal pos
        row = [0] * NCOLS
        row[C_OP], row[C_OFF], row[C_N], row[C_IN0], row[C_NIN] = code, pos, n, len(ins), len(sources)
        row[C_P0] = row[C_P1] = row[C_P2] = row[C_P3] = -1
        row[C_SOFF] = -1
        row[C_OPIDX] = opidx
        row[C_BWD] = 1
        for k, v in cols.items():
            row[globals()[k]] = v
        for src, moff in sources:
            ins.append([src, moff, 0])
        rows.append(row)
        fpar.append([0.0] * NFCOLS)
        pos += n
        return len(rows) - 1

    def add_map(a: np.ndarray) -> int:
        nonlocal imap_len
        imap.append(a.astype(np.int64).ravel())
        imap_len += a.size
        return imap_len - a.size

    col = 0
    for opidx, op in enumerate(graph.ops):
        prm = op_params[op.id]
        src = [(value_row[i], -1) for i in op.inputs]
        n = op.size
        t = op.type
        if t == "Input":
            r = add_row(INPUT, n, [], opidx, C_AUX0=col)
            col += n
        elif t == "Dense":
            r = add_row(
                DENSE,
                n,
                src,
                opidx,
                C_P0=param_off(op.id, "kernel"),
                C_P1=param_off(op.id, "bias"),
                C_AUX0=op.input_shapes[0][0],
            )
            fpar[r][F_L1], fpar[r][F_L2] = float(prm.get("l1", 0.0)), float(prm.get("l2", 0.0))
            pre_row[op.id] = r
            act = prm.get("activation", "linear")
            if act != "linear":
                z = r
                r = add_row(ACT, n, [(z, -1)], opidx, C_AUX0=ACTIVATIONS.index(act), C_AUX1=op.output_shape[-1])
                fpar[r][F_ALPHA] = activation_alpha(prm)
        elif t == "Activation":
            r = add_row(ACT, n, src, opidx, C_AUX0=ACTIVATIONS.index(prm["activation"]), C_AUX1=op.output_shape[-1])
            fpar[r][F_ALPHA] = activation_alpha(prm)
            pre_row[op.id] = src[0][0]
        elif t == "Dropout":
            r = add_row(DROPOUT, n, src, opidx)
            fpar[r][F_RATE] = float(prm.get("rate", 0.0))
        elif t == "BatchNorm":
            c = op.output_shape[-1]
            r = add_row(
                BATCHNORM,
                n,
                src,
                opidx,
                C_P0=param_off(op.id, "gamma"),
                C_P1=param_off(op.id, "beta"),
                C_P2=layout.find(op.id, "moving_mean")[1].start,
                C_P3=layout.find(op.id, "moving_variance")[1].start,
                C_AUX0=c,
                C_SOFF=spos,
                C_AUX1=sextra,
            )
            spos += n
            sextra += 2 * c
            fpar[r][F_MOMENTUM], fpar[r][F_EPS] = float(prm["momentum"]), float(prm["epsilon"])
        elif t == "Flatten":
            r = add_row(COPY, n, src, opidx)
        elif t == "PReLU":
            r = add_row(PRELU, n, src, opidx, C_P0=param_off(op.id, "alpha"))
        elif t == "Add":
            r = add_row(ADD, n, src, opidx)
        elif t == "Concatenate":
            grid = np.arange(n).reshape(op.output_shape)
            start, sources = 0, []
            for (s, _), shape in zip(src, op.input_shapes):
                k = shape[-1]
                sources.append((s, add_map(grid[..., start : start + k])))
                start += k
            r = add_row(CONCAT, n, sources, opidx)
        elif t in BINARY_CODES:
            sources = []
            for (s, _), shape in zip(src, op.input_shapes):
                idx = np.arange(size_of(shape)).reshape(shape)
                sources.append((s, add_map(np.broadcast_to(idx, op.output_shape))))
            r = add_row(BINARY, n, sources, opidx, C_AUX0=BINARY_CODES[t])
        elif t == "OpSquare":
            r = add_row(SQUARE, n, src, opidx)
        elif t == "Loss":
            continue
        else:
            raise ValueError(f"{op.id}: the engine cannot run {t}")
        value_row[op.id] = r

    out_row = value_row[graph.output_id]
    loss_src = out_row
    if fused:
        loss_src = int(ins[rows[out_row][C_IN0]][0])
        rows[out_row][C_BWD] = 0
    # Which rows need dL/d(value): those with trainable parameters upstream (or their own).
    need = [False] * len(rows)
    for r, row in enumerate(rows):
        has_params = row[C_OP] in (DENSE, PRELU) or (row[C_OP] == BATCHNORM and (row[C_P0] >= 0 or row[C_P1] >= 0))
        upstream = any(need[ins[i][0]] for i in range(row[C_IN0], row[C_IN0] + row[C_NIN]))
        need[r] = has_params or upstream
        row[C_NEED] = int(need[r])
    # How many consumers read each row (the loss counts as one): single consumers assign, others accumulate.
    fanout = [0] * len(rows)
    for row in rows:
        if row[C_BWD]:
            for i in range(row[C_IN0], row[C_IN0] + row[C_NIN]):
                fanout[ins[i][0]] += 1
    fanout[loss_src] += 1
    for r, row in enumerate(rows):
        row[C_FANOUT] = fanout[r]
    for port in ins:
        port[2] = int(fanout[port[0]] == 1)
    y_cols = (
        0
        if graph.loss_name == "value"
        else (
            1
            if graph.loss_name in ("sparse_categorical_crossentropy", "multiclass_hinge")
            else graph.op(graph.output_id).size
        )
    )
    loss = np.array(
        [
            LOSSES.index(graph.loss_name),
            loss_src,
            int(fused),
            int(logits),
            graph.op(graph.output_id).size,
            y_cols,
            out_row,
            METRICS.index(graph.metric) if graph.metric else NO_METRIC,
        ],
        dtype=np.int64,
    )
    return Tape(
        np.array(rows, dtype=np.int64).reshape(-1, NCOLS),
        np.array(fpar, dtype=np.float64).reshape(-1, NFCOLS),
        np.array(ins, dtype=np.int64).reshape(-1, 3),
        np.concatenate(imap) if imap else np.zeros(1, np.int64),
        loss,
        value_row,
        pre_row,
        pos,
        spos,
        sextra,
    )


def refresh_fpar(tape: Tape, graph: GraphSpec, op_params: dict[str, dict]) -> None:
    """Copy live parameters (L1/L2, dropout rate, BatchNorm momentum/epsilon, alpha) into the float tape."""
    for opidx, op in enumerate(graph.ops):
        if op.id not in tape.value_row:
            continue
        prm = op_params[op.id]
        for r in np.nonzero(tape.rows[:, C_OPIDX] == opidx)[0]:
            code = tape.rows[r, C_OP]
            if code == DENSE:
                tape.fpar[r, F_L1], tape.fpar[r, F_L2] = float(prm.get("l1", 0.0)), float(prm.get("l2", 0.0))
            elif code == ACT:
                tape.fpar[r, F_ALPHA] = activation_alpha(prm)
            elif code == DROPOUT:
                tape.fpar[r, F_RATE] = float(prm.get("rate", 0.0))
            elif code == BATCHNORM:
                tape.fpar[r, F_MOMENTUM], tape.fpar[r, F_EPS] = float(prm["momentum"]), float(prm["epsilon"])
