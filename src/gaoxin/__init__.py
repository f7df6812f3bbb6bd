"""gaoxin (高新): the working platform for high-tech zones."""

__version__ = "0.1.0"
