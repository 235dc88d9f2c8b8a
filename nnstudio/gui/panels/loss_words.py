"""What an Output's loss compares its answers with, in plain words: class numbers ("sparse") or one-hot rows."""

from __future__ import annotations

from typing import Optional

from ...core.i18n import N_, tr
from ...core.layer_shapes import resolve_output
from ...core.layer_specs import OutputTarget

# Shown as each choice's tooltip in the loss list: what the labels look like for it.
CHOICE_HELP = {  # marked with N_ (defined before a language is chosen), shown with tr()
    "auto": N_("Chosen from the task: cross-entropy for classes, binary cross-entropy for yes/no, mean squared "
               "error for numbers."),
    "cross_entropy": N_("For classes. The labels are class numbers (0, 1, 2 …), one per row, not one-hot rows: "
                        "what Keras calls sparse_categorical_crossentropy."),
    "binary_cross_entropy": N_("For yes/no. The labels are 0 (no) or 1 (yes), one per row: Keras' "
                               "binary_crossentropy."),
    "mse": N_("Mean squared error, for numbers. Used for classes, the class numbers become one-hot rows "
              "(1 for the right class, 0 for the others)."),
    "mae": N_("Mean absolute error, for numbers. Used for classes, the class numbers become one-hot rows "
              "(1 for the right class, 0 for the others)."),
}


def _classes_text(target: Optional[OutputTarget], units: int) -> str:
    """'0 = setosa, 1 = versicolor, 2 = virginica' for a few named classes, else '0 to 9'."""
    names = target.class_names if target is not None else ()
    if names and len(names) <= 4:
        return ", ".join(f"{code} = {name}" for code, name in enumerate(names))
    count = len(names) or units
    return tr("0 to {last}", last=count - 1)


def labels_note(params: dict, target: Optional[OutputTarget]) -> str:
    """One or two sentences: the loss in use and the labels it is given, as the bound data (`target`) has them."""
    config, _ = resolve_output(params, target)
    chosen = target is not None
    if config.task == "regression":
        return tr("The loss compares each answer with the number to predict.") if chosen else \
            tr("The loss compares each answer with the number to predict (no data is chosen yet).")
    if config.task == "binary" or config.loss == "binary_cross_entropy":
        return tr("The labels are 0 (no) or 1 (yes), one number per row: binary cross-entropy, Keras' "
                  "binary_crossentropy.") if chosen else \
            tr("The labels are 0 (no) or 1 (yes), one number per row (no data is chosen yet): binary "
               "cross-entropy, Keras' binary_crossentropy.")
    if not chosen:
        # Without data the classes are unknown: no range made up from the Output's units ("0 to 1").
        if config.loss == "cross_entropy":
            return tr("The labels are class numbers (0, 1, 2 …), one number per row, not one-hot rows: "
                      "cross-entropy with integer labels, what Keras calls sparse_categorical_crossentropy. There is "
                      "no data yet: choose it in the Data panel to see its classes.")
        return tr("The labels are class numbers (0, 1, 2 …); for this loss each becomes a one-hot row (1 for the "
                  "right class, 0 for the others), as Keras' categorical labels are. There is no data yet: choose "
                  "it in the Data panel to see its classes.")
    classes = _classes_text(target, config.units)
    if config.loss == "cross_entropy":
        return tr("The labels are class numbers ({classes}), one number per row, not one-hot rows: cross-entropy "
                  "with integer labels, what Keras calls sparse_categorical_crossentropy.", classes=classes)
    return tr("The labels are class numbers ({classes}); for this loss each becomes a one-hot row (1 for the right "
              "class, 0 for the others), as Keras' categorical labels are.", classes=classes)
