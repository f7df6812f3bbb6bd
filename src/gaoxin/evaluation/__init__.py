"""Evaluation runs in the database: a frozen run of a pack's framework for a period (pack
version, framework hash, input hash, parameters) and the scores, ranks and grades it gave each
unit. Runs are never edited; a new run supersedes an older one for the same framework and period."""
