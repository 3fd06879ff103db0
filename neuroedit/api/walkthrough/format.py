"""Formulas as structured pieces, rendered as Unicode text, Markdown or LaTeX with numbers plugged in.

A formula is `lhs REL side1 = side2 = ...` (REL is `=` or `←`); every side is a flat
list of pieces (symbols, numbers, operators, function names, brackets, derivatives).
The GUI can draw the pieces itself or show one of the rendered strings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Unicode subscript digits for text symbols such as w₁₂.
_SUB = str.maketrans("0123456789,ijk", "₀₁₂₃₄₅₆₇₈₉,ᵢⱼₖ")
_SUP = str.maketrans("0123456789t+", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵗ⁺")
# Function names as LaTeX commands (others are set with \operatorname).
_LATEX_FN = {"σ": r"\sigma", "ln": r"\ln", "exp": r"\exp", "tanh": r"\tanh", "max": r"\max", "Σ": r"\sum"}
_LATEX_OP = {
    "·": r"\cdot",
    "←": r"\leftarrow",
    "−": "-",
    "≥": r"\geq",
    "<": "<",
    "/": "/",
    "+": "+",
    "-": "-",
    "=": "=",
    "≈": r"\approx",
    "|": "|",
    ",": ",",
    ">": ">",
    "≤": r"\leq",
}
_BINARY = {"+", "-", "·", "/", "−"}


@dataclass(frozen=True)
class NumberFormat:
    """`digits` decimals (the slides' 0.475, 0.644, -0.338); tiny numbers keep `digits` significant digits."""

    digits: int = 3

    def __call__(self, value: float) -> str:
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        if v == 0:
            return "0"
        if abs(v) < 10**-self.digits:
            text = f"{v:.{self.digits}g}"
            return text.replace("e-0", "e-")
        text = f"{v:.{self.digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Sym:
    """A symbol: `base` with an optional subscript (1-based indices, as on the slides) and decorations."""

    base: str
    sub: str = ""
    hat: bool = False

    def text(self) -> str:
        base = self.base + ("\u0302" if self.hat else "")
        if not self.sub:
            return base
        if all(c in "0123456789,ijk" for c in self.sub) and not any(len(p) > 1 for p in self.sub.split(",")):
            return base + self.sub.replace(",", "").translate(_SUB)
        return f"{base}[{self.sub}]"

    def latex(self) -> str:
        base = _GREEK.get(self.base) or (
            self.base if len(self.base) == 1 and self.base.isascii() else r"\mathit{" + latex_escape(self.base) + "}"
        )
        if self.hat:
            base = r"\hat{" + base + "}"
        sub = "".join("{" + _GREEK[c] + "}" if c in _GREEK else c for c in self.sub.replace("…", r"\dots"))
        return base + ("_{" + sub + "}" if sub else "")  # BatchNorm's γ and β name their Adam moments: m_{γ1}


@dataclass(frozen=True)
class Piece:
    """One token of a formula side.

    kind: sym | num | op | fn | open | close | deriv (dL/dz) | pderiv (∂a/∂z) | sup (²) | text.
    """

    kind: str
    text: str = ""
    value: float = 0.0
    sym: Sym | None = None
    den: Sym | None = None  # the "with respect to" symbol of a derivative
    tex: str = ""  # LaTeX for a text piece (else its text, escaped)


def S(base: str, sub: str = "", hat: bool = False) -> Piece:
    return Piece("sym", sym=Sym(base, sub, hat))


def SY(sym: Sym) -> Piece:
    return Piece("sym", sym=sym)


def N(value: float) -> Piece:
    return Piece("num", value=float(value))


def O(op: str) -> Piece:  # noqa: E743 (the formula vocabulary names its pieces by one capital)
    """An operator; `·` is tight (`0.75·0`), see M() for the spaced product of a chain rule."""
    return Piece("op", op)


def M() -> Piece:
    """The spaced product of a chain rule: `dL/da · σ'(z)`."""
    return Piece("op", "·", value=1.0)


def F(name: str) -> Piece:
    """A function name; the argument follows in brackets: F("σ"), P("("), ..., P(")")."""
    return Piece("fn", name)


def P(bracket: str) -> Piece:
    return Piece("open" if bracket in "([{" else "close", bracket)


def D(of: Sym, wrt: Sym) -> Piece:
    """The derivative d(of)/d(wrt)."""
    return Piece("deriv", sym=of, den=wrt)


def T(text: str, tex: str = "") -> Piece:
    """Words inside a formula; `tex` is their LaTeX (math mode) when plain escaping is not enough."""
    return Piece("text", text, tex=tex)


def PD(of: Sym, wrt: Sym) -> Piece:
    """A local (partial) derivative ∂of/∂wrt of one operation."""
    return Piece("pderiv", sym=of, den=wrt)


def SQ() -> Piece:
    """A superscript 2 after the preceding operand: `m²`, `(-3)²`."""
    return Piece("sup", "2")


def call(name: str, *args: Piece) -> list[Piece]:
    return [F(name), P("("), *args, P(")")]


def joined(items: list[list[Piece]], op: str) -> list[Piece]:
    out: list[Piece] = []
    for k, item in enumerate(items):
        if k:
            out.append(O(op))
        out.extend(item)
    return out


@dataclass(frozen=True)
class Formula:
    """`lhs rel sides[0] = sides[1] = ...`; `value` is the result (the last side's number)."""

    lhs: tuple[Piece, ...]
    sides: tuple[tuple[Piece, ...], ...]
    value: float
    rel: str = "="
    note: str = ""

    @staticmethod
    def make(lhs: list[Piece], *sides: list[Piece], value: float, rel: str = "=", note: str = "") -> Formula:
        return Formula(tuple(lhs), tuple(tuple(s) for s in sides), float(value), rel, note)

    def render(self, fmt: str = "text", number: NumberFormat = NumberFormat()) -> str:
        """The whole formula in `fmt` ("text", "markdown" or "latex", the LaTeX without $ delimiters)."""
        parts = [render_side(self.lhs, fmt, number)]
        for k, side in enumerate(self.sides):
            rel = self.rel if k == 0 else "="
            parts.append(_op(rel, fmt))
            parts.append(render_side(side, fmt, number))
        return " ".join(parts)

    def text(self, number: NumberFormat = NumberFormat()) -> str:
        return self.render("text", number)

    def markdown(self, number: NumberFormat = NumberFormat()) -> str:
        return self.render("markdown", number)

    def latex(self, number: NumberFormat = NumberFormat()) -> str:
        return self.render("latex", number)

    def quantity(self, fmt: str = "text") -> str:
        """The left-hand side alone (a table's "quantity" column)."""
        return render_side(self.lhs, fmt)

    def working(self, fmt: str = "text", number: NumberFormat = NumberFormat()) -> str:
        """The sides between the quantity and its value (a table's "formula" column); "" when there are none."""
        sides = self.sides[:-1] if self.sides and _is_number(self.sides[-1]) else self.sides
        return " = ".join(render_side(side, fmt, number) for side in sides)


def _is_number(side: tuple[Piece, ...]) -> bool:
    return len(side) == 1 and side[0].kind == "num"


def _op(op: str, fmt: str) -> str:
    if fmt == "latex":
        return _LATEX_OP.get(op, op)
    return op


def render_side(side: tuple[Piece, ...] | list[Piece], fmt: str, number: NumberFormat = NumberFormat()) -> str:
    """One side of a formula; a negative number after a binary operator is bracketed: `0.5·0 + (-0.1)`."""
    out: list[str] = []
    prev: Piece | None = None
    roots: list[bool] = []  # per open bracket: is it the argument of √ (LaTeX: \sqrt{...})
    for p in side:
        unary = p.kind == "op" and p.text == "-" and (prev is None or prev.kind in ("open", "op"))
        if fmt == "latex" and p.kind == "fn" and p.text == "√":
            out.append(_gap(prev, p) + r"\sqrt")
        elif fmt == "latex" and p.kind == "open":
            roots.append(prev is not None and prev.kind == "fn" and prev.text == "√")
            out.append("{" if roots[-1] else _gap(prev, p) + _operand(p, prev, fmt, number))
        elif fmt == "latex" and p.kind == "close" and roots and roots.pop():
            out.append("}")
        elif unary:
            out.append("-")
        elif p.kind == "op":
            op = _op(p.text, fmt)
            tight = p.text == "/" or (p.text == "·" and not p.value)
            op = _escape_md(op, fmt)
            if fmt == "latex" and p.text == "/":
                op = r"/\allowbreak"  # a long quotient may wrap in a table cell
            out.append(", " if p.text == "," else op if tight and fmt != "latex" else f" {op} ")
        else:
            out.append(_gap(prev, p) + _operand(p, prev, fmt, number))
        prev = p
    return "".join(out).strip()


def _symbolic(p: Piece, fmt: str) -> str:
    """A symbol, or a derivative of one symbol with respect to another."""
    latex = fmt == "latex"
    if p.sym is None:
        raise ValueError(f"a {p.kind} piece needs a symbol")
    if p.kind == "sym":
        return p.sym.latex() if latex else _escape_md(p.sym.text(), fmt)
    if p.den is None:
        raise ValueError(f"a {p.kind} piece needs the symbol it is taken with respect to")
    if p.kind == "pderiv":
        if latex:
            return r"\partial " + p.sym.latex() + r"/\partial " + p.den.latex()
        return _escape_md(f"∂{p.sym.text()}/∂{p.den.text()}", fmt)
    if latex:  # slash form: stays legible inline, in table rows
        return r"\mathrm{d}" + p.sym.latex() + r"/\mathrm{d}" + p.den.latex()
    return _escape_md(f"d{p.sym.text()}/d{p.den.text()}", fmt)


def _operand(p: Piece, prev: Piece | None, fmt: str, number: NumberFormat) -> str:
    latex = fmt == "latex"
    if p.kind == "num":
        s = number(p.value)
        if latex:
            s = s.replace("∞", r"\infty").replace("NaN", r"\mathrm{NaN}")
            s = re.sub(r"e([+-]?)0*(\d+)$", lambda e: r"\cdot 10^{" + e.group(1).replace("+", "") + e.group(2) + "}", s)
        if p.value < 0 and prev is not None and prev.kind == "op" and prev.text in _BINARY:
            return rf"\left({s}\right)" if latex else f"({s})"
        return s
    if p.kind in ("sym", "pderiv", "deriv"):
        return _symbolic(p, fmt)
    if p.kind == "fn":
        if not latex:
            return _escape_md(p.text, fmt)
        bare = p.text.rstrip("'")
        return _LATEX_FN.get(bare, r"\operatorname{" + latex_escape(bare) + "}") + "'" * (len(p.text) - len(bare))
    if p.kind == "open":
        return r"\left" + _latex_bracket(p.text) if latex else _escape_md(p.text, fmt)
    if p.kind == "close":
        return r"\right" + _latex_bracket(p.text) if latex else _escape_md(p.text, fmt)
    if p.kind == "sup":
        return "^{" + p.text + "}" if latex else p.text.translate(_SUP)
    if latex:
        return p.tex or r"\text{" + latex_text(p.text) + "}"
    return _escape_md(p.text, fmt)


def _gap(prev: Piece | None, p: Piece) -> str:
    """A space between adjacent operands only around words (`0.249 (from dense_2)`)."""
    if prev is None or prev.kind in ("op", "open", "fn"):
        return ""
    if p.kind in ("close", "sup"):
        return ""
    return " " if "text" in (p.kind, prev.kind) else ""


def _latex_bracket(b: str) -> str:
    return {"{": r"\{", "}": r"\}"}.get(b, b)


_MD_SPECIAL = {"|": r"\|", "*": r"\*", "_": r"\_", "`": r"\`", "<": "&lt;", ">": "&gt;", "[": r"\[", "]": r"\]"}


def _escape_md(text: str, fmt: str) -> str:
    return markdown_escape(text) if fmt == "markdown" else text


def markdown_escape(text: str) -> str:
    """Escape what GitHub Markdown would read as table cells, emphasis, code, links or HTML."""
    return "".join(_MD_SPECIAL.get(c, c) for c in str(text))


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Text safe inside LaTeX (text mode and \\mathit/\\text arguments)."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in str(text))


_GREEK = {
    "δᵒᵘᵗ": r"\delta^{\mathrm{out}}",
    "δʰⁱᵈ": r"\delta^{\mathrm{hid}}",
    "δ": r"\delta",
    "σ": r"\sigma",
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "η": r"\eta",
    "μ": r"\mu",
    "ρ": r"\rho",
    "ε": r"\varepsilon",
    "λ": r"\lambda",
    "Δ": r"\Delta",
    "Σ": r"\Sigma",
    "ŷ": r"\hat{y}",
    "ℓ": r"\ell",
}
# Unicode that titles and notes use, as LaTeX (text mode); everything else non-ASCII becomes "?".
_TEXT_MATH = {
    **{k: f"${v}$" for k, v in _GREEK.items()},
    "←": r"$\leftarrow$",
    "→": r"$\to$",
    "·": r"$\cdot$",
    "…": r"\dots{}",
    "²": r"$^2$",
    "√": r"$\surd$",
    "∂": r"$\partial$",
    "≥": r"$\geq$",
    "±": r"$\pm$",
    "∞": r"$\infty$",
    "−": "$-$",
    "ⱼ": "$_j$",
    "ᵢ": "$_i$",
    "ₖ": "$_k$",
    **{c: f"$^{l}$" for c, l in zip("ᵒᵘᵗʰⁱᵈ⁺", "outhid+")},
    **{d: f"$_{i}$" for i, d in enumerate("₀₁₂₃₄₅₆₇₈₉")},
    **{d: f"$^{i}$" for i, d in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
}


def latex_text(text: str) -> str:
    """Titles and notes as LaTeX text: specials escaped, Greek letters and arrows as math; ASCII only."""
    out = []
    text = str(text)
    for k, c in enumerate(text):
        if c == "\u0302":  # combining hat: already part of the previous character
            continue
        if c == "-" and _is_minus(text, k):
            out.append("$-$")
            continue
        if k + 1 < len(text) and text[k + 1] == "\u0302" and c.isascii() and c.isalpha():
            out.append(rf"$\hat{{{c}}}$")
        elif c in _TEXT_MATH:
            out.append(_TEXT_MATH[c])
        elif c in "_/:":  # file names, ids and data specs may break here
            out.append(_LATEX_SPECIAL.get(c, c) + r"\allowbreak{}")
        elif c.isascii():
            out.append(_LATEX_SPECIAL.get(c, c))
        else:
            out.append("?")
    return re.sub(r"(?<!\\)\$\$", "", "".join(out))  # adjacent math pieces join: $\eta$$\cdot$ -> $\eta\cdot$


def _is_minus(text: str, k: int) -> bool:
    """A hyphen that stands for minus: between spaces (`w - η·g`) or before a number (`-0.1`), not in a word."""
    before = text[k - 1] if k else " "
    after = text[k + 1] if k + 1 < len(text) else " "
    return before in " ([=,;" and (after == " " or after.isdigit() or after == ".")
