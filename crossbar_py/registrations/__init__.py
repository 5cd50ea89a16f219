"""registrations"""
