"""A saved case as a document: its PDF report, its Grad-CAM overlays, the words for its scope
verdict and prediction set. Reads the case store (:mod:`skinmm.db`); the store knows nothing
of it."""
