"""The desktop editor (PySide6). The only package that imports Qt; it follows document events."""
