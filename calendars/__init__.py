"""Availability sources: public holidays per country and busy times from .ics files."""
