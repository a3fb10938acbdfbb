"""HubSpot wire helpers shared by crmhub's clients and the CRM sandbox (no crmhub imports beyond this package).

:mod:`crmhub.hubspot.wire` (batch/search bodies, property values, paging, errors, unique and identity
properties) and :mod:`crmhub.hubspot.signatures` (webhook signature v3).
"""
