"""The holding area of the registration forms and of the assignee's draft reply: files kept
between two submissions when the form comes back with an error (``cabinet.holding``), removed
nightly by ``tasks.purge_held_uploads`` if the form was abandoned."""

from __future__ import annotations

from cabinet.holding import HoldingArea

AREA = HoldingArea(folder="correspondence/holding", salt="correspondence.held-files")
purge = AREA.purge
