"""The names NeuroEdit's course uses, and the numbers the kernels know them by: defined once, here.

A leaf module (it imports nothing from NeuroEdit), so the document model, the engine and the
data layer all read the same lists. The order of each tuple is the code a kernel receives
(`ACTIVATIONS.index("softmax") == SOFTMAX`); the named constants below spell those codes.
model/catalog.py adds the one-line explanations.
"""

from __future__ import annotations

ACTIVATIONS = (
    "linear",
    "step",
    "sign",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "elu",
    "selu",
    "swish",
    "softplus",
    "softmax",
)
LINEAR, STEP, SIGN, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, SELU, SWISH, SOFTPLUS, SOFTMAX = range(12)

LOSSES = (
    "squared_error",
    "sum_squared_error",
    "mse",
    "mae",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "hinge",
    "multiclass_hinge",
    "value",
)
(
    SQUARED_ERROR,
    SUM_SQUARED_ERROR,
    MSE,
    MAE,
    BINARY_CROSSENTROPY,
    CATEGORICAL_CROSSENTROPY,
    SPARSE_CATEGORICAL_CROSSENTROPY,
    HINGE,
    MULTICLASS_HINGE,
    VALUE,
) = range(10)

# What a run reports beside its loss. Classification losses always report their own accuracy; a
# regression loss reports accuracy when the data are classes (engine/names.py::metric_name), else MAE.
METRICS = ("none", "accuracy", "mae")
NO_METRIC, ACCURACY, MEAN_ABSOLUTE_ERROR = range(3)

INITIALIZERS = (
    "zeros",
    "constant",
    "normal",
    "uniform",
    "uniform_fan_in",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
)

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "nadam", "vario_eta")
SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADADELTA, ADAM, ADAMW, NADAM, VARIO_ETA = range(10)

SCHEDULES = ("constant", "step", "linear", "exponential", "one_cycle", "reduce_on_plateau")
CONSTANT_LR, STEP_DECAY, LINEAR_DECAY, EXPONENTIAL_DECAY, ONE_CYCLE, REDUCE_ON_PLATEAU = range(6)

# Rows of the engine's tape: what one row computes (a Dense layer with an activation is two rows).
TAPE_OPS = (
    "input",
    "dense",
    "activation",
    "dropout",
    "batchnorm",
    "copy",
    "prelu",
    "add",
    "concat",
    "binary",
    "square",
)
INPUT, DENSE, ACT, DROPOUT, BATCHNORM, COPY, PRELU, ADD, CONCAT, BINARY, SQUARE = range(11)
# The element-wise operation of a BINARY row, by node type.
BINARY_OPS = ("OpAdd", "OpSubtract", "OpMultiply", "OpMax")
BIN_ADD, BIN_SUBTRACT, BIN_MULTIPLY, BIN_MAX = range(4)

# What the targets of each loss look like; the data layer shapes labels to match.
LOSS_TARGETS: dict[str, str] = {
    "squared_error": "values",
    "sum_squared_error": "values",
    "mse": "values",
    "mae": "values",
    "binary_crossentropy": "binary",
    "categorical_crossentropy": "one_hot",
    "sparse_categorical_crossentropy": "class_index",
    "hinge": "binary",
    "multiclass_hinge": "class_index",
    "value": "none",
}
CLASS_INDEX_LOSSES = tuple(k for k, v in LOSS_TARGETS.items() if v == "class_index")
ONE_HOT_LOSSES = tuple(k for k, v in LOSS_TARGETS.items() if v == "one_hot")
BINARY_LOSSES = tuple(k for k, v in LOSS_TARGETS.items() if v == "binary")
CLASSIFICATION_LOSSES = tuple(k for k, v in LOSS_TARGETS.items() if v in ("binary", "one_hot", "class_index"))
