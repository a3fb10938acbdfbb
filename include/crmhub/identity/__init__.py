"""Identity resolution (the playbook's "post office"): normalise, block, compare, score, link, review.

Modules: :mod:`normalize` (values), :mod:`records` (canonical frames), :mod:`blocking`,
:mod:`comparison`, :mod:`scoring`, :mod:`matching` (one run, pure), :mod:`clusters` (union-find),
:mod:`confidence` (Identity_Confidence), :mod:`store` (warehouse persistence).
"""

from crmhub.identity.matching import REVIEW_THRESHOLD, Resolution, ReviewPair, resolve

__all__ = ["REVIEW_THRESHOLD", "Resolution", "ReviewPair", "resolve"]
