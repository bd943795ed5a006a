"""Item pipelines: validation, normalization and dataset writers."""
