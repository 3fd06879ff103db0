"""Live training in the editor: worker thread, controls, live plots, decision boundaries, weights on the canvas."""


def attach_training(window):
    """Add the Training panel, the dashboards and the canvas overlays to a MainWindow (imported lazily)."""
    from .attach import attach_training as attach

    return attach(window)


__all__ = ["attach_training"]
