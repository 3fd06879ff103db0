"""Evaluation reports: plain text, Markdown, JSON and one self-contained HTML file (plots as PNG)."""

from __future__ import annotations

import base64
import html
import json
import math
from typing import Any

import numpy as np

from . import png
from .evaluate import Evaluation
from .metrics import ClassificationMetrics, RegressionMetrics

FORMATS = ("text", "markdown", "json", "html")


def report(ev: Evaluation, fmt: str, title: str = "") -> str:
    if fmt == "json":
        return json.dumps(to_json(ev), indent=2, allow_nan=False) + "\n"
    if fmt == "html":
        return to_html(ev, title)
    return to_text(ev, markdown=fmt == "markdown", title=title)


# --------------------------------------------------------------------------- JSON


def to_json(ev: Evaluation) -> dict[str, Any]:
    """The keys the issue fixed (classes, confusion_matrix, accuracy, loss, per_class, macro_avg, weighted_avg,
    roc_auc) plus split, samples and the other metrics; NaN (undefined) becomes null."""
    p, m = ev.predictions, ev.metrics
    head: dict[str, Any] = {"task": p.task, "split": _split(p.split), "samples": len(p), "loss": _num(p.loss)}
    if isinstance(m, ClassificationMetrics):
        auc = m.roc_auc
        out = {
            "classes": m.classes,
            "confusion_matrix": m.confusion.astype(int).tolist(),
            "accuracy": _num(m.accuracy),
            **head,
            "per_class": {
                k: {n: _num(v) if n != "support" else int(v) for n, v in d.items()} for k, d in m.per_class.items()
            },
            "macro_avg": _nums(m.macro_avg),
            "weighted_avg": _nums(m.weighted_avg),
            "roc_auc": _num(auc)
            if isinstance(auc, float)
            else {"macro": _num(auc["macro"]), "per_class": _nums(auc["per_class"])},
            "average_precision": _nums(m.average_precision),
            "log_loss": _num(m.log_loss),
        }
        if m.top_k_accuracy:
            out["top_k_accuracy"] = {str(k): _num(v) for k, v in m.top_k_accuracy.items()}
        if m.threshold is not None:
            out["threshold"] = m.threshold
        return out
    assert isinstance(m, RegressionMetrics)
    return {
        **head,
        "outputs": m.output_names,
        "mae": _num(m.mae),
        "mse": _num(m.mse),
        "rmse": _num(m.rmse),
        "r2": _num(m.r2),
    }


def _num(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def _nums(d: dict[str, float]) -> dict[str, float | None]:
    return {k: _num(v) for k, v in d.items()}


def _split(split: str) -> str:
    return "validation" if split == "val" else split


# --------------------------------------------------------------------------- text and Markdown


def to_text(ev: Evaluation, markdown: bool = False, title: str = "") -> str:
    p, m = ev.predictions, ev.metrics
    lines: list[str] = []
    main = f"accuracy: {_f(m.accuracy)}" if isinstance(m, ClassificationMetrics) else f"mae: {_f(m.mae)}"
    head = f"{_split(p.split)} ({len(p)} samples of {p.dataset}): loss: {_f(p.loss)} - {main}"
    lines += [f"# Evaluation of {title}" if title else "# Evaluation", "", head, ""] if markdown else [head, ""]
    if isinstance(m, RegressionMetrics):
        rows = [["loss", _f(p.loss)], ["MAE", _f(m.mae)], ["MSE", _f(m.mse)], ["RMSE", _f(m.rmse)], ["R²", _f(m.r2)]]
        lines += _table(["metric", "value"], rows, markdown)
        return "\n".join(lines) + "\n"
    lines += [f"log loss: {_f(m.log_loss)}" + (f"   threshold: {m.threshold:g}" if m.threshold is not None else ""), ""]
    lines += [
        "## Confusion matrix (rows: true class, columns: predicted)"
        if markdown
        else "Confusion matrix (rows: true class, columns: predicted)",
        "",
    ]
    header = ["true \\ predicted", *m.classes]
    lines += _table(
        header, [[name, *[str(int(c)) for c in row]] for name, row in zip(m.classes, m.confusion)], markdown
    )
    lines += ["", "## Per class" if markdown else "Per class", ""]
    auc = m.roc_auc_per_class
    rows = [
        [
            name,
            _f(d["precision"]),
            _f(d["recall"]),
            _f(d["f1"]),
            str(d["support"]),
            _f(auc.get(name, math.nan)) if not m.binary else "",
        ]
        for name, d in m.per_class.items()
    ]
    cols = ["class", "precision", "recall", "F1", "support"] + ([] if m.binary else ["ROC AUC"])
    lines += _table(cols, [r[: len(cols)] for r in rows], markdown)
    lines += ["", "## Averages" if markdown else "Averages", ""]
    lines += _table(
        ["average", "precision", "recall", "F1"],
        [
            [k, _f(d["precision"]), _f(d["recall"]), _f(d["f1"])]
            for k, d in (("macro", m.macro_avg), ("weighted", m.weighted_avg))
        ],
        markdown,
    )
    lines.append("")
    roc = m.roc_auc
    if isinstance(roc, float):
        lines.append(
            f"ROC AUC ({m.classes[1]} positive): {_f(roc)}   average precision: {_f(m.macro_average_precision)}"
        )
    else:
        lines.append(
            f"ROC AUC (one-vs-rest, macro): {_f(roc['macro'])}   average precision (macro): "
            f"{_f(m.macro_average_precision)}"
        )
    if m.top_k_accuracy:
        lines.append("top-k accuracy: " + ", ".join(f"top-{k} {_f(v)}" for k, v in m.top_k_accuracy.items()))
    return "\n".join(lines) + "\n"


def _f(v: float) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.4f}"


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        esc = [[c.replace("|", "\\|") for c in r] for r in [header, *rows]]
        return [
            "| " + " | ".join(esc[0]) + " |",
            "|" + "|".join("---" for _ in header) + "|",
            *["| " + " | ".join(r) + " |" for r in esc[1:]],
        ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    return [line(header), *[line(r) for r in rows]]


# --------------------------------------------------------------------------- HTML


def _img(rgb: np.ndarray, alt: str) -> str:
    data = base64.b64encode(png.encode_png(rgb)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _legend(names: list[str], values: dict[str, float], label: str) -> str:
    items = [
        f'<span class="key"><i style="background:{png.color_hex(i)}"></i>{html.escape(n)} '
        f"({label} {_f(values.get(n, math.nan))})</span>"
        for i, n in enumerate(names)
    ]
    return '<div class="legend">' + " ".join(items) + "</div>"


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


CSS = (
    "body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
    ".plots{display:flex;flex-wrap:wrap;gap:24px}.plots figure{margin:0}figcaption{font-weight:600}"
    ".legend{max-width:420px;font-size:13px}.key{display:inline-block;margin-right:10px}"
    ".key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}"
)


def to_html(ev: Evaluation, title: str = "") -> str:
    p, m = ev.predictions, ev.metrics
    text_title = html.escape(title or "NeuroEdit evaluation")
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{text_title}</title>",
        f"<style>{CSS}</style></head><body><h1>{text_title}</h1>",
        (
            f"<p>{html.escape(_split(p.split))} split, {len(p)} samples of {html.escape(p.dataset)}; "
            f"loss {_f(p.loss)}</p>"
        ),
    ]
    if isinstance(m, RegressionMetrics):
        parts.append(
            _html_table(
                ["metric", "value"], [["MAE", _f(m.mae)], ["MSE", _f(m.mse)], ["RMSE", _f(m.rmse)], ["R²", _f(m.r2)]]
            )
        )
        parts.append(
            '<div class="plots"><figure><figcaption>Predicted (y) against true (x)</figcaption>'
            + _img(png.scatter_chart(m.y_true[:, 0], m.y_pred[:, 0]), "predicted against true")
            + "</figure></div>"
        )
        return "".join(parts) + "</body></html>\n"
    parts.append(
        f"<p>accuracy {_f(m.accuracy)}, log loss {_f(m.log_loss)}"
        + (f", threshold {m.threshold:g}" if m.threshold is not None else "")
        + "</p>"
    )
    parts.append("<h2>Confusion matrix</h2><p>rows: true class, columns: predicted class</p>")
    parts.append(
        _html_table(
            ["true \\ predicted", *m.classes],
            [[n, *[str(int(c)) for c in row]] for n, row in zip(m.classes, m.confusion)],
        )
    )
    names = list(m.roc)
    colors = [png.PALETTE[i % len(png.PALETTE)] for i in range(len(names))]
    parts.append('<div class="plots">')
    parts.append(
        "<figure><figcaption>Heat map (row-normalised)</figcaption>"
        + _img(png.heatmap(m.confusion, normalized=True, cell=44 if len(m.classes) <= 12 else 24), "confusion matrix")
        + "</figure>"
    )
    parts.append(
        "<figure><figcaption>ROC curve (x: false-positive rate, y: true-positive rate)</figcaption>"
        + _img(png.line_chart([m.roc[n][:2] for n in names], colors, diagonal=True), "ROC curve")
        + _legend(names, m.roc_auc_per_class, "AUC")
        + "</figure>"
    )
    parts.append(
        "<figure><figcaption>Precision–recall curve (x: recall, y: precision)</figcaption>"
        + _img(png.line_chart([m.pr[n][:2] for n in names], colors), "precision-recall curve")
        + _legend(names, m.average_precision, "AP")
        + "</figure></div>"
    )
    parts.append("<h2>Per class</h2>")
    parts.append(
        _html_table(
            ["class", "precision", "recall", "F1", "support", "ROC AUC"],
            [
                [
                    n,
                    _f(d["precision"]),
                    _f(d["recall"]),
                    _f(d["f1"]),
                    str(d["support"]),
                    _f(m.roc_auc_per_class.get(n, math.nan)),
                ]
                for n, d in m.per_class.items()
            ],
        )
    )
    parts.append(
        _html_table(
            ["average", "precision", "recall", "F1"],
            [
                [k, _f(d["precision"]), _f(d["recall"]), _f(d["f1"])]
                for k, d in (("macro", m.macro_avg), ("weighted", m.weighted_avg))
            ],
        )
    )
    roc = m.roc_auc
    parts.append(f"<p>ROC AUC: {_f(roc) if isinstance(roc, float) else _f(roc['macro']) + ' (macro, one-vs-rest)'}</p>")
    return "".join(parts) + "</body></html>\n"


# --------------------------------------------------------------------------- per-sample CSV


def predictions_csv_rows(ev: Evaluation, threshold: float | None = None) -> tuple[list[str], list[list[Any]]]:
    """Columns index, true, predicted, p_<class>... (classification) or true_<y>, predicted_<y> (regression), loss."""
    from .metrics import predicted_classes

    p = ev.predictions
    if p.proba is not None:
        names = p.class_names
        pred = predicted_classes(p.proba, threshold)
        header = ["index", "true", "predicted", *[f"p_{n}" for n in names], "loss"]
        rows = [
            [i, names[t], names[q], *[f"{v:.6g}" for v in probs], f"{loss:.6g}"]
            for i, (t, q, probs, loss) in enumerate(zip(p.y_true, pred, p.proba, p.sample_loss))
        ]
        return header, rows
    outs = p.output_names
    if len(outs) == 1:
        header = ["index", "true", "predicted", "loss"]
    else:
        header = ["index", *[f"true_{n}" for n in outs], *[f"predicted_{n}" for n in outs], "loss"]
    rows = [
        [i, *[f"{v:.6g}" for v in t], *[f"{v:.6g}" for v in q], f"{loss:.6g}"]
        for i, (t, q, loss) in enumerate(zip(p.y_true, p.outputs, p.sample_loss))
    ]
    return header, rows
