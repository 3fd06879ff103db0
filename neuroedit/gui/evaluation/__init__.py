"""The Evaluation panel (confusion matrix, ROC/PR, threshold, samples) and the Runs panel (overlays, A/B, Compare)."""

from .attach import install_evaluation

__all__ = ["install_evaluation"]
