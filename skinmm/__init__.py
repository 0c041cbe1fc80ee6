"""SkinMM: image + clinical-note skin-tumour classification with decision-level fusion."""

__version__ = "0.1.0"
