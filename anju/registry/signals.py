"""What the registry tells the apps built on it.

``households_placed``: households may have changed place (path), in the transaction that moved
them; sent with ``household_ids``. The rows other apps keep per household with a copy of its path
(a monitoring warning, an income) follow it there, so the new place's staff see them and the old
place's no longer do.
"""

from django.dispatch import Signal

households_placed = Signal()
