"""The job layer's own machinery beside the guide's ``job_*`` modules: leases and the upkeep that reaps lost or
overdue jobs, the bounded local worker pool, and the dataset odometer."""
