"""One router per console page: an HTML page, the same data as JSON under ``/api``, and its actions."""
