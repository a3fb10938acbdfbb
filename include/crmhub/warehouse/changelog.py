"""``core.change_log``: what changed in a core row, by whom, from which load (shape of migration 0012).

Rows:

* ``field = '_created'``: a record created by a load, one row holding its non-null values as text in
  ``created_values`` (``{"email": "a@b.example", "_deleted": "true", ...}``); ``old_value``/``new_value`` NULL.
* any other ``field``: one changed field of an existing record (``old_value`` -> ``new_value``), written by a
  load, an amendment (``connector = 'amendment'``) or a revert (``connector = 'revert'``); ``_deleted`` is the
  soft-delete state (``'true'``/``'false'``).

``core.field_changes`` (a view) reads both as one row per field (a ``_created`` row contributes one row per
value, ``old_value`` NULL, sharing its ``change_id``). Readers that ask "what was field F of record R at time T"
or "which records changed F" read the view; :data:`FIELD_CHANGES` names it for SQL built in Python.
"""

from __future__ import annotations

#: ``field`` of the one row logged for a created record.
CREATED = "_created"
#: The per-field view over ``core.change_log``.
FIELD_CHANGES = "core.field_changes"
#: ``field`` of a soft-delete change.
DELETED = "_deleted"
