"""Humanization review: numbering, alignment, mutation bookkeeping, liabilities and humanness of
each strategy of a job, as pure computations the Humanization section renders."""
