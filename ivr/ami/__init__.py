"""The AMI edge: Asterisk's own fallback queue kept in step with the counselors."""
