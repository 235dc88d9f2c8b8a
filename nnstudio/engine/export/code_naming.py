"""Names in generated code: the class name from the title and layer names as attributes, always safe identifiers."""

from __future__ import annotations

import keyword
import re
import unicodedata
from pathlib import Path
from typing import Any, Optional

from torch import nn

from .code_literals import NEVER_BIND

# Names a layer cannot have as an attribute or a variable in generated code (nn.Module's own methods such as
# `train`, the modules the code imports, Python's keywords): such layers get a `_layer` suffix.
_RESERVED = set(dir(nn.Module)) | NEVER_BIND | {"self", "torch", "nn", "F", "inputs", "outputs"}

# scikit-learn loaders of the built-in datasets NN Studio takes from scikit-learn, and their extra arguments.
SKLEARN_LOADERS = {"iris": ("load_iris", ""), "wine": ("load_wine", ""),
                   "breast_cancer": ("load_breast_cancer", ""), "digits": ("load_digits", ""),
                   "diabetes": ("load_diabetes", "scaled=False")}
TEMPLATE = Path(__file__).with_name("templates") / "train.py.txt"


def code_identifier(text: Any) -> bool:
    """Whether `text` can stand as a name in the generated code exactly as written: a Python identifier in any
    script ('은닉층' is one), not a keyword, and unchanged by the NFKC normalisation Python applies to names."""
    return (isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text)
            and unicodedata.normalize("NFKC", text) == text)


def project_name(project: Any) -> str:
    """What the project is called: its title, or its file's name when it has no title ('' if never saved)."""
    if project.title:
        return project.title
    return Path(project.path).stem if getattr(project, "path", None) else ""


def class_name_for(title: Any) -> str:
    """A class name from the project's name: 'Wide & Deep with two outputs' -> 'WideAndDeep', 'wide_deep' ->
    'WideDeep', '은닉 신경망' -> '은닉신경망'; 'Network' when nothing of it can be used."""
    # A title changed in memory need not be text; the file loader already insists on it.
    text = re.sub(r"\(.*?\)", " ", title if isinstance(title, str) else "")
    text = re.split(r"\s+(?:with|without|for|on)\s+|:|\s-\s", text, maxsplit=1)[0]
    words = re.findall(r"[^\W_]+|&", text)   # letters and digits of any script
    parts = ["And" if w == "&" else (w if w.isupper() else w[:1].upper() + w[1:].lower()) for w in words]
    name = "".join(parts)
    if not name:
        return "Network"
    if name[0].isdigit():
        name = "Net" + name
    # "None" or "True" would not compile; "F" or "DistributedSampler" would replace what model.py and train.py
    # import; "SEED" would be overwritten by train.py's own constant.
    if not code_identifier(name) or name in NEVER_BIND or name in _module_names():
        return "Model"
    return name


def _module_names() -> set[str]:
    """Every name the generated modules use at the top level: all identifiers of the train.py template (a
    superset: words of its comments too, which costs at most a plain class name) and model.py's imports."""
    global _MODULE_NAMES
    if _MODULE_NAMES is None:
        _MODULE_NAMES = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", TEMPLATE.read_text(encoding="utf-8")))
        _MODULE_NAMES |= {"torch", "nn", "F", "csv"} | {loader for loader, _ in SKLEARN_LOADERS.values()}
    return _MODULE_NAMES


_MODULE_NAMES: Optional[set[str]] = None


def code_names(model) -> dict[str, str]:
    """Node name -> the name used in code (attribute and variable), unique and never a reserved word.

    Names are checked again here although the project file checks them: a graph built in memory, or a
    future loader, must not be able to put code into model.py."""
    taken = set(model.node_names.values())
    names: dict[str, str] = {}
    for name in model.node_names.values():
        code = name
        # `self.__x` inside a class is name-mangled to `_Class__x`: the weights' keys would not match.
        if not code_identifier(code) or code.startswith("__"):
            code = "layer_" + re.sub(r"\W", "_", str(name))
            if not code_identifier(code):   # letters Python would normalise: plain ASCII instead
                code = "layer_" + re.sub(r"[^A-Za-z0-9_]", "_", str(name))
        if code in _RESERVED:
            code = f"{code}_layer"
        if code != name:
            while code in taken:
                code += "_"
            taken.add(code)
        names[name] = code
    return names
