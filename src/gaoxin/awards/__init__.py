"""The award ledger in the database: append-only rows of money and actions decided under a
pack's rules, each with its trace and a receipt (engine version, pack hash, input hash); a
correction is a reversal row plus a new row, never an edit."""
