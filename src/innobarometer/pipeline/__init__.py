"""The build behind `make all`: the plan and what each report reads, the manifest and staleness,
the worker pool and kernels, the index and codebook pages, and notebook scaffolding."""
