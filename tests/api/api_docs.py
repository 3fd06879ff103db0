"""Small documents for the API tests, built as a chain of named nodes."""

from __future__ import annotations

import itertools
from typing import Any

from neuroedit.model import Document


def chain_doc(*nodes: tuple[str, str, dict[str, Any]]) -> Document:
    """Nodes (id, type, params) added in order, each wired to the next."""
    doc = Document()
    for node_id, type_name, params in nodes:
        doc.add_node(type_name, params, node_id=node_id)
    for (src, _, _), (dst, _, _) in itertools.pairwise(nodes):
        doc.connect(src, dst)
    return doc
