"""The one queue task behind every job (gaoxin.jobs.services.run does the work)."""

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from gaoxin.jobs.services import run

    run(job_id)
