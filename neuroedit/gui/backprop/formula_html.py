"""One walk-through step as rich text: the title, then every formula large, with the numbers plugged in.

Backward steps say how the chain rule reads; update steps name the optimizer's rule.
Plain Unicode (σ, ŷ, ∂, ←, subscripts) renders in any Qt font.
"""

from __future__ import annotations

import re
from html import escape

import numpy as np

from ...api.walkthrough import Step, Walkthrough

PHASE_TITLES = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass (chain rule)", "update": "Update"}
PHASE_COLORS = {"forward": "#1f6fd1", "loss": "#c8414b", "backward": "#b5267a", "update": "#2e7d32"}
PHASE_HINTS = {
    "forward": "Values flow along the arrows; each node uses only values already computed.",
    "loss": "The loss compares the network's output with the target.",
    "backward": "Against the arrows: gradient arriving × local derivative = gradient passed on "
    "(the forward values are reused).",
    "update": "Every weight takes one step against its gradient.",
}
SUMMARY_VALUES = 8


def step_html(w: Walkthrough, step: Step, dark: bool = False) -> str:
    color = PHASE_COLORS.get(step.phase, "#555")
    muted = "#9aa1b2" if dark else "#697084"
    text = "#e8eaf0" if dark else "#1d2230"
    phase = PHASE_TITLES.get(step.phase, step.phase)
    out = [
        f"<div style='color:{muted}; font-size:10pt'>"
        f"<span style='color:{color}; font-weight:bold'>{escape(phase)}</span>"
        f" · step {step.index + 1} of {len(w.steps)} · {escape(w.source)}</div>",
        f"<div style='font-size:13pt; font-weight:bold; color:{text}; margin-top:4px'>{escape(step.title)}</div>",
        "<div style='margin-top:8px'></div>",
    ]
    for f in step.formulas:
        quantity = hats(escape(f.quantity()))
        rest = hats(escape(f.text(w.number)[len(f.quantity()) :].lstrip()))
        out.append(
            f"<p style='font-size:17pt; color:{text}; margin:2px 0'>"
            f"<span style='color:{color}; font-weight:bold'>{quantity}</span> {rest}</p>"
        )
        if f.note:
            out.append(f"<p style='font-size:10pt; color:{muted}; margin:0 0 4px 24px'>{escape(f.note)}</p>")
    if step.phase == "loss" and w.target is not None:
        rows = [", ".join(w.number(v) for v in row[:SUMMARY_VALUES]) for row in np.asarray(w.target)]
        targets = rows[0] if len(rows) == 1 else "; ".join(f"sample {k + 1}: {r}" for k, r in enumerate(rows))
        out.append(f"<div style='font-size:12pt; color:{text}; margin-top:4px'>target y = {escape(targets)}</div>")
    if step.summary:
        out.append(_values_table(w, step, muted))
    for note in step.notes:
        out.append(f"<div style='color:{muted}; font-size:10pt; margin-top:4px'>{escape(note)}</div>")
    hint = PHASE_HINTS.get(step.phase, "")
    if step.phase == "update":
        hint += f" Rule: {w.optimizer_rule}, η = {w.number(w.learning_rate)}."
    out.append(f"<div style='color:{muted}; font-size:9.5pt; margin-top:10px'><i>{escape(hint)}</i></div>")
    return "".join(out)


def hats(html: str) -> str:
    """A letter with a combining hat (m̂, v̂) in a serif font: sans fonts of some Qt builds draw the hat a line too
    high, over the formula above."""
    return _HAT.sub(lambda m: f"<span style='font-family:\"DejaVu Serif\", serif'>{m.group(0)}</span>", html)


_HAT = re.compile("[A-Za-z]\u0302")


def _values_table(w: Walkthrough, step: Step, muted: str) -> str:
    rows = []
    for name, values in step.values.items():
        flat = np.asarray(values, dtype=np.float64).ravel()
        shown = ", ".join(w.number(v) for v in flat[:SUMMARY_VALUES])
        more = f", … ({flat.size - SUMMARY_VALUES} more)" if flat.size > SUMMARY_VALUES else ""
        rows.append(f"<tr><td style='color:{muted}'>{escape(name)}</td><td>{escape(shown + more)}</td></tr>")
    return "<table cellpadding='2' style='font-size:11pt'>" + "".join(rows) + "</table>" if rows else ""


def status_html(message: str) -> str:
    return f"<div style='font-size:12pt; color:#c8414b'>{escape(message)}</div>"
