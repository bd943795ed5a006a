"""Local replica of a NukeViet 4.x provincial portal, for demos, tests and benchmarks."""
