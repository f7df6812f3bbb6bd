"""Pure computation for gaoxin: periods, imports, indicators, evaluation, rules.

Nothing here imports Django; the web app, the CLI and notebooks all call into it.
"""
