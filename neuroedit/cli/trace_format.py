"""A walk-through (and a gradient check) as tables: aligned Unicode text, GitHub Markdown, or LaTeX.

One table per phase (forward, loss, backward, update); one row per formula:
the step, the quantity, the working with numbers, the value, and any note.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from ..api.gradcheck import GradCheck
from ..api.walkthrough import PHASES, Walkthrough
from ..api.walkthrough.format import NumberFormat, latex_escape, latex_text, markdown_escape

FORMATS = ("text", "markdown", "latex")
PHASE_TITLES = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass (chain rule)", "update": "Update"}
HEADERS = {
    "forward": ("#", "Step", "Quantity", "Formula", "Value"),
    "loss": ("#", "Step", "Quantity", "Formula", "Value"),
    "backward": ("#", "Step", "Gradient", "Chain rule", "Value"),
    "update": ("#", "Step", "Weight", "Old value - change", "New value"),
}


def width(text: str) -> int:
    """Columns a string takes in a terminal (combining accents take none)."""
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def headers(w: Walkthrough, phase: str) -> tuple[str, ...]:
    """Column titles; an optimizer with state writes its rule out, so the update's working is more than a change."""
    if phase == "update" and w.optimizer != "sgd":
        return ("#", "Step", "Quantity", "Rule with numbers", "New value")
    return HEADERS[phase]


def _rows(w: Walkthrough, phase: str, fmt: str) -> tuple[list[list[str]], bool]:
    """Table rows of one phase and whether any row has a note."""
    rows: list[list[str]] = []
    any_note = False
    for step in w.phase(phase):
        first = True
        title = (
            step.title
            if fmt == "text"
            else markdown_escape(step.title)
            if fmt == "markdown"
            else latex_text(step.title)
        )
        notes = list(step.notes)
        if not step.formulas:
            rows.append([str(step.index + 1), title, "", "", "", _note(" ".join(notes), fmt)])
            any_note = any_note or bool(notes)
            continue
        for f in step.formulas:
            value = "" if np.isnan(f.value) else w.number(f.value)
            if fmt == "latex":
                formula, value = f"${f.render('latex', w.number)}$", ""
                quantity = ""
            else:
                formula = f.working(fmt, w.number)
                quantity = f.quantity(fmt)
                value = markdown_escape(value) if fmt == "markdown" else value
            note = " ".join([*notes, f.note]) if first else f.note
            any_note = any_note or bool(note)
            rows.append(
                [
                    str(step.index + 1) if first else "",
                    title if first else "",
                    quantity,
                    formula,
                    value,
                    _note(note, fmt),
                ]
            )
            first = False
    return rows, any_note


def _note(note: str, fmt: str) -> str:
    if fmt == "markdown":
        return markdown_escape(note)
    if fmt == "latex":
        return latex_text(note)
    return note


def header_line(w: Walkthrough, file_label: str) -> str:
    target = "none" if w.target is None else ", ".join(w.number(v) for v in np.ravel(w.target))
    return (
        f"NeuroEdit trace of {file_label}: {w.source}, target {target}; loss {w.graph.loss_name}; "
        f"{w.optimizer} ({w.optimizer_rule}), learning rate η = {w.number(w.learning_rate)}"
    )


def format_walkthrough(w: Walkthrough, fmt: str = "text", file_label: str = "") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    parts = []
    head = header_line(w, file_label)
    if fmt == "text":
        parts.append(head)
    elif fmt == "markdown":
        parts.append(f"**{markdown_escape(head)}**")
    else:
        parts.append(
            "% NeuroEdit trace (LaTeX fragment; needs \\usepackage{amsmath,longtable})\n"
            f"{{\\sloppy\\noindent\\textbf{{{latex_text(head)}}}\\par}}"
        )
    for phase in PHASES:
        rows, any_note = _rows(w, phase, fmt)
        if not rows:
            continue
        titles = list(headers(w, phase)) + (["Note"] if any_note else [])
        rows = [r if any_note else r[:-1] for r in rows]
        if fmt == "text":
            parts.append(text_table(PHASE_TITLES[phase], titles, rows))
        elif fmt == "markdown":
            parts.append(markdown_table(PHASE_TITLES[phase], titles, rows, right=(0, 4)))
        else:
            parts.append(
                latex_table(
                    PHASE_TITLES[phase],
                    [titles[0], titles[1], "Formula"] + (["Note"] if any_note else []),
                    [[r[0], r[1], r[3]] + (r[5:6] if any_note else []) for r in rows],
                    widths={1: 0.2, 2: 0.42 if any_note else 0.62, 3: 0.18},
                )
            )
    return "\n\n".join(parts) + "\n"


def format_gradcheck(r: GradCheck, fmt: str = "text", number: NumberFormat | None = None) -> str:
    """The check as a table; backprop and numeric values with `number`'s decimals (--digits)."""
    number = number or NumberFormat(6)
    headers = ["Node", "Parameter", "Index", "Backprop", "Numeric", "Rel. error", "Flag"]
    rows = []
    for row in r.rows:
        flag = f"> {r.threshold:g}" if row.flagged else "ok"
        rows.append(
            [
                row.node,
                row.param,
                ",".join(str(i) for i in row.index),
                number(row.backprop),
                number(row.numeric),
                f"{row.rel_err:.1e}",
                flag,
            ]
        )
    title = "Gradient check (central differences, float64)"
    summary = (
        f"{len(r.rows)} elements checked with h = {r.h:g}; largest relative error {r.max_rel_err:.1e}; "
        f"{len(r.flagged)} flagged above {r.threshold:g}"
    )
    notes = [summary, *r.sampled_notes()]
    if fmt == "text":
        return text_table(title, headers, rows) + "\n" + "\n".join(notes) + "\n"
    if fmt == "markdown":
        md_rows = [[markdown_escape(c) for c in row] for row in rows]
        return (
            markdown_table(title, headers, md_rows, right=(3, 4, 5))
            + "\n\n"
            + "\n".join(markdown_escape(n) + "  " for n in notes)
            + "\n"
        )
    tex_rows = [
        [f"\\texttt{{{latex_escape(c)}}}" if k < 2 else latex_escape(c).replace(">", "$>$") for k, c in enumerate(row)]
        for row in rows
    ]
    return latex_table(title, headers, tex_rows) + "\n" + "\n".join(latex_text(n) + r"\\" for n in notes) + "\n"


# ---------------------------------------------------------------------- table writers
def text_table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    widths = [max([width(h)] + [width(r[k]) for r in rows]) for k, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return " │ ".join(c + " " * (widths[k] - width(c)) for k, c in enumerate(cells)).rstrip()

    out = [title, line(headers), "─┼─".join("─" * wd for wd in widths)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def markdown_table(title: str, headers: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> str:
    """A GitHub table; cells must already be escaped. Every row has exactly len(headers) cells."""
    out = [
        f"### {markdown_escape(title)}",
        "",
        "| " + " | ".join(markdown_escape(h) for h in headers) + " |",
        "|" + "|".join("---:" if k in right else "---" for k in range(len(headers))) + "|",
    ]
    out += ["| " + " | ".join(c.replace("\n", " ") for c in r) + " |" for r in rows]
    return "\n".join(out)


def latex_table(title: str, headers: list[str], rows: list[list[str]], widths: dict[int, float] | None = None) -> str:
    """A `longtable` (breaks across pages) under a starred subsection; cells must already be LaTeX.

    Columns in `widths` are paragraph columns of that fraction of the line, so long titles, formulas
    (inline math breaks after its operators) and notes wrap instead of running off the page.
    """
    widths = widths or {}
    spec = "".join(
        f"p{{{widths[k]:g}\\linewidth}}" if k in widths else ("r" if k == 0 else "l") for k in range(len(headers))
    )
    head = " & ".join(latex_text(h) for h in headers) + r" \\"
    out = [
        f"\\subsection*{{{latex_text(title)}}}",
        f"\\begin{{longtable}}{{{spec}}}",
        "\\hline",
        head,
        "\\hline",
        "\\endhead",
    ]
    out += [" & ".join(r) + r" \\" for r in rows]
    out += ["\\hline", "\\end{longtable}"]
    return "\n".join(out)
