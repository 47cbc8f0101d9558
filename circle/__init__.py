"""Circle: run a community of practice by email. The pure domain layer."""
