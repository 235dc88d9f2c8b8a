"""Keep and share: exports, trained-model bundles, weights files, the live code view and autosave."""

from .install import install_sharing, offer_recovery

__all__ = ["install_sharing", "offer_recovery"]
