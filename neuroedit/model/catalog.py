"""The one-line explanations of the course's names, shown in tooltips and the CLI.

The names and their order come from neuroedit/vocabulary.py; `_explain` refuses a list of
explanations that misses a name or adds one.
"""

from __future__ import annotations

from .. import vocabulary


def _explain(names: tuple[str, ...], text: dict[str, str]) -> dict[str, str]:
    """The explanations in the vocabulary's order; every name has exactly one."""
    if set(text) != set(names):
        raise ImportError(f"explanations and names differ: {sorted(set(text) ^ set(names))}")
    return {name: text[name] for name in names}


ACTIVATIONS: dict[str, str] = _explain(
    vocabulary.ACTIVATIONS,
    {
        "linear": "a = α·z (identity when α = 1); a stack of linear layers is still linear",
        "step": "Heaviside step: 1 if z > 0 else 0. Its gradient is zero almost everywhere, so backprop cannot learn through it",
        "sign": "sign(z) in {-1, 0, 1}. Its gradient is zero almost everywhere, so backprop cannot learn through it",
        "sigmoid": "σ(z) = 1 / (1 + e^-z), σ' = σ(1 - σ); saturates for large |z|",
        "tanh": "tanh(z) in (-1, 1), tanh' = 1 - tanh²; saturates for large |z|",
        "relu": "max(0, z); units whose z stays negative are 'dead' (zero gradient)",
        "leaky_relu": "z if z > 0 else α·z (α = 0.01 by default): no dead units",
        "elu": "z if z > 0 else α(e^z - 1)",
        "selu": "scaled ELU (λ ≈ 1.0507, α ≈ 1.6733): self-normalising",
        "swish": "z·σ(z) (also called SiLU)",
        "softplus": "ln(1 + e^z), a smooth ReLU",
        "softmax": "e^z_i / Σ_j e^z_j over the last axis: class probabilities that sum to 1",
    },
)

# Activations whose output saturates; the trainer reports the fraction of saturated units.
SATURATING = ("sigmoid", "tanh")

LOSSES: dict[str, str] = _explain(
    vocabulary.LOSSES,
    {
        "squared_error": "E = ½·Σ (ŷ - y)² per sample (the lectures' E), mean over the batch",
        "sum_squared_error": "Σ (ŷ - y)² per sample, mean over the batch",
        "mse": "mean squared error: mean (ŷ - y)² over outputs and batch",
        "mae": "mean absolute error: mean |ŷ - y|",
        "binary_crossentropy": "-[y·ln ŷ + (1 - y)·ln(1 - ŷ)] for outputs in (0, 1), targets 0/1",
        "categorical_crossentropy": "-Σ y·ln ŷ with one-hot targets over softmax outputs",
        "sparse_categorical_crossentropy": "-ln ŷ[class] with integer class targets over softmax outputs",
        "hinge": "binary hinge max(0, 1 - y·ŷ), targets -1/+1 (0/1 are mapped to -1/+1)",
        "multiclass_hinge": "Σ_{j≠y} max(0, s_j - s_y + 1) over class scores, integer class targets",
        "value": "no targets: minimise the input value itself (computation-graph exercises)",
    },
)

LOSS_TARGETS = vocabulary.LOSS_TARGETS
CLASSIFICATION_LOSSES = vocabulary.CLASSIFICATION_LOSSES

INITIALIZERS: dict[str, str] = _explain(
    vocabulary.INITIALIZERS,
    {
        "zeros": "all zeros: every unit stays identical, so hidden layers never break symmetry",
        "constant": "every value = c",
        "normal": "N(0, σ²); the lectures' small random init uses σ = 0.01",
        "uniform": "U(-r, r); the lectures use r = 0.3",
        "uniform_fan_in": "U(-3/√n, 3/√n), n = fan-in: for tanh with standardised inputs",
        "glorot_normal": "Xavier/Glorot: N(0, 2/(fan_in + fan_out)) truncated at 2σ as in Keras",
        "glorot_uniform": "Xavier/Glorot: U(±√(6/(fan_in + fan_out))), the Keras default",
        "he_normal": "He: N(0, 2/fan_in) truncated at 2σ, for ReLU",
        "he_uniform": "He: U(±√(6/fan_in)), for ReLU",
        "lecun_normal": "the lecture's 'Xavier' N(0, 1/m), m = fan-in (Keras's LeCun normal, truncated at 2σ)",
    },
)

OPTIMIZERS: dict[str, str] = _explain(
    vocabulary.OPTIMIZERS,
    {
        "sgd": "w ← w - η·g",
        "momentum": "v ← μ·v + g; w ← w - η·v",
        "nesterov": "momentum with the gradient taken at the look-ahead point w - η·μ·v",
        "adagrad": "per-weight step η/√(Σg² + ε)",
        "rmsprop": "s ← β·s + (1-β)·g²; w ← w - η·g/√(s + ε)",
        "adadelta": "step scaled by the ratio of running RMS of updates and gradients",
        "adam": "momentum + RMSProp with bias correction",
        "adamw": "Adam with decoupled weight decay",
        "nadam": "Adam with Nesterov momentum",
        "vario_eta": "step scaled by 1/σ of the per-pattern gradients in the batch",
    },
)

SCHEDULES: dict[str, str] = _explain(
    vocabulary.SCHEDULES,
    {
        "constant": "η stays at its initial value",
        "step": "η ← η·factor every k epochs",
        "linear": "η falls linearly from η₀ to η_T at iteration T, then stays",
        "exponential": "η = η₀·e^(-γ·k) at iteration k",
        "one_cycle": "η rises to η_max over the first part of training, then falls below η₀",
        "reduce_on_plateau": "η ← η·factor when the monitored loss stops improving for `patience` epochs",
    },
)
