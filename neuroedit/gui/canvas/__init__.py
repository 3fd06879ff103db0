"""The network canvas: a QGraphicsScene that mirrors a Document and a view to look at it."""

from .scene import GraphScene, WireStyle
from .view import Canvas

__all__ = ["Canvas", "GraphScene", "WireStyle"]
