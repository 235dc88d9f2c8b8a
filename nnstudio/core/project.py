"""The project file (.nnstudio): versioned JSON with the graph, data choice and training settings."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .files import MAX_PATH_CHARS, atomic_write_text, path_problem, read_user_file  # noqa: F401 - re-exported
from .graph import Graph, name_problem
from .i18n import N_, tr
from .json_checks import json_problem, short_value
from .layers import canonical_type, layer_spec
from .settings import DataSettings, SettingsError, TrainingSettings
from .tuning.space import SearchSpace

FORMAT = "nnstudio-project"
VERSION = 1
EXTENSION = ".nnstudio"
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NODES = 10_000
PATH_KEYS = ("path", "images", "labels", "test_images", "test_labels")


class ProjectError(Exception):
    """The one error a project file can raise when loading or saving; its message is for the user."""


@dataclass
class Project:
    """A graph plus everything needed to train it; `path` is where it was last saved."""

    graph: Graph = field(default_factory=Graph)
    data: DataSettings = field(default_factory=DataSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings.for_new_project)  # new projects: lesson-ready
    runs: list = field(default_factory=list)
    title: str = ""
    notes: str = ""
    path: Optional[Path] = None
    # Where an unsaved copy came from (a recovery file's original): only ever a name to suggest in Save As,
    # never a place to write, since the file that named it may not be the user's own.
    origin: Optional[Path] = None
    # The trained weights saved beside the project file (a file name in its folder, WEIGHTS_SUFFIX), or None.
    weights: Optional[str] = None
    # The hyperparameter search set up for this project (Experiments panel, `nnstudio tune`), or None.
    tuning: Optional[SearchSpace] = None

    @property
    def base_dir(self) -> Optional[Path]:
        return self.path.parent if self.path else None

    def to_dict(self, base_dir: Optional[Path] = None) -> dict:
        data = self.data.to_dict()
        if data.get("source"):
            data["source"] = _relative_source(data["source"], base_dir)
        saved = {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "notes": self.notes,
            "graph": self.graph.to_dict(),
            "data": data,
            "training": self.training.to_dict(),
            "runs": self.runs,
        }
        if self.weights:  # only then: a project without trained weights is written as before
            saved["weights"] = self.weights
        if self.tuning is not None:  # likewise: a project without a search is written as before
            saved["tuning"] = self.tuning.to_dict()
        return saved


WEIGHTS_SUFFIX = ".weights.safetensors"


def weights_file_name(project_path: Union[str, Path]) -> str:
    """The name of the trained weights saved beside a project file: `digits.nnstudio` -> `digits.weights.safetensors`."""
    return f"{Path(project_path).stem}{WEIGHTS_SUFFIX}"


def _check_weights_name(value: Any) -> Optional[str]:
    """The project's weights file: a plain name in the project's own folder, so a project never points elsewhere."""
    if value is None:
        return None
    if (not isinstance(value, str) or not value.endswith(WEIGHTS_SUFFIX) or "/" in value or "\\" in value
            or value in ("", ".", "..") or path_problem(value)):
        _fail(tr("the trained weights must be a file in the project's folder ending in {suffix}",
                 suffix=WEIGHTS_SUFFIX))
    return value


def _relative_source(source: dict, base_dir: Optional[Path]) -> dict:
    """Store data paths relative to the project file so a folder can be moved or shared."""
    source = dict(source)
    for key in PATH_KEYS:
        value = source.get(key)
        if isinstance(value, str) and base_dir is not None and Path(value).is_absolute():
            try:
                source[key] = Path(value).relative_to(base_dir.resolve()).as_posix()
            except ValueError:
                try:
                    source[key] = Path(os.path.relpath(value, base_dir.resolve())).as_posix()
                except ValueError:
                    source[key] = value  # another drive on Windows: an absolute path is all we can keep
    return source


def _absolute_source(source: dict, base_dir: Optional[Path]) -> dict:
    source = dict(source)
    for key in PATH_KEYS:
        value = source.get(key)
        if not isinstance(value, str):
            continue
        problem = path_problem(value)
        if problem:
            _fail(tr("the data source's {key} {problem}", key=key, problem=problem))
        if base_dir is not None and not Path(value).is_absolute():
            try:
                source[key] = str((base_dir / value).resolve())
            except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a symlink loop on older Pythons
                _fail(tr("the data source's {key} cannot be found from the project's folder ({reason})", key=key,
                         reason=str(exc)[:80]))
    return source


# ------------------------------------------------------------------ loading

def _fail(message: str) -> None:
    raise ProjectError(message)


def _check_graph(graph: Any) -> dict:
    if not isinstance(graph, dict):
        _fail(tr("the 'graph' part is not a table of nodes and edges"))
    nodes, edges = graph.get("nodes", []), graph.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        _fail(tr("the graph's nodes and edges must be lists"))
    if len(nodes) > MAX_NODES or len(edges) > 4 * MAX_NODES:
        _fail(tr("the graph is too large (more than {count} layers)", count=MAX_NODES))
    clean_nodes, ids, names, ports = [], set(), set(), {}
    for index, nd in enumerate(nodes, 1):
        if not isinstance(nd, dict):
            _fail(tr("layer {index} is not a table of settings", index=index))
        node_id, type_name, name = nd.get("id"), nd.get("type"), nd.get("name")
        if not isinstance(node_id, str) or not node_id or len(node_id) > 64:
            _fail(tr("layer {index} has no valid id", index=index))
        if node_id in ids:
            _fail(tr("two layers share the id {id}", id=short_value(node_id)))
        if not isinstance(type_name, str) or canonical_type(type_name) is None:
            _fail(tr("layer {index} has an unknown layer type {type}", index=index, type=short_value(type_name)))
        if not isinstance(name, str) or name_problem(name):
            _fail(tr("layer {index} has an invalid name {name}", index=index, name=short_value(name)))
        if name in names:
            _fail(tr("two layers are called {name!r}", name=name))
        spec = layer_spec(type_name)
        params = nd.get("params", {})
        if not isinstance(params, dict):
            _fail(tr("the settings of '{layer}' are not a table", layer=name))
        for key, value in params.items():
            try:
                pspec = spec.param(key)
            except KeyError:
                continue  # a setting from a newer or older layer version: ignore it, keep the layer
            problem = pspec.problem(pspec.normalise(value))
            if problem:
                _fail(tr("layer '{layer}': {problem}", layer=name, problem=problem))
        position = nd.get("position", [0, 0])
        # abs() before isfinite(): isfinite(10**400) would overflow converting to float.
        if (not isinstance(position, list) or len(position) != 2
                or any(isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) > 1e7
                       or not math.isfinite(v) for v in position)):
            _fail(tr("layer '{layer}' has an invalid position", layer=name))
        ids.add(node_id)
        names.add(name)
        merged = dict(spec.defaults(), **{k: v for k, v in params.items() if k in spec.defaults()})
        ports[node_id] = (spec.input_ports(merged), spec.output_ports, name)
        clean_nodes.append({"id": node_id, "type": spec.type, "name": name, "params": params,
                            "position": position})
    clean_edges, taken = [], set()
    for index, ed in enumerate(edges, 1):
        if not isinstance(ed, dict):
            _fail(tr("wire {index} is not a table", index=index))
        src, sport, dst, dport = (ed.get(k) for k in ("source", "source_port", "target", "target_port"))
        if not all(isinstance(v, str) for v in (src, sport, dst, dport)):
            _fail(tr("wire {index} must name its source and target layers and ports", index=index))
        if src not in ports or dst not in ports:
            _fail(tr("wire {index} connects a layer that does not exist", index=index))
        if sport not in ports[src][1]:
            _fail(tr("wire {index} leaves '{layer}' from a port it does not have", index=index, layer=ports[src][2]))
        if dport not in ports[dst][0]:
            _fail(tr("wire {index} enters '{layer}' at a port it does not have", index=index, layer=ports[dst][2]))
        if (dst, dport) in taken:
            _fail(tr("two wires enter the same input of '{layer}'", layer=ports[dst][2]))
        taken.add((dst, dport))
        clean_edges.append({"source": src, "source_port": sport, "target": dst, "target_port": dport})
    return {"nodes": clean_nodes, "edges": clean_edges}


# Step-by-step upgrades: MIGRATIONS[n] turns a version-n dict into a version-(n+1) dict.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def project_from_dict(raw: Any, base_dir: Optional[Path] = None) -> Project:
    """Build a Project from parsed JSON; raises ProjectError with a plain message for anything wrong."""
    if not isinstance(raw, dict):
        _fail(tr("this is not an NN Studio project (the file does not hold a table of settings)"))
    if raw.get("format") != FORMAT:
        _fail(tr("this is not an NN Studio project (its 'format' is missing or different)"))
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        _fail(tr("the project's version number is missing or invalid"))
    if version > VERSION:
        _fail(tr("this project was saved by a newer NN Studio (file version {version}; this version reads up to "
                 "{supported}). Please update NN Studio to open it.", version=short_value(version), supported=VERSION))
    while version < VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
    graph_dict = _check_graph(raw.get("graph", {"nodes": [], "edges": []}))
    try:
        data = DataSettings.from_dict(raw.get("data", {}))
        training = TrainingSettings.from_dict(raw.get("training", {}))
    except (SettingsError, TypeError) as exc:
        raise ProjectError(tr("a setting is invalid: {reason}", reason=exc)) from None
    if data.source is not None:
        for key in PATH_KEYS:
            if key in data.source and not isinstance(data.source[key], str):
                _fail(tr("the data source's {key} must be a file path", key=key))
        data.source = _absolute_source(data.source, base_dir)
    runs = raw.get("runs", [])
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        _fail(tr("the run history is damaged (it must be a list of runs)"))
    title, notes = raw.get("title", ""), raw.get("notes", "")
    if not isinstance(title, str) or not isinstance(notes, str):
        _fail(tr("the title and notes must be text"))
    # Last, after the clearer specific checks, and everywhere: what loads must save again, and JSON has no
    # NaN, infinity or 10**400 (a run history or a data source may hold any JSON).
    problem = json_problem(raw)
    if problem:
        _fail(tr("the project {problem}", problem=problem))
    weights = _check_weights_name(raw.get("weights"))
    tuning = None
    if raw.get("tuning") is not None:
        try:
            tuning = SearchSpace.from_dict(raw["tuning"])
        except SettingsError as exc:
            raise ProjectError(tr("the search settings are invalid: {reason}", reason=exc)) from None
    graph = Graph.from_dict(graph_dict)
    return Project(graph, data, training, runs, title, notes, weights=weights, tuning=tuning)


def loads_project(text: Union[str, bytes], base_dir: Optional[Path] = None) -> Project:
    try:
        raw = json.loads(text)
    except RecursionError:
        raise ProjectError(tr("the file is nested too deeply to be a project")) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProjectError(tr("the file is not valid JSON ({reason})", reason=str(exc)[:120])) from None
    try:
        return project_from_dict(raw, base_dir)
    except RecursionError:
        raise ProjectError(tr("the file is nested too deeply to be a project")) from None


def load_project(path: Union[str, Path]) -> Project:
    """Open a project file; any problem becomes one ProjectError saying what is wrong."""
    path = Path(path)
    data = read_user_file(path, MAX_FILE_BYTES, ProjectError, N_("a project file"))
    try:
        project = loads_project(data, path.parent.resolve())
    except ProjectError as exc:
        raise ProjectError(tr("'{file}' could not be opened: {reason}", file=path.name, reason=exc)) from None
    project.path = path.resolve()
    return project


def dumps_project(project: Project, base_dir: Optional[Path] = None) -> str:
    return json.dumps(project.to_dict(base_dir), indent=2, allow_nan=False) + "\n"


def save_project(project: Project, path: Union[str, Path]) -> None:
    """Save atomically (the old file survives a crash mid-save); data paths become relative."""
    path = Path(path).resolve()
    try:
        text = dumps_project(project, path.parent)
    except (ValueError, RecursionError) as exc:
        raise ProjectError(tr("the project holds a value that cannot be saved ({reason})",
                              reason=str(exc)[:120])) from None
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ProjectError(tr("could not save to '{path}': {reason}", path=path, reason=exc.strerror or exc)) from None
    project.path = path
