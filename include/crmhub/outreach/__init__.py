"""Investor-communication automations gated by Unleash flags (see docs/outreach.md).

Safety rails, in the order a run applies them: health gate, pause switch, control mode (a version no human
promoted mails only the control list), bulk-import guard, audience filter, identity holds and suppression
list, one mail per transition, Unleash flag (fail closed), per-run blast-radius cap and send budget over a
time window, outbox with idempotency and transition keys, pause/flag re-check before every send batch.
The stages are in :mod:`crmhub.outreach.stages`; the tear-down's correction step in :mod:`.teardown`.
"""

from crmhub.outreach.engine import OutreachEngine, RunResult
from crmhub.outreach.flags import FlagGate, flag_context
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Automation, load_automations
from crmhub.outreach.smtp import SmtpSettings

__all__ = [
    "Automation",
    "FlagGate",
    "OutreachEngine",
    "RunResult",
    "SmtpSettings",
    "flag_context",
    "load_automations",
    "mask_email",
]
