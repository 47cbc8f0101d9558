"""The `circle demo`: local mail servers, a seeded circle and simulated members writing in."""
