"""Long jobs in the background, with progress a person can watch (decision 020).

A job is one application service function run by the database task queue (`gaoxin worker`):
:func:`start` records a :class:`~gaoxin.jobs.models.Job` (who, which scope, what, in Chinese)
and enqueues it; the function reports its progress through the ``progress`` callable it is
given and returns an :class:`Outcome` (a summary, optionally a file to download). The page
``/jobs/<id>/`` shows the progress and the result to the user who started the job, and to no
one else.
"""
