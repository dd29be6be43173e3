"""`python -m cchc_graph` runs the `cchc` command line."""

from cchc_graph.cli import cli

cli()
