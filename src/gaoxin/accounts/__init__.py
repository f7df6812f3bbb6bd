"""Accounts: which part of the hierarchy a user works in, and in what role."""
