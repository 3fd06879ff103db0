"""Data sets for NeuroEdit: built-in generators, CSV/NPZ/IDX import, splits and scaling.

NumPy only (no Qt, numba or neuroedit.model). Entry point: `load(spec, base_dir)`.
"""

from .csv_source import csv_preview
from .dataset import Dataset
from .errors import DataError
from .loader import SourceInfo, available_sources, load
from .record import check_dataset_record, dataset_record
from .references import file_reference, resolve_path, verify_reference
from .spec import Spec, canonical, format_spec, parse_spec
from .targets import LOSS_TARGETS, check_input_shape, format_shape, targets_for_loss

__all__ = [
    "LOSS_TARGETS",
    "DataError",
    "Dataset",
    "SourceInfo",
    "Spec",
    "available_sources",
    "canonical",
    "check_dataset_record",
    "check_input_shape",
    "csv_preview",
    "dataset_record",
    "file_reference",
    "format_shape",
    "format_spec",
    "load",
    "parse_spec",
    "resolve_path",
    "targets_for_loss",
    "verify_reference",
]
