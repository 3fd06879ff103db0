"""Training settings stored in the document, declared like node parameters."""

from __future__ import annotations

from typing import Any

from .catalog import OPTIMIZERS, SCHEDULES
from .params import ParamSpec

_ADAM = ("adam", "adamw", "nadam")

SETTINGS: tuple[ParamSpec, ...] = (
    # Adam at 0.01 trains the Playground sets with a hand-built network out of the box (docs/benchmarks.md);
    # plain SGD at 0.01 barely moves a 2-8-1 tanh network on `circle` in 100 epochs.
    ParamSpec("optimizer", "choice", "adam", "update rule", choices=tuple(OPTIMIZERS)),
    ParamSpec("learning_rate", "float", 0.01, "step size η", minimum=0.0, min_exclusive=True, label="Learning rate"),
    ParamSpec("momentum", "float", 0.9, "μ: how much of the previous step is kept", minimum=0.0, maximum=1.0,
              max_exclusive=True, relevant_when=("optimizer", ("momentum", "nesterov"))),
    ParamSpec("beta_1", "float", 0.9, "decay of the first-moment average", minimum=0.0, maximum=1.0,
              max_exclusive=True, relevant_when=("optimizer", _ADAM), label="β₁"),
    ParamSpec("beta_2", "float", 0.999, "decay of the second-moment average", minimum=0.0, maximum=1.0,
              max_exclusive=True, relevant_when=("optimizer", _ADAM), label="β₂"),
    ParamSpec("rho", "float", 0.9, "decay of the squared-gradient average", minimum=0.0, maximum=1.0,
              max_exclusive=True, relevant_when=("optimizer", ("rmsprop", "adadelta")), label="ρ"),
    ParamSpec("epsilon", "float", 1e-7, "added to denominators", minimum=0.0, min_exclusive=True,
              relevant_when=("optimizer", ("adagrad", "rmsprop", "adadelta", *_ADAM, "vario_eta")), label="ε"),
    ParamSpec("weight_decay", "float", 0.004, "decoupled decay λ (w ← w - η·λ·w)", minimum=0.0,
              relevant_when=("optimizer", ("adamw",))),
    ParamSpec("schedule", "choice", "constant", "how the learning rate changes", choices=tuple(SCHEDULES),
              label="LR schedule"),
    ParamSpec("schedule_factor", "float", 0.5, "multiply η by this at each step decay", minimum=0.0, maximum=1.0,
              min_exclusive=True, max_exclusive=True, relevant_when=("schedule", ("step", "reduce_on_plateau")),
              label="Decay factor"),
    ParamSpec("schedule_every", "int", 10, "epochs between step decays", minimum=1,
              relevant_when=("schedule", ("step",)), label="Every (epochs)"),
    ParamSpec("schedule_patience", "int", 5, "epochs without improvement before η is reduced", minimum=1,
              relevant_when=("schedule", ("reduce_on_plateau",)), label="Plateau patience"),
    ParamSpec("final_learning_rate", "float", 1e-4, "η_T reached at iteration T", minimum=0.0,
              relevant_when=("schedule", ("linear",)), label="Final LR"),
    ParamSpec("decay_steps", "int", 1000, "T: iterations to reach the final learning rate", minimum=1,
              relevant_when=("schedule", ("linear",)), label="Decay steps"),
    ParamSpec("decay_rate", "float", 1e-3, "γ in η₀·e^(-γ·k)", minimum=0.0,
              relevant_when=("schedule", ("exponential",)), label="Decay rate γ"),
    ParamSpec("max_learning_rate", "float", 0.1, "peak η of the one-cycle policy", minimum=0.0, min_exclusive=True,
              relevant_when=("schedule", ("one_cycle",)), label="Max LR"),
    ParamSpec("batch_mode", "choice", "minibatch", "full batch, one sample per step, or mini-batches",
              choices=("full", "stochastic", "minibatch"), label="Batch mode"),
    ParamSpec("batch_size", "int", 32, "samples per mini-batch", minimum=1, maximum=1_000_000,
              relevant_when=("batch_mode", ("minibatch",)), label="Batch size"),
    ParamSpec("epochs", "int", 100, "passes over the training data", minimum=1, maximum=10_000_000),
    ParamSpec("updates_per_epoch", "int", 0, "0: an epoch is one pass over the data; N: an epoch is N updates "
              "(lecture 2 counts 250)", minimum=0, maximum=10_000_000, label="Epoch = N updates"),
    ParamSpec("shuffle", "bool", True, "reshuffle the training data every epoch"),
    ParamSpec("early_stopping", "bool", False, "stop when the monitored value stops improving",
              label="Early stopping"),
    ParamSpec("es_monitor", "choice", "val_loss", "value to watch",
              choices=("val_loss", "loss", "val_accuracy", "accuracy", "val_mae", "mae"),
              relevant_when=("early_stopping", (True,)), label="Monitor"),
    ParamSpec("es_min_delta", "float", 0.0, "smallest change that counts as improvement", minimum=0.0,
              relevant_when=("early_stopping", (True,)), label="Min delta"),
    ParamSpec("es_patience", "int", 10, "epochs without improvement before stopping", minimum=0,
              relevant_when=("early_stopping", (True,)), label="Patience"),
    ParamSpec("es_restore_best", "bool", True, "put back the weights of the best epoch",
              relevant_when=("early_stopping", (True,)), label="Restore best"),
    ParamSpec("seed", "int", 0, "random seed: the same seed gives the same run", minimum=0, maximum=2**32 - 1),
    ParamSpec("dtype", "choice", "float32", "floating-point precision", choices=("float32", "float64")),
)

SETTINGS_BY_NAME: dict[str, ParamSpec] = {s.name: s for s in SETTINGS}


def default_settings() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}
