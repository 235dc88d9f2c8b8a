"""Read scikit-learn's California housing archive (cal_housing.tgz) into a regression Table, as
fetch_california_housing does: 8 features and the target MedHouseVal in units of $100,000."""

from __future__ import annotations

import tarfile
import zlib
from pathlib import Path

import numpy as np

from ..i18n import N_, tr
from .table import DataError, Table

MEMBER = "CaliforniaHousing/cal_housing.data"
MAX_MEMBER_BYTES = 20_000_000  # the real file is about 1.9 MB; a larger one is not this dataset
FEATURES = ("MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude")
TARGET = "MedHouseVal"
# The archive's columns, in its order.
_RAW = ("longitude", "latitude", "housingMedianAge", "totalRooms", "totalBedrooms", "population", "households",
        "medianIncome", "medianHouseValue")
DESCRIPTION = N_("California housing: 20,640 districts from the 1990 census; predict the median house value "
                 "(MedHouseVal, in $100,000) from 8 measurements")


def _raw_values(path: Path) -> np.ndarray:
    """The archive's table of numbers (rows × 9); DataError for anything that is not that archive."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            try:
                member = archive.getmember(MEMBER)
            except KeyError:
                raise DataError(tr("{file} does not hold {member}; it is not the California housing archive",
                                   file=path.name, member=MEMBER)) from None
            if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                raise DataError(tr("{file} does not hold the California housing table", file=path.name))
            stream = archive.extractfile(member)  # read in memory: nothing is unpacked to disk
            text = stream.read() if stream is not None else b""
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise DataError(tr("{file} is a damaged or incomplete archive; download it again", file=path.name)) from None
    try:
        values = np.loadtxt(text.decode("ascii").splitlines(), delimiter=",", dtype=np.float64, ndmin=2)
    except (ValueError, UnicodeDecodeError):
        raise DataError(tr("{file}: the California housing table holds something that is not a number",
                           file=path.name)) from None
    if values.shape[1] != len(_RAW) or values.shape[0] == 0:
        raise DataError(tr("{file}: the California housing table should have {expected} columns but has {count}",
                           file=path.name, expected=len(_RAW), count=values.shape[1]))
    if not np.all(np.isfinite(values)) or np.any(values[:, _RAW.index("households")] <= 0):
        raise DataError(tr("{file}: the California housing table holds a missing or impossible value",
                           file=path.name))
    return values


def load_california(path: str | Path) -> Table:
    """The table fetch_california_housing returns: per-household averages computed the same way."""
    path = Path(path)
    raw = _raw_values(path)
    column = {name: raw[:, i] for i, name in enumerate(_RAW)}
    households = column["households"]
    features = np.column_stack([
        column["medianIncome"],
        column["housingMedianAge"],
        column["totalRooms"] / households,
        column["totalBedrooms"] / households,
        column["population"],
        column["population"] / households,
        column["latitude"],
        column["longitude"],
    ])
    target = column["medianHouseValue"] / 100_000.0
    values = np.column_stack([features, target]).astype(np.float32)
    return Table("california-housing", values, [*FEATURES, TARGET], {}, DESCRIPTION, (TARGET,))


__all__ = ["load_california", "FEATURES", "TARGET"]
