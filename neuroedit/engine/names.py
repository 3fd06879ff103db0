"""The names the engine implements (activations, losses, initializers, optimizers, schedules).

They must equal the catalog of the document model; a test checks that, so the
engine never has to import the model.
"""

ACTIVATIONS = ("linear", "step", "sign", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "swish",
               "softplus", "softmax")
LOSSES = ("squared_error", "sum_squared_error", "mse", "mae", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "hinge", "multiclass_hinge", "value")
INITIALIZERS = ("zeros", "constant", "normal", "uniform", "uniform_fan_in", "glorot_normal", "glorot_uniform",
                "he_normal", "he_uniform", "lecun_normal")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "nadam", "vario_eta")
SCHEDULES = ("constant", "step", "linear", "exponential", "one_cycle", "reduce_on_plateau")

# Loss families: what the targets look like and which metric the trainer reports.
CLASS_INDEX_LOSSES = ("sparse_categorical_crossentropy", "multiclass_hinge")
ONE_HOT_LOSSES = ("categorical_crossentropy",)
BINARY_LOSSES = ("binary_crossentropy", "hinge")
CLASSIFICATION_LOSSES = CLASS_INDEX_LOSSES + ONE_HOT_LOSSES + BINARY_LOSSES


def activation_alpha(params: dict) -> float:
    """The α an activation uses: leaky_relu's negative slope, elu's α or linear's slope.

    Dense layers carry no such parameters and get the Keras defaults.
    """
    act = params.get("activation")
    if act == "leaky_relu":
        return float(params.get("negative_slope", 0.01))
    if act == "elu":
        return float(params.get("elu_alpha", 1.0))
    if act == "linear":
        return float(params.get("slope", 1.0))
    return 1.0


def metric_name(loss: str) -> str | None:
    """`accuracy` for classification losses, `mae` for regression, None for the `value` objective."""
    if loss in CLASSIFICATION_LOSSES:
        return "accuracy"
    if loss == "value":
        return None
    return "mae"
