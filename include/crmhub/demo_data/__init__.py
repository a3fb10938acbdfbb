"""Deterministic, realistically messy private-equity demo data for every source, with ground truth."""

from crmhub.demo_data.generator import DemoDataset, generate

__all__ = ["DemoDataset", "generate"]
