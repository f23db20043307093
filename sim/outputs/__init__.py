"""The outputs layer: figures in one style, text tables, the HTML report, results folders."""
