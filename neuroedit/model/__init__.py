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
    "ACTIVATIONS", "INITIALIZERS", "LOSS_TARGETS", "LOSSES", "OPTIMIZERS", "SCHEDULES",
    "Analysis", "Problem", "analyze", "Document", "Edge", "EditError", "Node",
    "GROUPS", "REGISTRY", "NodeType", "ShapeError", "WeightSpec", "fmt_shape", "node_type",
    "ParamError", "ParamSpec", "PortSpec", "SETTINGS", "SETTINGS_BY_NAME", "default_settings",
    "SummaryRow", "format_summary", "summary_rows", "fitting_weights",
]
