"""Partnerships Hub: the Django apps."""
