"""The one exception type for data problems: a user-facing message saying what and where."""


class DataError(ValueError):
    """A data set cannot be built: bad spec, unreadable file, bad cell, too large, ..."""
