"""The coalitions the unit tests of issue 16 start from (``coalition16``): ``one``, ``two``
and ``three`` coordinators. A module that needs another world under one of these names
defines its own fixture, which takes precedence."""

from tests.unit.coalition16 import one, three, two

__all__ = ["one", "three", "two"]
