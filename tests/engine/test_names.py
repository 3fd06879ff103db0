"""The engine implements exactly the names the document model offers."""

from neuroedit.engine import names, spec
from neuroedit.model import catalog
from neuroedit.model.nodetypes import REGISTRY


def test_names_match_the_catalog():
    assert set(names.ACTIVATIONS) == set(catalog.ACTIVATIONS)
    assert set(names.LOSSES) == set(catalog.LOSSES)
    assert set(names.INITIALIZERS) == set(catalog.INITIALIZERS)
    assert set(names.OPTIMIZERS) == set(catalog.OPTIMIZERS)
    assert set(names.SCHEDULES) == set(catalog.SCHEDULES)


def test_every_node_type_is_an_op_type():
    assert set(spec.OP_TYPES) == set(REGISTRY)


def test_classification_losses_agree():
    assert set(names.CLASSIFICATION_LOSSES) == set(catalog.CLASSIFICATION_LOSSES)
