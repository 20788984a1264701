"""Fair use: at most ``max_active_per_user`` queued or running jobs per user, all kinds."""

from __future__ import annotations

from uuid import UUID

from application.jobs.policy import JobsPolicy
from application.jobs.ports import JobsUnitOfWork
from domain.shared.errors import RateLimited


async def check_quota(uow: JobsUnitOfWork, owner_id: UUID, policy: JobsPolicy) -> None:
    """Call inside the transaction that adds the job: concurrent submissions of one owner
    wait for each other here, so the limit holds under a burst."""
    await uow.owners.lock(owner_id)
    active = await uow.transcriptions.count_active(owner_id) + await uow.tryons.count_active(
        owner_id
    )
    if active >= policy.max_active_per_user:
        error = RateLimited(
            f"You already have {active} jobs queued or running (at most "
            f"{policy.max_active_per_user}); wait for one to finish or cancel one.",
            retry_after=policy.retry_after_seconds,
            code="too_many_jobs",
        )
        error.extra = {"active": active, "limit": policy.max_active_per_user}
        raise error
