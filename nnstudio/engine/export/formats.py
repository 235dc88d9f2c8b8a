"""Export a compiled network as safetensors, TorchScript or ONNX, inputs and outputs in the drawing's order."""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Union

import torch
from torch import nn

from ...core.files import atomic_write_bytes
from ...core.i18n import N_, tr
from ..compiler import GraphModule
from ..weights import state_to_bytes

ONNX_OPSET = 17


class ExportError(Exception):
    """An export could not be written; the message says why in plain words."""


class ExportableNetwork(nn.Module):
    """The network as exported: inputs in the Input nodes' order, one tensor per Output in their order.

    A network with one Output returns that tensor alone (not a tuple of one), as hand-written code would."""

    def __init__(self, model: GraphModule) -> None:
        super().__init__()
        self.network = model

    def forward(self, *inputs: torch.Tensor):
        outputs = self.network(*inputs)
        return outputs[0] if len(outputs) == 1 else outputs


def example_inputs(model: GraphModule, rows: int = 2) -> tuple[torch.Tensor, ...]:
    """Seeded random inputs in the drawn shape of each Input, to trace the network with."""
    generator = torch.Generator().manual_seed(0)
    return tuple(torch.randn((rows,) + tuple(model.input_shapes[i]), generator=generator) for i in model.input_ids)


def input_names(model: GraphModule) -> list[str]:
    return [model.node_names[i] for i in model.input_ids]


def io_metadata(model: GraphModule, trained: bool, title: str = "") -> dict[str, str]:
    """What a reader of the file needs to call the network: names and shapes in order (text, as safetensors wants)."""
    return {
        "format": "nnstudio-weights",
        "title": title,
        "trained": "true" if trained else "false",
        "inputs": json.dumps([{"name": model.node_names[i], "shape": list(model.input_shapes[i])}
                              for i in model.input_ids]),
        "outputs": json.dumps([{"name": model.node_names[i], "units": model.output_configs[i].units,
                                "activation": model.output_configs[i].activation,
                                "task": model.output_configs[i].task} for i in model.output_ids]),
    }


def export_safetensors(model: GraphModule, path: Union[str, Path], trained: bool, title: str = "") -> None:
    """The state dict with readable keys (layers.<layer name>.weight) plus the input and output order."""
    atomic_write_bytes(path, state_to_bytes(model, io_metadata(model, trained, title)))


def export_torchscript(model: GraphModule, path: Union[str, Path]) -> None:
    """A traced TorchScript module: `torch.jit.load(path)(*inputs)` runs without NN Studio installed."""
    network = ExportableNetwork(model).eval()
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns that the "reshape only when needed" test is fixed at trace time; inputs in the
        # drawn shape are what the exported network takes, so that is intended.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(network, example_inputs(model), check_trace=False)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch points to torch.export; jit still loads anywhere
        torch.jit.save(traced, buffer)
    atomic_write_bytes(path, buffer.getvalue())


ONNX_MISSING = N_("ONNX export needs the onnx package: pip install onnx")  # shown with tr()


def require_onnx() -> None:
    """Raise ExportError when the onnx package is missing (the app's plain install has no onnx extra).

    torch's exporter imports onnx only deep inside and then raises its own OnnxExporterError, after tracing."""
    try:
        import onnx  # noqa: F401, PLC0415 - only to see that it is there
    except ImportError:
        raise ExportError(tr(ONNX_MISSING)) from None


def export_onnx(model: GraphModule, path: Union[str, Path]) -> None:
    """ONNX (opset 17) with a free batch size; inputs and outputs are named after their nodes."""
    require_onnx()
    network = ExportableNetwork(model).eval()
    inputs = input_names(model)
    outputs = list(model.output_names)
    dynamic_axes = {name: {0: "batch"} for name in inputs + outputs}
    path = Path(path)
    # The exporter writes to a path; write next to the target and move it into place, so a failed export
    # never leaves half a file where the user expects one.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.simplefilter("ignore", DeprecationWarning)  # torch announces the exporter's successor
            # dynamo=False: the TorchScript-based exporter, which needs only onnx (the newer one also
            # needs onnxscript) and gives a plain graph for these small networks.
            torch.onnx.export(network, example_inputs(model), temporary, input_names=inputs,
                              output_names=outputs, dynamic_axes=dynamic_axes, opset_version=ONNX_OPSET,
                              dynamo=False)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
