"""Tests of the demonstrator library (kimed_demos) and its notebooks."""
