"""Node cards are drawn from pictures re-rendered a few at a time after a zoom, visible cards first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from neuroedit.gui.canvas import Canvas, GraphScene, card_pictures
from neuroedit.gui.theme import LIGHT
from neuroedit.model import Document


@pytest.fixture
def grid_view(qtbot):
    """40 cards in a 10 x 4 grid, 240 scene units apart, in an 800 x 500 view."""
    doc = Document()
    for i in range(40):
        doc.add_node("Dense", {"units": 4}, pos=((i % 10) * 240.0, (i // 10) * 160.0))
    scene = GraphScene(doc, LIGHT)
    view = Canvas(scene)
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    qtbot.waitExposed(view)
    return doc, scene, view


def _settle(view: Canvas) -> None:
    view.end_zoom_gesture()
    while view.graph.pictures.pending:
        before = view.graph.pictures.pending
        view.graph.pictures.render_slice()
        if view.graph.pictures.pending == before:
            break


def _on_screen(view: Canvas) -> set[str]:
    rect = view.mapToScene(view.viewport().rect()).boundingRect()
    return {i for i, card in view.graph.node_items.items() if card.sceneBoundingRect().intersects(rect)}


def test_zoom_keeps_pictures_until_the_gesture_settles_then_renders_sharp(grid_view):
    doc, scene, view = grid_view
    view.set_zoom(0.5)
    _settle(view)
    assert all(c.picture_scale == pytest.approx(0.5) for c in scene.node_items.values())
    view.set_zoom(0.8)
    assert scene.pictures.pending == 40
    assert all(c.picture_scale == pytest.approx(0.5) for c in scene.node_items.values())
    _settle(view)
    assert all(c.picture_scale == pytest.approx(0.8) for c in scene.node_items.values())


def test_one_slice_renders_cards_on_screen_first(grid_view, monkeypatch):
    doc, scene, view = grid_view
    view.set_zoom(0.5)
    _settle(view)
    view.centerOn(QPointF(0, 0))
    view.set_zoom(0.9)
    view.end_zoom_gesture()
    on_screen = _on_screen(view)
    assert 0 < len(on_screen) < 40
    monkeypatch.setattr(card_pictures, "SLICE_MS", 1e6)  # one slice may take all the cards it picks
    scene.pictures.render_slice()
    sharp = {i for i, c in scene.node_items.items() if c.picture_scale == pytest.approx(0.9)}
    assert sharp == on_screen


def test_zoomed_in_only_cards_on_screen_get_fine_pictures(grid_view):
    doc, scene, view = grid_view
    view.set_zoom(2.0)
    view.centerOn(QPointF(0, 0))
    _settle(view)
    on_screen = _on_screen(view)
    fine = {i for i, c in scene.node_items.items() if c.picture_scale == pytest.approx(2.0)}
    assert fine == on_screen and len(fine) < 40
    view.centerOn(QPointF(2160, 480))  # the far corner comes into view
    assert scene.pictures.pending
    _settle(view)
    assert all(scene.node_items[i].picture_scale == pytest.approx(2.0) for i in _on_screen(view))


def test_old_fine_pictures_off_screen_are_coarsened(grid_view, monkeypatch):
    doc, scene, view = grid_view
    monkeypatch.setattr(card_pictures, "MAX_BIG_PICTURES", 3)
    view.set_zoom(2.0)
    for x in range(0, 2400, 240):  # pan along the first row at 200 %
        view.centerOn(QPointF(x, 0))
        _settle(view)
    on_screen = _on_screen(view)
    fine_off_screen = [
        i
        for i, c in scene.node_items.items()
        if c.picture_scale > card_pictures.OFFSCREEN_MAX_SCALE and i not in on_screen
    ]
    assert len(fine_off_screen) <= 3
    assert all(scene.node_items[i].picture_scale == pytest.approx(2.0) for i in on_screen)


def test_an_edit_on_screen_renders_at_once_off_screen_soon(grid_view):
    doc, scene, view = grid_view
    view.set_zoom(1.0)
    view.centerOn(QPointF(0, 0))
    _settle(view)
    visible_id = next(iter(_on_screen(view)))
    hidden_id = next(i for i in doc.nodes if i not in _on_screen(view))
    before_visible = scene.node_items[visible_id]._picture.pixmap().cacheKey()
    before_hidden = scene.node_items[hidden_id]._picture.pixmap().cacheKey()
    doc.set_param(visible_id, "units", 7)
    doc.set_param(hidden_id, "units", 9)
    assert scene.node_items[visible_id]._picture.pixmap().cacheKey() != before_visible
    assert scene.node_items[hidden_id]._picture.pixmap().cacheKey() == before_hidden
    assert scene.pictures.pending == 1
    _settle(view)
    assert scene.node_items[hidden_id]._picture.pixmap().cacheKey() != before_hidden


def test_a_removed_card_leaves_the_queue(grid_view):
    doc, scene, view = grid_view
    view.set_zoom(0.7)
    assert scene.pictures.pending == 40
    doc.remove_nodes([next(iter(doc.nodes))])
    assert scene.pictures.pending == 39
    _settle(view)
    assert scene.pictures.pending == 0


def test_every_slice_renders_at_least_one_card(grid_view, monkeypatch):
    """Finding the cards on screen may take longer than a slice on a big graph: sharpening must still progress."""
    doc, scene, view = grid_view
    view.set_zoom(0.6)
    view.end_zoom_gesture()
    monkeypatch.setattr(card_pictures, "SLICE_MS", 0.0)
    before = scene.pictures.pending
    scene.pictures.render_slice()
    assert scene.pictures.pending == before - 1
