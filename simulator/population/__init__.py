"""A synthetic Japanese population at national scale (``oqs-sim generate``)."""
