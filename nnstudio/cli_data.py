"""`nnstudio data`: list the course datasets and download one into the cache folder, with progress on stderr."""

from __future__ import annotations

import json
import sys
import time

from .cli_files import CliError, say
from .core.i18n import N_, tr

JSON_HELP = N_("print one JSON object as the last line")
DOWNLOAD_FAILED = 1  # exit status; 2 is a wrong command line (an unknown dataset), as for every command


def add_parser(sub) -> None:
    data = sub.add_parser("data", help=tr("list the course datasets and download them (MNIST, Fashion-MNIST, "
                                          "California housing)"))
    actions = data.add_subparsers(dest="data_command", metavar="{list,download}")
    listing = actions.add_parser("list", help=tr("the course datasets: size, downloaded or not, and their folder"))
    listing.add_argument("--json", action="store_true", help=tr(JSON_HELP))
    fetch = actions.add_parser("download", help=tr("download a course dataset once and check it against its "
                                                   "published checksums"))
    fetch.add_argument("key", metavar="NAME", help=tr("the dataset: fashion-mnist, mnist or california-housing"))
    fetch.add_argument("--json", action="store_true", help=tr(JSON_HELP))


def run(args) -> int:
    if args.data_command == "list":
        return _list(args)
    if args.data_command == "download":
        return _download(args)
    raise CliError(tr("say what to do with the data: 'nnstudio data list' or 'nnstudio data download NAME'"))


def _list(args) -> int:
    from .core.data.downloads import DATASETS, dataset_folder, is_downloaded, size_text
    rows = [{"key": key, "title": tr(dataset.title), "size_bytes": dataset.size_bytes,
             "downloaded": is_downloaded(key), "folder": str(dataset_folder(key))}
            for key, dataset in DATASETS.items()]
    if args.json:
        print(json.dumps({"datasets": rows}))
        return 0
    for row in rows:
        state = tr("downloaded") if row["downloaded"] else tr("not downloaded")
        print(tr("{key}: {title}, {size}, {state}", key=row["key"], title=row["title"],
                 size=size_text(row["size_bytes"]), state=state))
        print("    " + row["folder"])
    return 0


class _ProgressLine:
    """The download's progress on stderr: redrawn in place on a terminal, a line every 10 % otherwise."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.terminal = sys.stderr.isatty()
        self.last_step = -1
        self.last_draw = 0.0

    def __call__(self, done: int, total: int) -> None:
        from .core.data.downloads import size_text
        percent = min(100, done * 100 // total) if total else 100
        text = tr("{dataset}: {done} of {total} ({percent}%)", dataset=self.title, done=size_text(done),
                  total=size_text(total), percent=percent)
        if self.terminal:
            now = time.monotonic()
            if now - self.last_draw >= 0.1 or percent == 100:
                self.last_draw = now
                print("\r" + text, end="", file=sys.stderr, flush=True)
        elif percent // 10 != self.last_step:
            self.last_step = percent // 10
            print(text, file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.terminal and self.last_draw:
            print(file=sys.stderr, flush=True)


def _download(args) -> int:
    from .core.data.downloads import DATASETS, DownloadError, dataset_folder, download, is_downloaded
    dataset = DATASETS.get(args.key)
    if dataset is None:
        raise CliError(tr("there is no course dataset called {name}; the names are {names}", name=repr(args.key),
                          names=", ".join(DATASETS)))
    folder = dataset_folder(args.key)
    if is_downloaded(args.key):
        return _done(args, tr("{dataset} is already downloaded in {folder}", dataset=tr(dataset.title),
                              folder=str(folder)), folder)
    progress = _ProgressLine(tr(dataset.name))
    try:
        download(args.key, progress=progress)
    except KeyboardInterrupt:  # Ctrl+C: the partial file is already removed; say so plainly
        progress.end()
        return _failed(args, tr("The download was cancelled; no partial file was kept."), offline=False)
    except DownloadError as error:
        progress.end()
        message = str(error)
        if error.offline:
            names = ", ".join(file.name for file in dataset.files)
            message = tr("{problem}\nYou can copy the files ({files}) from a computer that is online into {folder}; "
                         "NN Studio checks them the next time they are used.", problem=message, files=names,
                         folder=str(folder))
            if args.key != "california-housing":
                message = tr("{problem}\nOr use copies you already have with the Data panel's button "
                             "'Import MNIST (IDX)…'.", problem=message)
        return _failed(args, message, offline=error.offline)
    progress.end()
    return _done(args, tr("{dataset} is downloaded and checked, in {folder}", dataset=tr(dataset.title),
                          folder=str(folder)), folder)


def _done(args, message: str, folder) -> int:
    if args.json:
        print(json.dumps({"key": args.key, "downloaded": True, "folder": str(folder)}))
    else:
        print(message)
    return 0


def _failed(args, message: str, offline: bool) -> int:
    for line in message.splitlines():
        say(line)
    if args.json:
        print(json.dumps({"key": args.key, "downloaded": False, "offline": offline, "error": message}))
    return DOWNLOAD_FAILED


__all__ = ["add_parser", "run"]
