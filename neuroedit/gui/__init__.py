"""The desktop editor (PySide6). The only package that imports Qt; it follows document events."""

from .import_hook import skip_feature_scan

skip_feature_scan()
