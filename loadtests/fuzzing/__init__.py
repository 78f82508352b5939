"""The fuzz harness behind loadtests/fuzz.py (black box: it speaks HTTP only)."""
