"""The course's datasets as their publishers list them: files, exact sizes, MD5/SHA-256 checksums and mirrors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..i18n import N_


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset as its publishers list it. `exact_size` is False where no reliable byte count was
    found: then `size` is an estimate (for the progress bar and the size shown) and only the checksum decides."""

    name: str
    size: int
    md5: Optional[str] = None
    sha256: Optional[str] = None
    exact_size: bool = True


@dataclass(frozen=True)
class RemoteDataset:
    """A dataset that can be downloaded. `title` and `description` are English, marked with N_(): show them with
    tr(). `mirrors` are base URLs tried in order; the file name is appended (or fills `{name}`)."""

    key: str
    title: str
    description: str
    files: tuple[RemoteFile, ...]
    mirrors: tuple[str, ...]
    short_title: str = ""  # N_ too: 'Fashion-MNIST', for one-line descriptions; the title when empty

    @property
    def name(self) -> str:
        """The short English name (show it with tr())."""
        return self.short_title or self.title

    @property
    def size_bytes(self) -> int:
        return sum(file.size for file in self.files)


# Checksums and sizes as published: the MD5s are torchvision's (torchvision/datasets/mnist.py, classes MNIST and
# FashionMNIST); the byte counts are the Content-Lengths those servers and Keras' report while downloading.
_MNIST_FILES = (
    RemoteFile("train-images-idx3-ubyte.gz", 9912422, md5="f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    RemoteFile("train-labels-idx1-ubyte.gz", 28881, md5="d53e105ee54ea40749a09fcbcd1e9432"),
    RemoteFile("t10k-images-idx3-ubyte.gz", 1648877, md5="9fb629c4189551a2d022fa330f9573f3"),
    RemoteFile("t10k-labels-idx1-ubyte.gz", 4542, md5="ec29112dd5afa0611ce80d1b7f02629c"),
)
_FASHION_FILES = (
    RemoteFile("train-images-idx3-ubyte.gz", 26421880, md5="8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    RemoteFile("train-labels-idx1-ubyte.gz", 29515, md5="25c81989df183df01b3e8a0aad5dffbe"),
    RemoteFile("t10k-images-idx3-ubyte.gz", 4422102, md5="bef4ecab320f06d8554ea6380940ec79"),
    RemoteFile("t10k-labels-idx1-ubyte.gz", 5148, md5="bb300cfdad3c16e7a12a480ee83cd310"),
)
# scikit-learn's copy (sklearn/datasets/_california_housing.py: ARCHIVE url and SHA-256). No reliable exact byte
# count was found, so the size is an estimate (about 441 kB) and the SHA-256 alone verifies the file.
_CALIFORNIA_FILES = (
    RemoteFile("cal_housing.tgz", 441_000,
               sha256="aaa5c9a6afe2225cc2aed2723682ae403280c4a3695a2ddda4ffb5d8215ea681", exact_size=False),
)

DATASETS: dict[str, RemoteDataset] = {
    "fashion-mnist": RemoteDataset(
        "fashion-mnist", N_("Fashion-MNIST (clothing images)"),
        N_("70,000 grayscale 28×28 pictures of clothing in 10 classes (T-shirt/top, trouser, pullover, dress, coat, "
           "sandal, shirt, sneaker, bag, ankle boot): 60,000 for training and the standard 10,000 for testing"),
        _FASHION_FILES,
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
         # Keras' fashion_mnist.load_data() reads the same four files from here.
         "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
        N_("Fashion-MNIST")),
    "mnist": RemoteDataset(
        "mnist", N_("MNIST (handwritten digits)"),
        N_("70,000 grayscale 28×28 pictures of handwritten digits 0 to 9: 60,000 for training and the standard "
           "10,000 for testing"),
        _MNIST_FILES,
        # torchvision's mirror first. Keras keeps MNIST only as mnist.npz (its folder's IDX files of the same names
        # are Fashion-MNIST's, which the checksums would refuse), so it is not listed. The original server answers
        # 403 today; it stays last in case it comes back.
        ("https://ossci-datasets.s3.amazonaws.com/mnist/",
         "http://yann.lecun.com/exdb/mnist/"),
        N_("MNIST")),
    "california-housing": RemoteDataset(
        "california-housing", N_("California housing (house prices)"),
        N_("20,640 districts of California from the 1990 census: 8 measurements (median income, house age, rooms, "
           "location, …) to predict the median house value, in units of $100,000"),
        _CALIFORNIA_FILES,
        # A full URL (no file name is appended to it): the dataset has a single file.
        ("https://ndownloader.figshare.com/files/5976036",),
        N_("California housing")),
}


__all__ = ["DATASETS", "RemoteDataset", "RemoteFile"]
