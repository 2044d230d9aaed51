"""Appraisal: the monthly Period, its lifecycle (compute, appeals, approval, publication, close), sheets and reports."""
