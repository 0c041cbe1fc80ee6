"""Datasets, manifests, clinical notes and grouped splits."""
