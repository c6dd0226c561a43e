"""Periodic task of the register's daily digest (beat: every morning, Lomé time)."""

from __future__ import annotations

from celery import shared_task

from .digest import daily_digests_send


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    """Late and due-soon imputations to each assignee, the summary to the directeur."""
    return daily_digests_send()
