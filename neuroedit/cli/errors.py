"""The one exception type the CLI turns into a one-line message and an exit code."""

EXIT_USAGE = 2  # bad arguments, unreadable files, unusable data, impossible networks


class CliError(Exception):
    """An expected failure; its message is folded onto one line (wrapped library messages included)."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(" ".join(str(message).split()))
        self.exit_code = exit_code
