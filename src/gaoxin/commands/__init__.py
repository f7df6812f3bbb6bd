"""Sub-commands of the `gaoxin` CLI, one module per group."""
