"""The document model: a Qt-free graph of nodes and edges with undo history and validation."""

from .analysis import Analysis, Problem, analyze
from .catalog import ACTIVATIONS, INITIALIZERS, LOSS_TARGETS, LOSSES, OPTIMIZERS, SCHEDULES
from .document import Document, Edge, EditError, Node
from .fitting import fitting_weights
from .nodetypes import GROUPS, REGISTRY, NodeType, ShapeError, WeightSpec, fmt_shape, node_type
from .params import ParamError, ParamSpec, PortSpec
from .settings import SETTINGS, SETTINGS_BY_NAME, default_settings
from .summary import SummaryRow, format_summary, summary_rows

__all__ = [
    "ACTIVATIONS",
    "GROUPS",
    "INITIALIZERS",
    "LOSSES",
    "LOSS_TARGETS",
    "OPTIMIZERS",
    "REGISTRY",
    "SCHEDULES",
    "SETTINGS",
    "SETTINGS_BY_NAME",
    "Analysis",
    "Document",
    "Edge",
    "EditError",
    "Node",
    "NodeType",
    "ParamError",
    "ParamSpec",
    "PortSpec",
    "Problem",
    "ShapeError",
    "SummaryRow",
    "WeightSpec",
    "analyze",
    "default_settings",
    "fitting_weights",
    "fmt_shape",
    "format_summary",
    "node_type",
    "summary_rows",
]
