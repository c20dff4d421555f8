"""SES account integration: one-step connect, loop proof, suppression sync, readiness report, request draft."""
