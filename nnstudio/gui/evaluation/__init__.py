"""Looking at a trained model: evaluation, try-it, weights and the drawing grid."""
