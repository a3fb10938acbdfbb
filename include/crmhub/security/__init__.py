"""Data protection: classification policy, PostgreSQL roles and masked views, access log, audit, retention.

Dependencies point one way: ``policy`` (from the integration map) <- ``provision`` (roles, grants, the
``secure`` schema) <- ``access_log`` / ``audit`` / ``retention``. See docs/security.md.
"""

from crmhub.security.policy import CLASSES, SecurityPolicy, load_policy

__all__ = ["CLASSES", "SecurityPolicy", "load_policy"]
