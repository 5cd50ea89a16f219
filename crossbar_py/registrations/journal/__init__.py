"""registrations/journal"""
