"""The retrain report's figure: confusion matrices, precision-recall curves and score histograms, as PNG bytes."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from sklearn.metrics import precision_recall_curve


def _confusion(axes: Axes, title: str, labels: np.ndarray, scores: np.ndarray | None, threshold: float | None) -> None:
    axes.set_title(title)
    if scores is None or threshold is None:
        axes.text(0.5, 0.5, "no current model", ha="center", va="center")
        axes.set_axis_off()
        return
    predicted = (scores >= threshold).astype(int)
    matrix = np.array([[np.sum((labels == t) & (predicted == p)) for p in (0, 1)] for t in (0, 1)])
    axes.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    axes.set_xticks([0, 1], ["normal", "phishing"])
    axes.set_yticks([0, 1], ["normal", "phishing"])
    axes.set_xlabel(f"predicted (medium sensitivity, threshold {threshold:.3g})")
    axes.set_ylabel("true label")


def run_figure(
    labels: ArrayLike,
    candidate: np.ndarray,
    current: np.ndarray | None,
    title: str,
    thresholds: tuple[float, float | None],
) -> bytes:
    """Draw both models' phishing probabilities on the same held-out messages and return the PNG.

    ``thresholds`` are each model's own medium-sensitivity thresholds (candidate, current).
    """
    truth = np.asarray(labels, dtype=int)
    figure = Figure(figsize=(11, 9), layout="constrained")
    figure.suptitle(title)
    grid = figure.subplots(2, 2)
    _confusion(grid[0, 0], "candidate: confusion matrix", truth, candidate, thresholds[0])
    _confusion(grid[0, 1], "current: confusion matrix", truth, current, thresholds[1])

    curves = grid[1, 0]
    for name, values in (("candidate", candidate), ("current", current)):
        if values is not None:
            precision, recall, _ = precision_recall_curve(truth, values)
            curves.plot(recall, precision, label=name)
    curves.set(title="precision-recall", xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    curves.legend(loc="lower left")

    histogram = grid[1, 1]
    bins = np.linspace(0, 1, 41)
    histogram.hist(candidate[truth == 0], bins=bins, alpha=0.6, label="normal messages")
    histogram.hist(candidate[truth == 1], bins=bins, alpha=0.6, label="phishing messages")
    histogram.axvline(thresholds[0], color="black", linestyle="--", linewidth=1)
    histogram.set(title="candidate: score histogram", xlabel="phishing probability", ylabel="messages")
    histogram.set_yscale("log")
    histogram.legend(loc="upper center")

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
