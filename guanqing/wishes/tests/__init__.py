"""Tests of the micro-wish module."""
