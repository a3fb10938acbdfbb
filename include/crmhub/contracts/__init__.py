"""Field contracts: vectorised grading of a batch against each field's contract, metrics and breaches."""

from crmhub.contracts.check import CheckResult, check_frame
from crmhub.contracts.formula import neutralise_formula, neutralise_frame, write_safe_csv
from crmhub.contracts.masking import mask_values

__all__ = ["CheckResult", "check_frame", "mask_values", "neutralise_formula", "neutralise_frame", "write_safe_csv"]
