"""The HTML report of a run: one self-contained page with the numbers and every picture."""
