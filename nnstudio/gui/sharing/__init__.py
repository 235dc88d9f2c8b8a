"""Keep and share: exports, trained-model bundles, weights files, the live code view and autosave."""

from .install import Sharing, install_sharing, offer_recovery

__all__ = ["Sharing", "install_sharing", "offer_recovery"]
