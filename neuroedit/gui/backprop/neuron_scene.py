"""The neuron view's scene: every neuron a circle, every weight a line, mirroring the Document.

Structure follows `changed` (rebuilt once per burst of edits), line colours and widths
follow `weights_changed`, numbers and highlights follow the WalkthroughPlayer, and for 2-D inputs the
neurons' heat maps follow training's probes. All of it only while a view shows the scene: while
hidden (the Layer graph tab in front) events just mark the parts stale, and `catch_up` brings them
up to date once when a view is shown. A graph that would need more than MAX_DRAWN circles and
lines is not drawn: a message says so (unreadable, and seconds per rebuild). Clicking a weight
asks for a new value (`edit_requested`); the edit goes through `Document.set_weight_value`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsTextItem

from ...model import EditError, node_type
from ..binding import DocBinding
from .neuron_items import GRAD_COLOR, UPDATE_COLOR, LinkItem, MoreItem, NeuronItem, node_label_item_flags
from .neuron_layout import RADIUS, Link, NeuronLayout, drawn_size, neuron_layout
from .neuron_thumbs import HEAT_LEGEND, thumbnail, unit_maps
from .walkthrough_player import WalkthroughPlayer

CALM_LABELS = 3  # a node with more weight lines numbers only the current step's (the rest: hover)
MAX_DRAWN = 1500  # circles + lines; beyond this a fitted view is a grey blur and a rebuild stalls edits


class NeuronScene(QGraphicsScene):
    node_clicked = Signal(str)
    edit_requested = Signal(object, QPointF)  # Link, scene position of the click
    status_message = Signal(str)
    too_big_changed = Signal(bool)  # the graph went over (or back under) MAX_DRAWN

    def __init__(self, doc, player: WalkthroughPlayer, colors, parent=None) -> None:
        super().__init__(parent)
        self.colors = colors
        self.player = player
        self.layout = NeuronLayout()
        self.neurons: dict[tuple[str, int], NeuronItem] = {}
        self.links: list[LinkItem] = []
        self.selected: set[str] = set()
        self._numbers_cache: dict[int, dict] = {}
        self.plane = None  # probes.Plane of the running training (2-D inputs), else None
        self.boundary = None  # the latest probes.Boundary, None before training and after Reset
        self.too_big = ""  # the message shown instead of the neurons, "" when they are drawn
        self.rebuilds = 0  # how often the items were made (tests, benchmarks)
        self.spread = 1.0  # column gaps x this: the view widens them to fill a wide window
        self._thumbs_stale = False
        self._stale = {"structure"}  # parts behind the document: structure, weights, numbers, selection
        self._binding = DocBinding()
        self._rebuild_timer = QTimer(self, singleShot=True, interval=0)
        self._rebuild_timer.timeout.connect(self._rebuild_if_shown)
        player.changed.connect(self._walk_changed)
        player.step_changed.connect(lambda i: self.refresh_numbers())
        self.set_document(doc)

    # ---------------------------------------------------------------- document
    def set_document(self, doc) -> None:
        self.doc = doc
        ev = doc.events
        self._binding.bind(doc, [(ev.changed, self._structure_changed), (ev.weights_changed, self._weights_changed)])
        self._stale.add("structure")
        if self.on_screen():
            self.rebuild()

    def detach(self) -> None:
        """Stop following the document (the views are going; the Document may outlive them)."""
        self._binding.unbind()

    def on_screen(self) -> bool:
        return any(v.isVisible() for v in self.views())

    def _structure_changed(self, *args) -> None:
        """An edit: one rebuild per burst of edits (the timer), and none at all while no view shows the scene."""
        self._stale.add("structure")
        if self.on_screen():
            self._rebuild_timer.start()

    def _rebuild_if_shown(self) -> None:
        if self.on_screen():
            self.rebuild()

    def set_spread(self, spread: float) -> None:
        """Lay the columns out wider or narrower (the view's shape changed); one rebuild."""
        if abs(spread - self.spread) > 0.01:
            self.spread = spread
            self._structure_changed()

    def catch_up(self) -> None:
        """Bring every stale part up to date now (a view is being shown; tests): at most one rebuild."""
        if "structure" in self._stale:
            self.rebuild()
            return
        stale, self._stale = self._stale, set()
        if "weights" in stale:
            self._apply_weights()
        if "numbers" in stale:
            self._apply_numbers()
        if "selection" in stale:
            self._apply_selection()
        self.refresh_thumbnails()

    def flush(self) -> None:
        """Apply whatever is pending now, shown or not (tests)."""
        self.catch_up()

    def rebuild(self) -> None:
        self._rebuild_timer.stop()
        self._stale.clear()
        self.rebuilds += 1
        self.clear()
        self.neurons.clear()
        self.links.clear()
        self.layout = NeuronLayout()
        circles, lines = drawn_size(self.doc)
        was_too_big = bool(self.too_big)
        self.too_big = "" if circles + lines <= MAX_DRAWN else too_big_message(len(self.doc.nodes), circles, lines)
        if was_too_big != bool(self.too_big):
            self.too_big_changed.emit(bool(self.too_big))
        if self.too_big:
            self._message(self.too_big)
            self.setSceneRect(self.itemsBoundingRect().adjusted(-60, -40, 60, 40))
            return
        self.layout = lay = neuron_layout(self.doc, self.spread)
        for layer, (x, y) in lay.biases.items():
            item = NeuronItem(f"bias:{layer}", 0, "1", QColor("#8a93a6"), self.colors, square=True)
            item.setPos(x, y)
            self.addItem(item)
            self.neurons[(item.node, 0)] = item
            self._label(f"bias of {layer}", x, y - RADIUS - 16, small=True)
        for g in lay.nodes.values():
            fill = self._fill(g.type)
            for unit, y in zip(g.shown, g.ys):
                item = NeuronItem(g.node, unit, g.symbol, fill, self.colors)
                item.setPos(g.x, y)
                self.addItem(item)
                self.neurons[(g.node, unit)] = item
            if g.more_y is not None:
                more = MoreItem(g.hidden, self.colors)
                more.setPos(g.x, g.more_y)
                self.addItem(more)
            self._label(g.node, g.x, g.top - 18)
        at = {key: item.pos() for key, item in self.neurons.items()}  # bias items are keyed (bias:<layer>, 0)
        for link in lay.links:
            a, b = at.get((link.src, link.src_unit)), at.get((link.dst, link.dst_unit))
            if a is None or b is None:
                continue
            item = LinkItem(link, a, b, self.colors)
            dst = lay.nodes.get(link.dst)
            if dst is not None and len(dst.shown) > 1:  # labels of different target neurons do not collide
                item.label_at = 0.32 + 0.36 * dst.shown.index(link.dst_unit) / (len(dst.shown) - 1)
            self.addItem(item)
            self.links.append(item)
        self._apply_weights()
        self._apply_selection()
        self._apply_numbers()
        self._thumbs_stale = True
        self.refresh_thumbnails()
        self.setSceneRect(self.itemsBoundingRect().adjusted(-60, -40, 60, 40))

    def _message(self, text: str) -> None:
        item = QGraphicsTextItem()
        item.setPlainText(text)
        item.setTextWidth(420)
        item.setDefaultTextColor(self.colors.muted)
        item.setObjectName("too_big_message")
        self.addItem(item)

    def _label(self, text: str, x: float, y: float, small: bool = False) -> None:
        item = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setPointSizeF(8.0 if small else 9.5)
        font.setBold(not small)
        item.setFont(font)
        item.setBrush(QBrush(self.colors.muted if small else self.colors.text))
        node_label_item_flags(item)
        r = item.boundingRect()
        item.setPos(x - r.width() / 2, y - r.height() / 2)
        self.addItem(item)

    def _fill(self, type_name: str) -> QColor:
        try:
            group = node_type(type_name).group
        except KeyError:
            return QColor(self.colors.muted)
        return QColor(self.colors.groups.get(group, self.colors.muted))

    # ---------------------------------------------------------------- heat maps over the input plane
    def set_plane(self, plane) -> None:
        """A new training run's input plane (None: the input is not 2-D, so no neuron shows a map)."""
        self.plane = plane
        if plane is None:
            self.boundary = None
        self._thumbs_changed()

    def on_chunk(self, chunk) -> None:
        """Training's chunks: only those that carry a fresh probe (the worker throttles them) change anything."""
        if chunk.boundary is not None:
            self.boundary = chunk.boundary
            self._thumbs_changed()

    def clear_boundary(self, *args) -> None:
        """Reset or another document: the maps described weights that are gone."""
        if self.boundary is not None:
            self.boundary = None
            self._thumbs_changed()

    def _thumbs_changed(self) -> None:
        self._thumbs_stale = True
        self.refresh_thumbnails()

    def refresh_thumbnails(self) -> None:
        """Turn the latest maps into pictures, once per new probe and only while a view shows them."""
        if not self._thumbs_stale or not self.on_screen():
            return
        self._thumbs_stale = False
        maps = unit_maps(self.doc, self.layout, self.plane, self.boundary)
        for key, item in self.neurons.items():
            t = maps.get(key)
            item.set_thumbnail(None if t is None else thumbnail(t))

    # ---------------------------------------------------------------- weights
    def weight_value(self, link: Link) -> float | None:
        if link.weight is None:
            return None
        name, index = link.weight
        a = self.doc.weights.get(link.dst, {}).get(name)
        try:
            return float(np.asarray(a)[index]) if a is not None else None
        except (IndexError, TypeError, ValueError):
            return None

    def _deferred(self, part: str) -> bool:
        """True (and `part` marked stale) when no view shows the scene or a rebuild is due anyway."""
        if self.on_screen() and "structure" not in self._stale:
            return False
        self._stale.add(part)
        return True

    def _weights_changed(self, *args) -> None:
        if not self._deferred("weights"):
            self._apply_weights()

    def _apply_weights(self) -> None:
        values = [self.weight_value(item.link) for item in self.links]
        scale = max((abs(v) for v in values if v is not None), default=0.0)
        for item, v in zip(self.links, values):
            item.set_weight(v, abs(v) / scale if v is not None and scale > 0 else 0.0)

    def commit_weight(self, link: Link, text: str) -> bool:
        """The typed value becomes one undoable edit; a bad value is reported, nothing changes."""
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            self.status_message.emit(f"{text.strip()!r} is not a number")
            return False
        name, index = link.weight
        try:
            self.doc.set_weight_value(link.dst, name, index, value)
        except EditError as e:
            self.status_message.emit(str(e))
            return False
        return True

    # ---------------------------------------------------------------- selection (the layer graph's)
    def set_selected(self, node_ids) -> None:
        self.selected = set(node_ids)
        if not self._deferred("selection"):
            self._apply_selection()

    def _apply_selection(self) -> None:
        for (node, _), item in self.neurons.items():
            item.set_selected_ring(node in self.selected)

    def neurons_of(self, node_id: str) -> list[NeuronItem]:
        return [item for (node, _), item in self.neurons.items() if node == node_id]

    # ---------------------------------------------------------------- numbers from the walk-through
    def _walk_changed(self) -> None:
        self._numbers_cache.clear()
        self.refresh_numbers()

    def numbers(self, sample: int) -> dict:
        if sample not in self._numbers_cache:
            w = self.player.walk
            self._numbers_cache[sample] = w.nodes if sample == 0 else w.nodes_for(sample)
        return self._numbers_cache[sample]

    def refresh_numbers(self) -> None:
        if not self._deferred("numbers"):
            self._apply_numbers()

    def _apply_numbers(self) -> None:
        w, step, vis = self.player.walk, self.player.step, self.player.visible()
        if w is None or step is None or vis is None:
            for item in self.neurons.values():
                item.set_state("", "", False)
            for link in self.links:
                link.set_marks(False, "")
            return
        f, J = w.number, w.objective
        nodes = self.numbers(step.sample or 0)
        h = step.highlight
        for (node, unit), item in self.neurons.items():
            glow = node == h.node and (unit in h.units or (not h.units and not h.weights))
            if node.startswith("bias:"):
                item.set_state("", "", any(wt[0] == "bias" for wt in h.weights) and node[5:] == h.node)
                continue
            n = nodes.get(node)
            if n is None:  # the loss (or a node the walk does not know yet)
                is_loss = self.layout.nodes[node].type == "Loss"
                item.set_state(f(w.loss) if vis.loss and is_loss else "", "", glow)
                continue
            value = f(n.value.ravel()[unit]) if (node, unit) in vis.values else ""
            grad = f"∂{J} {f(n.grad.ravel()[unit])}" if (node, unit) in vis.grads and n.grad is not None else ""
            item.set_state(value, grad, glow)
        into: dict[str, int] = {}
        for item in self.links:
            if item.weighted:
                into[item.link.dst] = into.get(item.link.dst, 0) + 1
        for item in self.links:
            link = item.link
            src = link.src[5:] if link.src.startswith("bias:") else link.src
            on_weight = link.weight is not None and link.dst == h.node and link.weight in h.weights
            on_edge = (
                (src, link.dst) in h.edges
                and not link.src.startswith("bias:")
                and (link.dst != h.node or not h.units or link.dst_unit in h.units)
            )
            glow = on_weight or (on_edge and not (h.weights and link.dst == h.node))
            label, color = "", GRAD_COLOR
            key = (link.dst, link.weight)
            p = (
                w.nodes[link.dst].params.get(link.weight[0])
                if link.weight is not None and link.dst in w.nodes
                else None
            )
            if p is not None and (on_weight or into[link.dst] <= CALM_LABELS):
                idx = link.weight[1]
                if key in vis.updated:
                    label, color = f"{f(p.old[idx])} → {f(p.new[idx])}", UPDATE_COLOR
                elif key in vis.weight_grads:
                    label = f"∂{J}/∂w {f(p.grad[idx])}"
            into_current = (
                link.dst == h.node
                and (on_edge or link.src.startswith("bias:"))
                and (not h.units or link.dst_unit in h.units)
            )
            if (
                p is not None
                and not label
                and step.phase == "forward"
                and (into_current or (into[link.dst] <= CALM_LABELS and (link.dst, link.dst_unit) in vis.values))
            ):
                symbol = "b" if link.weight[0] == "bias" else "w"  # the weights of the sum computed now
                label, color = f"{symbol} {f(p.old[link.weight[1]])}", self.colors.text
            item.set_marks(glow, label, color)

    # ---------------------------------------------------------------- hover texts
    def neuron_tip(self, node: str, unit: int) -> str:
        item = self.neurons.get((node, unit))
        legend = f"\n\n{HEAT_LEGEND}" if item is not None and item.thumbnail is not None else ""
        return self._walk_tip(node, unit) + legend

    def _walk_tip(self, node: str, unit: int) -> str:
        self.player.fresh()
        w, step = self.player.walk, self.player.step
        if node.startswith("bias:"):
            return f"The always-on input 1 of {node[5:]}:\nits weights are the biases b (w₀ on the slides)."
        if w is None:
            return f"{node}, neuron {unit + 1}" + (f"\n{self.player.error}" if self.player.error else "")
        sample = (step.sample or 0) if step is not None else 0
        if node not in w.nodes:
            lines = [
                line for s in w.steps if s.node == node and s.phase == "loss" for line in s.lines("text", w.number)
            ]
            return "\n".join(lines) or node
        head = f"{node}, neuron {unit + 1} ({w.source}" + (f", sample {sample + 1})" if w.batch > 1 else ")")
        return head + "\n" + w.neuron_hover(node, unit, sample=sample)

    def weight_tip(self, link: Link) -> str:
        self.player.fresh()
        w = self.player.walk
        name, index = link.weight
        value = self.weight_value(link)
        tail = "\nClick to type a new value."
        if w is not None and link.dst in w.nodes and name in w.nodes[link.dst].params:
            return w.weight_hover(link.dst, name, index) + tail
        shown = "not set yet" if value is None else f"{value:.4g}"
        return f"{link.dst}.{name}[{', '.join(map(str, index))}] = {shown}" + tail


def too_big_message(nodes: int, circles: int, lines: int) -> str:
    return (
        f"Too big to draw as neurons: these {nodes:,} nodes need {circles:,} circles and {lines:,} lines "
        f"(the neuron view draws at most {MAX_DRAWN:,}; wide layers already show only their first "
        "neurons).\n\nThe neuron view is for small networks such as the course examples; "
        "edit and inspect this one in the Layer graph."
    )
