"""The task ledger (任务分解表/台账) in the database: policy documents, their measures, who does
what, and the progress reported against each measure until it is done."""
