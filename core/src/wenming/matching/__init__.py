"""Matching: rule kinds, compiled vectorised scoring, ranking, batch and joint dispatch.

``wenming.matching.params`` is light (attrs only) so plugins can import it at load
time; everything that needs NumPy lives in the other modules and is imported lazily.
"""
