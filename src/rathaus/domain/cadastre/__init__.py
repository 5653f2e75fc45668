"""Synthetic cadastral data (Liegenschaftskataster): parcels with polygon geometry. No Django."""
