"""Dynamic management as cases (动态管理案件, decision 042): every action a pack decides on a
published ledger entry opens a case for its unit, which carries the rectification through
plan, evidence, the city's and the province's review to its outcome."""
